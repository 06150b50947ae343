import type { ResourceChange } from "../resource-changes.js";
import { capacityOf, type Capacity, type ServiceFacts } from "../service-facts.js";
import { cpu, memory } from "./capacity.js";
import { portsSuffix, setsEqual } from "./collections.js";
import { isAddonsStackName } from "../../../infra/stack-names.js";
import { PLATFORM_OWNER } from "../stack-snapshot.js";
import type { EnvironmentAnalysis } from "./environment.js";
import { shortName } from "./resource-reports.js";
import { imageVersionChange, parseImageReference } from "../image-change.js";

/**
 * The items of one owner's summary line in one environment: what is new, removed or
 * different in its facts (image, replicas, cpu and memory, edges, egress, inbound
 * sources, endpoints), or, when its facts say nothing, its first changed resources.
 * (Its new guardrail findings and suppressions are added by the analysis.)
 */
export function summaryItems(environment: EnvironmentAnalysis, owner: string): string[] {
  const guardrails = findingItems(environment, owner);
  const before = environment.factsBefore.get(owner);
  const after = environment.factsAfter.get(owner);
  const existed = environment.existed(owner);
  const exists = environment.exists(owner);
  if (!existed && exists) return ["new service", ...describeNew(after), ...guardrails];
  if (existed && !exists) return ["removed"];

  const items: string[] = [];
  if (before && after) for (const itemsOf of FACT_ITEMS) items.push(...itemsOf(before, after));
  const changes = environment.changesOf(owner);
  if (items.length === 0 && guardrails.length === 0 && changes.length > 0) items.push(...fallbackItems(changes));
  return [...items, ...guardrails];
}

/** The suffix of an item for a new finding that the head suppresses (see {@link withoutSuppressed}). */
const SUPPRESSED = " (suppressed)";

/**
 * `now fails <rule>` for each rule with findings new in the head (`still fails <rule>
 * differently` when the resource failed it in the base too), with ` (suppressed)` when
 * the head suppresses it.
 */
function findingItems(environment: EnvironmentAnalysis, owner: string): string[] {
  const items = new Set<string>();
  for (const found of environment.newFindings ?? [])
    if ((found.service ?? PLATFORM_OWNER) === owner)
      items.add(
        `${found.failedBefore ? `still fails ${found.rule} differently` : `now fails ${found.rule}`}${found.suppression !== undefined ? SUPPRESSED : ""}`,
      );
  return [...items];
}

/** The items without `now fails <rule> (suppressed)`: said better by `suppresses <rule>` when the suppression is new. */
export function withoutSuppressed(items: readonly string[], rule: string): string[] {
  return items.filter((item) => item !== `now fails ${rule}${SUPPRESSED}`);
}

/** Where an item holds when it holds in each of several compared environments. */
export const EVERY_ENVIRONMENT = "every environment";

/**
 * The items of a service, each naming where it holds: `(every environment)` when in each
 * compared environment (of several), else the environments (`(staging, production)`);
 * then, as they are, the items of the service as a whole (`*`: its API contract, its
 * spec's suppressions), which hold in no environment more than another.
 */
export function mergeItems(byEnv: ReadonlyMap<string, readonly string[]>, envOrder: readonly string[]): string[] {
  return [
    ...itemsByPlace(byEnv, envOrder).flatMap(([place, items]) => items.map((item) => `${item} (${place})`)),
    ...(byEnv.get("*") ?? []),
  ];
}

/**
 * A service's one line, grouped by where its items hold, every environment first, the
 * service's as a whole last: `every environment: image 1.0.0 -> 1.1.0; production: min
 * replicas 3 -> 4; 1 additive API change`.
 */
export function summaryLine(byEnv: ReadonlyMap<string, readonly string[]>, envOrder: readonly string[]): string {
  const whole = byEnv.get("*") ?? [];
  return [
    ...itemsByPlace(byEnv, envOrder).map(([place, items]) => `${place}: ${items.join(", ")}`),
    ...(whole.length > 0 ? [whole.join(", ")] : []),
  ].join("; ");
}

/**
 * The items by where they hold (`every environment`, `local`, `staging, production`), every
 * environment first. Every environment is each compared stack but the add-ons stacks
 * (`addons-<env>`), which hold no service.
 */
