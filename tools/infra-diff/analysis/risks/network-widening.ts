import { cycleClosedBy, formatCycle } from "../../../../infra/spec/dependency-cycles.js";
import { parseIpv4Cidr, rangeContains } from "../../../../infra/spec/egress-cidr.js";
import type { Risk, RiskChange } from "../../report.js";
import type { ServiceFacts } from "../../service-facts.js";
import { portsSuffix } from "../collections.js";
import { callEdges, edgeDifferences } from "../edges.js";
import { serviceOfOwner } from "../environment.js";
import type { RiskCheck } from "./risk-check.js";

/**
 * Every way in or out that is new: a service-to-service edge (and the cycle of calls it
 * closes), external egress (a new destination, a wider CIDR, a new port), a new inbound
 * source and a new public endpoint.
 */
export const networkWidening: RiskCheck = {
  kind: "network-widening",
  checks:
    "new edges (and the cycles of calls they close), new or wider external egress, new inbound sources and new public endpoints",
  check(environment) {
    const risks: Risk[] = [];
    for (const owner of environment.owners) {
      const existed = environment.existed(owner);
      const before = existed ? environment.factsBefore.get(owner) : undefined;
      const after = environment.factsAfter.get(owner);
      if (!after) continue;
      const risk = (code: string, reason: string, change: RiskChange): Risk => ({
        kind: "network-widening",
        code,
        environment: environment.environment,
        service: serviceOfOwner(owner),
        resources: [],
        reason,
        change,
      });
      risks.push(...egressRisks(before, after, risk));
      // A new service's inbound sources are the platform's defaults (monitoring, ingress controller): its edges and endpoints say more.
      if (before)
        for (const source of after.inbound)
          if (!before.inbound.has(source))
            risks.push(
              risk("new-inbound-source", `accepts traffic from ${source}`, {
                what: source,
                before: "not let in",
                after: "let in",
              }),
            );
      for (const endpoint of after.endpoints)
        if (!before?.endpoints.has(endpoint))
          risks.push(
            risk("new-public-endpoint", `reachable from outside at ${endpoint}`, {
              what: endpoint,
              before: "not reachable from outside",
              after: "reachable from outside",
            }),
          );
    }
    const calls = callEdges(environment.factsAfter);
    const callsBefore = callEdges(environment.factsBefore);
    const cycles = new Set<string>();
    for (const { from, to, change } of edgeDifferences(environment)) {
      if (change !== "added") continue;
      const edge = {
        kind: "network-widening",
        environment: environment.environment,
        service: from,
        resources: [],
      } as const;
      risks.push({
        ...edge,
        code: "new-edge",
        reason: `${from} may now call ${to}`,
        change: { what: `calls ${to}`, before: "not allowed", after: "allowed" },
      });
      const cycle = cycleClosedBy(calls, from, to);
      // Two new edges of one cycle (a -> b and b -> a) close it once; one between services
      // that already reached each other (a shortcut inside a cycle) closes none.
      if (cycle === undefined || cycles.has(cycleKey(cycle))) continue;
      if (cycleClosedBy(callsBefore, from, to) && cycleClosedBy(callsBefore, to, from)) continue;
      cycles.add(cycleKey(cycle));
      risks.push({
        ...edge,
        code: "dependency-cycle",
        reason: `${from} may now call ${to}, which closes the cycle ${formatCycle(cycle)}: a request can loop round it and a failure of one of them reaches the others`,
        change: { what: `calls ${to}`, before: "no cycle", after: `cycle ${formatCycle(cycle)}` },
      });
    }
    return risks;
  },
};

/** A new destination, a CIDR wider than one allowed before, or a new port to a known destination. */
function egressRisks(
  before: ServiceFacts | undefined,
  after: ServiceFacts,
  risk: (code: string, reason: string, change: RiskChange) => Risk,
): Risk[] {
  const risks: Risk[] = [];
  const wasEgress = before?.egress ?? new Map<string, Set<string>>();
  for (const [destination, ports] of after.egress) {
    const was = wasEgress.get(destination);
    if (was) {
      const added = [...ports].filter((p) => !was.has(p) && !was.has("all"));
      if (added.length > 0)
        risks.push(
          risk("new-egress-port", `egress to ${destination} is now also allowed on ${added.join(", ")}`, {
            what: `egress to ${destination}`,
            before: `on ${[...was].join(", ")}`,
            after: `on ${[...new Set([...was, ...ports])].join(", ")}`,
          }),
        );
      continue;
    }
    const cidr = parseIpv4Cidr(destination);
    const narrower = cidr
      ? [...wasEgress.keys()].find((d) => {
          const old = parseIpv4Cidr(d);
          return old !== undefined && rangeContains(cidr, old) && !rangeContains(old, cidr);
        })
      : undefined;
    const covered = cidr
      ? [...wasEgress.keys()].some((d) => {
          const old = parseIpv4Cidr(d);
          return (
            old !== undefined &&
            rangeContains(old, cidr) &&
            [...ports].every((p) => wasEgress.get(d)!.has(p) || wasEgress.get(d)!.has("all"))
          );
        })
      : false;
    if (covered) continue;
    if (narrower)
      risks.push(
        risk("wider-egress-cidr", `egress widens from ${narrower} to ${destination}${portsSuffix(ports)}`, {
          what: "egress CIDR",
          before: `${narrower}${portsSuffix(wasEgress.get(narrower)!)}`,
          after: `${destination}${portsSuffix(ports)}`,
        }),
      );
    else
      risks.push(
        risk("new-external-egress", `new egress to ${destination}${portsSuffix(ports)}`, {
          what: destination,
          before: "not allowed",
          after: `allowed${portsSuffix(ports)}`,
        }),
      );
  }
  return risks;
}

/** A cycle whichever service it is written from: `b -> a -> b` is `a -> b -> a`. */
function cycleKey(cycle: readonly string[]): string {
  const round = cycle.slice(0, -1);
  const start = round.indexOf([...round].sort()[0]!);
  return [...round.slice(start), ...round.slice(0, start)].join(" -> ");
}
