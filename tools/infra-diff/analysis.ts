import { parseIpv4Cidr, rangeContains } from "../../infra/spec/egress-cidr.js";
import { addAmounts, formatCpu, formatMemory, NO_AMOUNTS, type ResourceAmounts } from "../../infra/spec/quantity.js";
import { exceptionChanges, type GuardrailExceptions } from "./guardrail-exceptions.js";
import {
  REPORT_SCHEMA_VERSION,
  RISK_KINDS,
  type CapacityReport,
  type ChangeCounts,
  type InfraDiffReport,
  type ResourceReport,
  type Risk,
  type ServiceReport,
} from "./report.js";
import type { EnvironmentDiff, ResourceChange } from "./resource-changes.js";
import { capacityOf, factsOfStack, type Capacity, type ServiceFacts } from "./service-facts.js";
import { PLATFORM_OWNER } from "./stack-snapshot.js";

/** What the report is about, and what else it needs besides the per-environment diffs. */
export interface AnalysisInput {
  readonly base: InfraDiffReport["base"];
  readonly head: InfraDiffReport["head"];
  readonly environments: readonly EnvironmentDiff[];
  /** Guardrail exceptions of each side; undefined when they could not be read. */
  readonly exceptions?: { readonly before: GuardrailExceptions; readonly after: GuardrailExceptions };
  readonly notes?: readonly string[];
}

/**
 * Turns per-environment diffs into the report: change counts, risks (destroys and
 * replacements, security relaxations, network widening, capacity), one summary line
 * and the resource details per service, and the service-to-service edges that change.
 */
export function analyse(input: AnalysisInput): InfraDiffReport {
  const risks: Risk[] = [];
  const itemsByOwner = new Map<string, Map<string, string[]>>();
  const resourcesByOwner = new Map<string, Map<string, ResourceReport[]>>();
  const edgeChanges = new Map<
    string,
    { from: string; to: string; change: "added" | "removed"; environments: string[] }
  >();
  const capacity: CapacityReport[] = [];
  const environments: Record<string, ChangeCounts & { source: "synth" | "plan" }> = {};
  const total: ChangeCounts = { adds: 0, changes: 0, replacements: 0, destroys: 0 };
  const notes = [...(input.notes ?? [])];

  for (const diff of input.environments) {
    const env = diff.environment;
    const counts = countChanges(diff.changes);
    environments[env] = { ...counts, source: diff.source };
    for (const key of Object.keys(total) as Array<keyof ChangeCounts>) total[key] += counts[key];
    for (const note of diff.notes) notes.push(`${env}: ${note}`);

    const factsBefore = factsOfStack(diff.before);
    const factsAfter = factsOfStack(diff.after);
    const changesByOwner = groupBy(diff.changes, (c) => c.owner);
    const ownersBefore = resourceOwners(diff.before);
    const ownersAfter = resourceOwners(diff.after);
    const owners = new Set([...changesByOwner.keys()]);
    for (const owner of new Set([...factsBefore.keys(), ...factsAfter.keys()])) {
      if (factsDiffer(factsBefore.get(owner), factsAfter.get(owner))) owners.add(owner);
    }

    for (const owner of owners) {
      const before = factsBefore.get(owner);
      const after = factsAfter.get(owner);
      const ownerChanges = changesByOwner.get(owner) ?? [];
      const existed = owner === PLATFORM_OWNER || ownersBefore.has(owner);
      const exists = owner === PLATFORM_OWNER || ownersAfter.has(owner);
      const items = summaryItems(before, after, ownerChanges, existed, exists);
      if (items.length > 0) mapOf(itemsByOwner, owner).set(env, items);
      if (ownerChanges.length > 0) mapOf(resourcesByOwner, owner).set(env, ownerChanges.map(resourceReport));
      risks.push(...resourceRisks(env, owner, ownerChanges, existed && !exists));
      risks.push(...exposureRisks(env, owner, existed ? before : undefined, after));
      risks.push(...securityRisks(env, owner, before, after));
    }

    const edgesBefore = edgesOf(factsBefore);
    const edgesAfter = edgesOf(factsAfter);
    for (const [edges, other, change] of [
      [edgesAfter, edgesBefore, "added"],
      [edgesBefore, edgesAfter, "removed"],
    ] as const) {
      for (const edge of edges) {
        if (other.has(edge)) continue;
        const [from, to] = edge.split("->") as [string, string];
        const key = `${edge}|${change}`;
        const entry = edgeChanges.get(key) ?? { from, to, change, environments: [] };
        entry.environments.push(env);
        edgeChanges.set(key, entry);
        if (change === "added") {
          risks.push({
            kind: "network-widening",
            code: "new-edge",
            environment: env,
            service: from,
            resources: [],
            reason: `${from} may now call ${to}`,
          });
        }
      }
    }

    const totals = capacityTotals(factsBefore, factsAfter);
    if (totals) {
      capacity.push({ environment: env, ...totals });
      const risk = capacityRisk(env, totals);
      if (risk) risks.push(risk);
    }
  }

  if (input.exceptions) {
    const changes = exceptionChanges(input.exceptions.before, input.exceptions.after);
    risks.push(...changes.risks);
    for (const { service, rule, environment } of changes.newSuppressions) {
      const envItems = mapOf(itemsByOwner, service);
      const key = environment ?? "*";
      envItems.set(key, [...(envItems.get(key) ?? []), `suppresses ${rule}`]);
    }
  }

  const envOrder = input.environments.map((d) => d.environment);
  const services = [...new Set([...itemsByOwner.keys(), ...resourcesByOwner.keys()])]
    .sort((a, b) => (a === PLATFORM_OWNER ? 1 : b === PLATFORM_OWNER ? -1 : a.localeCompare(b)))
    .map((name): ServiceReport => {
      const items = mergeItems(itemsByOwner.get(name) ?? new Map(), envOrder);
      const resources = resourcesByOwner.get(name) ?? new Map<string, ResourceReport[]>();
      return {
        name,
        summary: items.join(", ") || "no visible change",
        items,
        environments: Object.fromEntries(envOrder.filter((e) => resources.has(e)).map((e) => [e, resources.get(e)!])),
      };
    });

  const rank = (kind: Risk["kind"]) => RISK_KINDS.indexOf(kind);
  const envRank = (env: string | null) => (env === null ? -1 : envOrder.indexOf(env));
  risks.sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      envRank(a.environment) - envRank(b.environment) ||
      (a.service ?? "").localeCompare(b.service ?? ""),
  );

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    base: input.base,
    head: input.head,
    changed: services.length > 0 || risks.length > 0 || input.environments.some((d) => d.changes.length > 0),
    summary: { total, environments },
    risks,
    services,
    edges: [...edgeChanges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
    capacity,
    notes,
  };
}

