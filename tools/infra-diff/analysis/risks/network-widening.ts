import { cycleClosedBy, formatCycle } from "../../../../infra/spec/dependency-cycles.js";
import { parseIpv4Cidr, rangeContains } from "../../../../infra/spec/egress-cidr.js";
import { covers, describeAll, describeConditions, type MeshGrant, type MeshGuard } from "../../mesh-facts.js";
import type { Risk, RiskChange } from "../../report.js";
import type { ServiceFacts } from "../../service-facts.js";
import { portsSuffix } from "../collections.js";
import { callEdges, edgeDifferences } from "../edges.js";
import { serviceOfOwner, type EnvironmentAnalysis } from "../environment.js";
import { removedMeshes } from "../meshes.js";
import type { RiskCheck } from "./risk-check.js";

/**
 * Every way in or out that is new: a service-to-service edge (and the cycle of calls it
 * closes), external egress (a new destination, a wider CIDR, a new port), a new inbound
 * source and a new public endpoint; in a service mesh, a source or an operation that its
 * authorization now lets into a guarded workload and the base's did not, and a workload
 * whose guard is gone.
 */
export const networkWidening: RiskCheck = {
  kind: "network-widening",
  checks:
    "new edges (and the cycles of calls they close), new or wider external egress, new inbound sources and new public endpoints; sources and operations a mesh authorization newly lets in, and mesh guards removed",
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
    risks.push(...meshWidening(environment));
    return risks;
  },
};

/** A grant or a guard with the owner of the object it comes from. */
interface Owned<T> {
  readonly owner: string;
  readonly item: T;
}

/**
 * What a mesh's authorization lets in that the base's did not, target by target: each
 * grant of the head that no grant of the base into the same target covers (same or wider
 * source, same or wider operation). A target the base did not guard was open to every
 * source (Istio without an ALLOW policy) or to the namespace's default policy (Linkerd
 * without a Server), so its first grants narrow it: only a target guarded on both sides
 * can widen, and one guarded before and no longer (its service still there) widens to
 * what the guard's absence lets in. A mesh turned off is a relaxation of the environment
 * (security-relaxation.ts), not a widening per object.
 */
function meshWidening(environment: EnvironmentAnalysis): Risk[] {
  const off = new Set(removedMeshes(environment).map((r) => r.mesh));
  const owned = <T>(facts: EnvironmentAnalysis["factsAfter"], of: (f: ServiceFacts) => readonly T[]): Owned<T>[] =>
    [...facts].flatMap(([owner, f]) => of(f).map((item) => ({ owner, item })));
  const key = (item: MeshGrant | MeshGuard) => `${item.mesh}|${item.target}`;
  const guardsBefore = new Map(owned(environment.factsBefore, (f) => f.meshGuards).map((g) => [key(g.item), g]));
  const guardsAfter = new Set(owned(environment.factsAfter, (f) => f.meshGuards).map((g) => key(g.item)));
  const grantsBefore = owned(environment.factsBefore, (f) => f.meshGrants).map((g) => g.item);
  const grantsAfter = owned(environment.factsAfter, (f) => f.meshGrants);
  const risks: Risk[] = [];
  const seen = new Set<string>();
  for (const { owner, item: grant } of grantsAfter) {
    const target = key(grant);
    if (off.has(grant.mesh) || !guardsBefore.has(target)) continue;
    const was = grantsBefore.filter((g) => key(g) === target);
    if (was.some((g) => covers(g.source, grant.source) && covers(g.operation, grant.operation))) continue;
    const source = describeConditions(grant.source, "any source");
    const id = `${target}|${grant.object}|${source}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const operations = (grants: readonly MeshGrant[]) =>
      describeAll(
        grants.map((g) => g.operation),
        "any operation",
      );
    const before = was.filter((g) => covers(g.source, grant.source));
    const now = grantsAfter
      .map((g) => g.item)
      .filter((g) => key(g) === target && describeConditions(g.source, "any source") === source);
    const common = {
      kind: "network-widening",
      environment: environment.environment,
      service: serviceOfOwner(owner),
      resources: grant.addresses,
    } as const;
    risks.push(
      before.length === 0
        ? {
            ...common,
            code: "new-mesh-source",
            reason: `${grant.object} now lets ${source} into ${grant.target} (${operations(now)})`,
            change: { what: `${grant.object}: ${source}`, before: "not let in", after: `let in: ${operations(now)}` },
          }
        : {
            ...common,
            code: "wider-mesh-operation",
            reason: `${grant.object} now lets ${source} into ${grant.target} for ${operations(now)}, not only ${operations(before)}`,
            change: { what: `${grant.object}: ${source}`, before: operations(before), after: operations(now) },
          },
    );
  }
  for (const [target, { owner, item: guard }] of guardsBefore) {
    if (off.has(guard.mesh) || guardsAfter.has(target) || !environment.exists(owner)) continue;
    const was = grantsBefore.filter((g) => key(g) === target);
    const sources =
      describeAll(
        was.map((g) => g.source),
        "any source",
      ) || "nobody";
    risks.push({
      kind: "network-widening",
      code: "mesh-guard-removed",
      environment: environment.environment,
      service: serviceOfOwner(owner),
      resources: [],
      reason: `${guard.target} is no longer guarded by ${guard.mesh} authorization: it lets in ${guard.whenGone}, not only ${sources}`,
      change: { what: `${guard.mesh} authorization of ${guard.target}`, before: sources, after: guard.whenGone },
    });
  }
  return risks;
}

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