function itemsByPlace(
  byEnv: ReadonlyMap<string, readonly string[]>,
  envOrder: readonly string[],
): Array<[string, string[]]> {
  const envsOf = new Map<string, string[]>();
  for (const env of envOrder)
    for (const item of byEnv.get(env) ?? []) envsOf.set(item, [...(envsOf.get(item) ?? []), env]);
  const environments = envOrder.filter((env) => !isAddonsStackName(env));
  const everywhere = (envs: readonly string[]) =>
    environments.length > 1 && envs.length === environments.length && envs.every((env) => environments.includes(env));
  const places = new Map<string, string[]>([[EVERY_ENVIRONMENT, []]]);
  const add = (place: string, item: string) => places.set(place, [...(places.get(place) ?? []), item]);
  for (const [item, envs] of envsOf) add(everywhere(envs) ? EVERY_ENVIRONMENT : envs.join(", "), item);
  return [...places].filter(([, items]) => items.length > 0);
}

/** What differs in each fact, in the order the summary line lists them. */
const FACT_ITEMS: ReadonlyArray<(before: ServiceFacts, after: ServiceFacts) => string[]> = [
  (before, after) => imageItems(before.images, after.images),
  (before, after) => capacityItems(capacityOf(before), capacityOf(after)),
  namesItems((f) => f.calls, "new egress to", "no egress to"),
  namesItems((f) => f.calledBy, "new ingress from", "no ingress from"),
  (before, after) => egressItems(before.egress, after.egress),
  namesItems((f) => f.inbound, "new inbound from", "no inbound from"),
  namesItems((f) => f.endpoints, "now reachable at", "no longer reachable at"),
];

/** The items of a fact that is a set of names: `<added> <name>` per name added, then `<removed> <name>` per name removed. */
function namesItems(
  of: (facts: ServiceFacts) => ReadonlySet<string>,
  added: string,
  removed: string,
): (before: ServiceFacts, after: ServiceFacts) => string[] {
  return (before, after) =>
    setItems(
      of(before),
      of(after),
      (x) => `${added} ${x}`,
      (x) => `${removed} ${x}`,
    );
}

function describeNew(facts: ServiceFacts | undefined): string[] {
  if (!facts) return [];
  const items: string[] = [];
  if (facts.images.size > 0) items.push(`image ${[...facts.images].join(", ")}`);
  const capacity = capacityOf(facts);
  if (capacity) items.push(`replicas ${range(capacity.replicas)}`);
  return items;
}

/**
 * The image items: `image <old tag> -> <new tag>` for a repository that runs one image on
 * each side (a service's own image beside its database's, say), with each side's short
 * digest when either has one (`image 1.0.0 (no digest) -> 1.0.0 (sha256:0123456789ab)`),
 * `image <old> -> <new>` when the only image changes repository, `new image` / `no image`
 * for the others.
 */
function imageItems(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  if (setsEqual(before, after)) return [];
  const repository = (image: string) => parseImageReference(image).repository;
  const versions = (was: string, now: string) => {
    const change = imageVersionChange(was, now)!;
    return `image ${change.before} -> ${change.after}`;
  };
  const removed = [...before].filter((x) => !after.has(x));
  const added = [...after].filter((x) => !before.has(x));
  if (removed.length === 1 && added.length === 1 && before.size === 1 && after.size === 1)
    return repository(removed[0]!) === repository(added[0]!)
      ? [versions(removed[0]!, added[0]!)]
      : [`image ${removed[0]} -> ${added[0]}`];
  const items: string[] = [];
  const paired = new Set<string>();
  for (const now of added) {
    const sameRepository = removed.filter((was) => repository(was) === repository(now));
    const others = added.filter((x) => repository(x) === repository(now));
    if (sameRepository.length !== 1 || others.length !== 1) continue;
    items.push(versions(sameRepository[0]!, now));
    paired.add(now).add(sameRepository[0]!);
  }
  return [
    ...items,
    ...added.filter((x) => !paired.has(x)).map((x) => `new image ${x}`),
    ...removed.filter((x) => !paired.has(x)).map((x) => `no image ${x}`),
  ];
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

function egressItems(
  before: ReadonlyMap<string, ReadonlySet<string>>,
  after: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
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
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  added: (x: string) => string,
  removed: (x: string) => string,
): string[] {
  return [
    ...[...after].filter((x) => !before.has(x)).map(added),
    ...[...before].filter((x) => !after.has(x)).map(removed),
  ];
}

function range(replicas: { min: number; max: number }): string {
  return replicas.min === replicas.max ? String(replicas.min) : `${replicas.min}-${replicas.max}`;
}