// ---------------------------------------------------------------------------- counts and details

function countChanges(changes: readonly ResourceChange[]): ChangeCounts {
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

function resourceReport(change: ResourceChange): ResourceReport {
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

// ---------------------------------------------------------------------------- summary line

function summaryItems(
  before: ServiceFacts | undefined,
  after: ServiceFacts | undefined,
  changes: readonly ResourceChange[],
  existed: boolean,
  exists: boolean,
): string[] {
  if (!existed && exists) return ["new service", ...describeNew(after)];
  if (existed && !exists) return ["removed"];

  const items: string[] = [];
  if (before && after) {
    items.push(...imageItems(before.images, after.images));
    items.push(...capacityItems(capacityOf(before), capacityOf(after)));
    items.push(
      ...setItems(
        before.calls,
        after.calls,
        (x) => `new egress to ${x}`,
        (x) => `no egress to ${x}`,
      ),
    );
    items.push(
      ...setItems(
        before.calledBy,
        after.calledBy,
        (x) => `new ingress from ${x}`,
        (x) => `no ingress from ${x}`,
      ),
    );
    items.push(...egressItems(before.egress, after.egress));
    items.push(
      ...setItems(
        before.inbound,
        after.inbound,
        (x) => `new inbound from ${x}`,
        (x) => `no inbound from ${x}`,
      ),
    );
    items.push(
      ...setItems(
        before.endpoints,
        after.endpoints,
        (x) => `now reachable at ${x}`,
        (x) => `no longer reachable at ${x}`,
      ),
    );
    for (const [setting, now] of after.security) {
      const was = before.security.get(setting);
      if (was && was.value !== now.value) items.push(`${setting} ${was.value} -> ${now.value}`);
    }
  }
  if (items.length === 0 && changes.length > 0) items.push(...fallbackItems(changes));
  return items;
}

/** The owners of at least one resource of a stack. */
function resourceOwners(stack: EnvironmentDiff["before"]): Set<string> {
  const owners = new Set<string>();
  for (const block of stack.blocks.values()) if (block.kind === "resource") owners.add(block.owner);
  return owners;
}

function describeNew(facts: ServiceFacts | undefined): string[] {
  if (!facts) return [];
  const items: string[] = [];
  if (facts.images.size > 0) items.push(`image ${[...facts.images].join(", ")}`);
  const capacity = capacityOf(facts);
  if (capacity) items.push(`replicas ${range(capacity.replicas)}`);
  return items;
}

function imageItems(before: Set<string>, after: Set<string>): string[] {
  if (setsEqual(before, after)) return [];
  if (before.size === 1 && after.size === 1) {
    const [was] = before;
    const [now] = after;
    const repository = (image: string) => image.replace(/(@sha256:[a-f0-9]+|:[^:/]+)$/, "");
    if (repository(was!) === repository(now!))
      return [`image ${was!.slice(repository(was!).length + 1)} -> ${now!.slice(repository(now!).length + 1)}`];
    return [`image ${was} -> ${now}`];
  }
  return setItems(
    before,
    after,
    (x) => `new image ${x}`,
    (x) => `no image ${x}`,
  );
}

function capacityItems(before: Capacity | undefined, after: Capacity | undefined): string[] {
  if (!before || !after) return [];
  const items: string[] = [];
  const fixed = (c: Capacity) => c.replicas.min === c.replicas.max;
  if (fixed(before) && fixed(after)) {
    if (before.replicas.min !== after.replicas.min)
      items.push(`replicas ${before.replicas.min} -> ${after.replicas.min}`);
  } else {
    if (before.replicas.min !== after.replicas.min)
      items.push(`min replicas ${before.replicas.min} -> ${after.replicas.min}`);
    if (before.replicas.max !== after.replicas.max)
      items.push(`max replicas ${before.replicas.max} -> ${after.replicas.max}`);
  }
  if (before.perReplica.cpuMillis !== after.perReplica.cpuMillis)
    items.push(`cpu ${after.basis} ${cpu(before.perReplica.cpuMillis)} -> ${cpu(after.perReplica.cpuMillis)}`);
  if (before.perReplica.memoryMiB !== after.perReplica.memoryMiB)
    items.push(`memory ${after.basis} ${memory(before.perReplica.memoryMiB)} -> ${memory(after.perReplica.memoryMiB)}`);
  return items;
}

function egressItems(before: Map<string, Set<string>>, after: Map<string, Set<string>>): string[] {
  const items: string[] = [];
  for (const [destination, ports] of after) {
    const was = before.get(destination);
    if (!was) items.push(`new egress to ${destination}${portsSuffix(ports)}`);
    else {
      const added = [...ports].filter((p) => !was.has(p));
      if (added.length > 0) items.push(`egress to ${destination} also on ${added.join(", ")}`);
    }
  }
  for (const destination of before.keys()) if (!after.has(destination)) items.push(`no egress to ${destination}`);
  return items;
}

function fallbackItems(changes: readonly ResourceChange[]): string[] {
  const described = changes.slice(0, 2).map((c) => {
    if (c.action !== "update" && c.action !== "replace")
      return `${shortName(c)} ${c.action === "create" ? "added" : "removed"}`;
    const first = c.attributes.find((a) => !a.unknownAfter) ?? c.attributes[0];
    const more = c.attributes.length > 1 ? ` (+${c.attributes.length - 1} more)` : "";
    return `${shortName(c)}: ${first?.path ?? "changed"}${more}`;
  });
  if (changes.length > 2) described.push(`${changes.length - 2} more resources change`);
  return described;
}

function setItems(
  before: Set<string>,
  after: Set<string>,
  added: (x: string) => string,
  removed: (x: string) => string,
): string[] {
  return [
    ...[...after].filter((x) => !before.has(x)).map(added),
    ...[...before].filter((x) => !after.has(x)).map(removed),
  ];
}

/** One line per service: an item true in every compared environment as is, the others with their environments. */
function mergeItems(byEnv: Map<string, string[]>, envOrder: readonly string[]): string[] {
  const everywhere = byEnv.get("*") ?? [];
  const where = new Map<string, string[]>();
  for (const env of envOrder)
    for (const item of byEnv.get(env) ?? []) where.set(item, [...(where.get(item) ?? []), env]);
  const merged: string[] = [];
  for (const [item, itemEnvs] of where)
    merged.push(itemEnvs.length === envOrder.length ? item : `${item} (${itemEnvs.join(", ")})`);
  return [...merged, ...everywhere];
}

// ---------------------------------------------------------------------------- risks

function resourceRisks(
  environment: string,
  owner: string,
  changes: readonly ResourceChange[],
  ownerRemoved: boolean,
): Risk[] {
  const service = owner === PLATFORM_OWNER ? null : owner;
  const risks: Risk[] = [];
  const destroyed = changes.filter((c) => c.action === "delete" && c.kind === "resource");
  if (destroyed.length > 0) {
    const what =
      destroyed.length === 1
        ? `${shortName(destroyed[0]!)} is destroyed`
        : `${destroyed.length} resources are destroyed: ${destroyed.map(shortName).join(", ")}`;
    risks.push({
      kind: "destroy",
      code: "destroy",
      environment,
      service,
      resources: destroyed.map((c) => c.address),
      reason: ownerRemoved ? `the service is removed; ${what}` : what,
    });
  }
  for (const change of changes.filter((c) => c.action === "replace" && c.kind === "resource")) {
    risks.push({
      kind: "replacement",
      code: "replacement",
      environment,
      service,
      resources: [change.address],
      reason: `${shortName(change)} (${change.type}) is destroyed and created again: ${change.replacementReasons.join("; ") || "the plan says so"}`,
    });
  }
  return risks;
}

function exposureRisks(
  environment: string,
  owner: string,
  before: ServiceFacts | undefined,
  after: ServiceFacts | undefined,
): Risk[] {
  if (!after) return [];
  const service = owner === PLATFORM_OWNER ? null : owner;
  const risk = (code: string, reason: string): Risk => ({
    kind: "network-widening",
    code,
    environment,
    service,
    resources: [],
    reason,
  });
  const risks: Risk[] = [];
  const wasEgress = before?.egress ?? new Map<string, Set<string>>();
  for (const [destination, ports] of after.egress) {
    const was = wasEgress.get(destination);
    if (was) {
      const added = [...ports].filter((p) => !was.has(p) && !was.has("all"));
      if (added.length > 0)
        risks.push(risk("new-egress-port", `egress to ${destination} is now also allowed on ${added.join(", ")}`));
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
      risks.push(risk("wider-egress-cidr", `egress widens from ${narrower} to ${destination}${portsSuffix(ports)}`));
    else risks.push(risk("new-external-egress", `new egress to ${destination}${portsSuffix(ports)}`));
  }
  // A new service's inbound sources are the platform's defaults (monitoring, ingress controller): its edges and endpoints say more.
  if (before)
    for (const source of after.inbound)
      if (!before.inbound.has(source)) risks.push(risk("new-inbound-source", `accepts traffic from ${source}`));
  for (const endpoint of after.endpoints)
    if (!before?.endpoints.has(endpoint))
      risks.push(risk("new-public-endpoint", `reachable from outside at ${endpoint}`));
  return risks;
}

function securityRisks(
  environment: string,
  owner: string,
  before: ServiceFacts | undefined,
  after: ServiceFacts | undefined,
): Risk[] {
  if (!after) return [];
  const service = owner === PLATFORM_OWNER ? null : owner;
  const risks: Risk[] = [];
  for (const [setting, now] of after.security) {
    if (now.secure) continue;
    const was = before?.security.get(setting);
    if (was && !was.secure) continue;
    risks.push({
      kind: "security-relaxation",
      code: "setting-weakened",
      environment,
      service,
      resources: [],
      reason: was ? `${setting} ${was.value} -> ${now.value}` : `${setting} is ${now.value}`,
    });
  }
  return risks;
}

function capacityTotals(
  before: Map<string, ServiceFacts>,
  after: Map<string, ServiceFacts>,
): Omit<CapacityReport, "environment"> | undefined {
  const sum = (facts: Map<string, ServiceFacts>) => {
    let basis: "request" | "limit" = "request";
    const totals = { atMin: NO_AMOUNTS, atMax: NO_AMOUNTS };
    for (const service of facts.values()) {
      const capacity = capacityOf(service);
      if (!capacity) continue;
      if (capacity.basis === "limit") basis = "limit";
      totals.atMin = addAmounts(totals.atMin, capacity.atMin);
      totals.atMax = addAmounts(totals.atMax, capacity.atMax);
    }
    return { basis, totals };
  };
  const was = sum(before);
  const now = sum(after);
  const same = (a: ResourceAmounts, b: ResourceAmounts) => a.cpuMillis === b.cpuMillis && a.memoryMiB === b.memoryMiB;
  if (same(was.totals.atMin, now.totals.atMin) && same(was.totals.atMax, now.totals.atMax)) return undefined;
  return { basis: now.basis, before: was.totals, after: now.totals };
}

function capacityRisk(environment: string, totals: Omit<CapacityReport, "environment">): Risk | undefined {
  const deltas = [
    totals.after.atMin.cpuMillis - totals.before.atMin.cpuMillis,
    totals.after.atMax.cpuMillis - totals.before.atMax.cpuMillis,
    totals.after.atMin.memoryMiB - totals.before.atMin.memoryMiB,
    totals.after.atMax.memoryMiB - totals.before.atMax.memoryMiB,
  ];
  const code = deltas.every((d) => d >= 0)
    ? "capacity-increase"
    : deltas.every((d) => d <= 0)
      ? "capacity-decrease"
      : "capacity-change";
  const word = totals.basis === "request" ? "requested" : "limited to";
  return {
    kind: "capacity",
    code,
    environment,
    service: null,
    resources: [],
    reason: `${word} ${describeCapacity(totals)}`,
  };
}

/** `cpu at min replicas 0.80 -> 0.90 cores, at max 3.20 cores; memory at min 1Gi -> 1152Mi, at max 4Gi`. */
export function describeCapacity(totals: Omit<CapacityReport, "environment">): string {
  const pair = (a: number, b: number, format: (n: number) => string) =>
    a === b ? format(a) : `${format(a)} -> ${format(b)}`;
  const inCores = (millis: number) => `${cores(millis)} cores`;
  return (
    `cpu at min replicas ${pair(totals.before.atMin.cpuMillis, totals.after.atMin.cpuMillis, inCores)}, at max ${pair(totals.before.atMax.cpuMillis, totals.after.atMax.cpuMillis, inCores)}; ` +
    `memory at min ${pair(totals.before.atMin.memoryMiB, totals.after.atMin.memoryMiB, memory)}, at max ${pair(totals.before.atMax.memoryMiB, totals.after.atMax.memoryMiB, memory)}`
  );
}

// ---------------------------------------------------------------------------- helpers

function edgesOf(facts: Map<string, ServiceFacts>): Set<string> {
  const edges = new Set<string>();
  for (const [owner, f] of facts) {
    if (owner === PLATFORM_OWNER) continue;
    for (const callee of f.calls) edges.add(`${owner}->${callee}`);
    for (const caller of f.calledBy) edges.add(`${caller}->${owner}`);
  }
  return edges;
}

function factsDiffer(a: ServiceFacts | undefined, b: ServiceFacts | undefined): boolean {
  if (!a || !b) return a !== b;
  const capacityKey = (f: ServiceFacts) => JSON.stringify(capacityOf(f) ?? null);
  return (
    !setsEqual(a.images, b.images) ||
    !setsEqual(a.calls, b.calls) ||
    !setsEqual(a.calledBy, b.calledBy) ||
    !setsEqual(a.inbound, b.inbound) ||
    !setsEqual(a.endpoints, b.endpoints) ||
    JSON.stringify([...a.egress].map(([d, p]) => [d, [...p]])) !==
      JSON.stringify([...b.egress].map(([d, p]) => [d, [...p]])) ||
    JSON.stringify([...a.security]) !== JSON.stringify([...b.security]) ||
    capacityKey(a) !== capacityKey(b)
  );
}

function setsEqual(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function mapOf<K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function range(replicas: { min: number; max: number }): string {
  return replicas.min === replicas.max ? String(replicas.min) : `${replicas.min}-${replicas.max}`;
}

function portsSuffix(ports: Set<string> | readonly string[]): string {
  const list = [...ports];
  return list.length === 0 || (list.length === 1 && list[0] === "all") ? "" : ` on ${list.join(", ")}`;
}

/** Millicores as Kubernetes writes them (`250m`). */
function cpu(millis: number): string {
  return formatCpu(Math.round(millis));
}

/** Millicores as cores, for totals (`1.40`). */
function cores(millis: number): string {
  return (millis / 1000).toFixed(2);
}

/** MiB as Kubernetes writes them (`256Mi`, `1Gi`). */
function memory(mib: number): string {
  return formatMemory(Math.round(mib * 1024) / 1024);
}

/** A risk as shown to people: the same finding in several environments is listed once. */
export interface RiskGroup {
  readonly risk: Risk;
  /** The environments, or ["every environment"] for a spec-wide finding. */
  readonly environments: readonly string[];
}

/** Groups risks that differ only in their environment, keeping their order. */
export function groupRisks(risks: readonly Risk[]): RiskGroup[] {
  const groups = new Map<string, { risk: Risk; environments: string[] }>();
  for (const risk of risks) {
    const key = [risk.kind, risk.code, risk.service ?? "", risk.reason].join("|");
    const group = groups.get(key);
    const environment = risk.environment ?? "every environment";
    if (group) group.environments.push(environment);
    else groups.set(key, { risk, environments: [environment] });
  }
  return [...groups.values()];
}
