import type { ServiceFacts } from "../service-facts.js";
import { PLATFORM_OWNER } from "../stack-snapshot.js";
import type { EnvironmentAnalysis } from "./environment.js";

/** A service-to-service edge allowed on one side only. */
export interface EdgeDifference {
  readonly from: string;
  readonly to: string;
  readonly change: "added" | "removed";
}

/** The edges an environment allows after and not before (added), and before and not after (removed). */
export function edgeDifferences(environment: EnvironmentAnalysis): EdgeDifference[] {
  const before = edgesOf(environment.factsBefore);
  const after = edgesOf(environment.factsAfter);
  const differences: EdgeDifference[] = [];
  for (const [edges, other, change] of [
    [after, before, "added"],
    [before, after, "removed"],
  ] as const) {
    for (const edge of edges) {
      if (other.has(edge)) continue;
      const [from, to] = edge.split("->") as [string, string];
      differences.push({ from, to, change });
    }
  }
  return differences;
}

/** Every call an environment's side allows, as [caller, callee]. */
export function callEdges(facts: ReadonlyMap<string, ServiceFacts>): Array<readonly [string, string]> {
  return [...edgesOf(facts)].map((edge) => edge.split("->") as [string, string]);
}

/** `caller->callee` for every edge either end allows. */
function edgesOf(facts: ReadonlyMap<string, ServiceFacts>): Set<string> {
  const edges = new Set<string>();
  for (const [owner, f] of facts) {
    if (owner === PLATFORM_OWNER) continue;
    for (const callee of f.calls) edges.add(`${owner}->${callee}`);
    for (const caller of f.calledBy) edges.add(`${caller}->${owner}`);
  }
  return edges;
}
