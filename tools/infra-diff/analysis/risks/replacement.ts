import { serviceOfOwner } from "../environment.js";
import { shortName } from "../resource-reports.js";
import type { RiskCheck } from "./risk-check.js";

/** Resources destroyed and created again, each with what forces it. */
export const replacementRisks: RiskCheck = {
  kind: "replacement",
  checks: "resources replaced (destroyed and created again), with the attributes or the plan's reason that force it",
  check(environment) {
    return [...environment.owners].flatMap((owner) =>
      environment
        .changesOf(owner)
        .filter((c) => c.action === "replace" && c.kind === "resource")
        .map((change) => ({
          kind: "replacement" as const,
          code: "replacement",
          environment: environment.environment,
          service: serviceOfOwner(owner),
          resources: [change.address],
          reason: `${shortName(change)} (${change.type}) is destroyed and created again: ${change.replacementReasons.join("; ") || "the plan says so"}`,
        })),
    );
  },
};
