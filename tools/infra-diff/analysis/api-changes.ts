import type { ApiChange, Risk } from "../report.js";
import type { ServiceFacts } from "../service-facts.js";
import { PLATFORM_OWNER } from "../stack-snapshot.js";
import { compareContracts } from "./contracts/compare-contracts.js";
import type { OpenApiDocument } from "./contracts/openapi.js";

/** Each service's API contract on both sides (`cdktf.out/api/<service>.openapi.json`), by service. */
export interface ApiContracts {
  readonly before: ReadonlyMap<string, OpenApiDocument>;
  readonly after: ReadonlyMap<string, OpenApiDocument>;
}

/**
 * The contract changes of every service that has a document on either side and still
 * runs in the head (`remaining`): a removed service's callers are the destroy risk's
 * business, and a service with no document on either side has nothing to compare.
 */
export function apiChangesOf(contracts: ApiContracts, remaining: ReadonlySet<string>): Map<string, ApiChange[]> {
  const byService = new Map<string, ApiChange[]>();
  const services = [...new Set([...contracts.before.keys(), ...contracts.after.keys()])].sort();
  for (const service of services) {
    if (!remaining.has(service)) continue;
    const changes = compareContracts(contracts.before.get(service), contracts.after.get(service));
    if (changes.length > 0) byService.set(service, changes);
  }
  return byService;
}

/**
 * The services that call `service` in the head, in any environment: those whose
 * network rules let them reach it, which the platform derives from `dependsOn` (and from
 * `uses` of its backing services, which may list a reader of its data that never calls
 * its API).
 */
export function callersIn(factsAfter: Iterable<ReadonlyMap<string, ServiceFacts>>, service: string): string[] {
  const callers = new Set<string>();
  for (const facts of factsAfter) {
    for (const caller of facts.get(service)?.calledBy ?? []) callers.add(caller);
    for (const [owner, f] of facts) if (f.calls.has(service)) callers.add(owner);
  }
  callers.delete(service);
  callers.delete(PLATFORM_OWNER);
  return [...callers].sort();
}

/** One `breaking-api-change` risk per breaking change, naming the callers it breaks. */
export function breakingApiRisks(service: string, changes: readonly ApiChange[], callers: readonly string[]): Risk[] {
  const whom =
    callers.length > 0
      ? `breaks its callers ${callers.join(", ")}`
      : `no service here calls ${service} (callers outside this repository may break)`;
  return changes
    .filter((change) => change.severity === "breaking")
    .map((change) => ({
      kind: "breaking-api-change" as const,
      code: change.code,
      environment: null,
      service,
      resources: [],
      reason: `${change.description}; ${whom}`,
      callers,
    }));
}

/** The item of a service's summary line: `1 breaking API change, 2 additive API changes`. */
export function apiSummaryItem(changes: readonly ApiChange[]): string {
  const count = (severity: ApiChange["severity"]) => changes.filter((c) => c.severity === severity).length;
  const phrase = (n: number, what: string) => `${n} ${what} API ${n === 1 ? "change" : "changes"}`;
  return [
    ...(count("breaking") > 0 ? [phrase(count("breaking"), "breaking")] : []),
    ...(count("additive") > 0 ? [phrase(count("additive"), "additive")] : []),
  ].join(", ");
}
