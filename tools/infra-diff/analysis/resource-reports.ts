import type { ChangeCounts, ResourceReport } from "../report.js";
import type { ResourceChange } from "../resource-changes.js";

/** How many resources an environment adds, changes, replaces and destroys (data sources and settings not counted). */
export function countChanges(changes: readonly ResourceChange[]): ChangeCounts {
  const counts: ChangeCounts = { adds: 0, changes: 0, replacements: 0, destroys: 0 };
  for (const change of changes) {
    if (change.kind !== "resource") continue;
    if (change.action === "create") counts.adds++;
    else if (change.action === "update") counts.changes++;
    else if (change.action === "replace") counts.replacements++;
    else counts.destroys++;
  }
  return counts;
}

/** A change as the report shows it. */
export function resourceReport(change: ResourceChange): ResourceReport {
  return {
    address: change.address,
    type: change.type,
    kind: change.kind,
    constructPath: change.constructPath ?? null,
    action: change.action,
    replacementReasons: change.replacementReasons,
    attributes: change.attributes.map((a) => ({
      path: a.path,
      ...(a.before !== undefined ? { before: a.before } : {}),
      ...(a.after !== undefined ? { after: a.after } : {}),
      forcesReplacement: a.forcesReplacement,
      unknownAfter: a.unknownAfter === true,
    })),
  };
}

/** A resource's name for people: its construct path below the service (`workload/deployment`), or its address. */
export function shortName(change: Pick<ResourceChange, "constructPath" | "address">): string {
  if (!change.constructPath) return change.address;
  return change.constructPath.split("/").slice(3).join("/") || change.address;
}
