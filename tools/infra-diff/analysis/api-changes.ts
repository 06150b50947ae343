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

/** How many of a service's gains a deploy-order risk names before "and N more". */
const GAINS_NAMED = 3;

/**
 * A `deploy-order` risk when the contract of a service that this repository's services
 * call gains something (an operation, a request field it now accepts, a response field
 * it now sends: its additive changes): during the rolling update of this change, a
 * caller's new version that uses it can meet the service's deployed version, which does
 * not have it (an operation it answers 404 or 405 to, a field it ignores or does not
 * send). Known per edge, not per call: infra:diff knows that a caller depends on the
 * service, not which operations and fields its code uses, so the risk names every
 * caller and says "if". None when no service here calls it, or nothing is gained.
 */
export function deployOrderRisks(service: string, changes: readonly ApiChange[], callers: readonly string[]): Risk[] {
  const gains = changes.filter((change) => change.severity === "additive");
  if (gains.length === 0 || callers.length === 0) return [];
  const named = gains.slice(0, GAINS_NAMED).map((change) => change.description);
  const more = gains.length > GAINS_NAMED ? ` and ${gains.length - GAINS_NAMED} more` : "";
  const whose =
    callers.length === 1 ? `${callers[0]}'s new version uses` : `the new version of ${callers.join(" or ")} uses`;
  return [
    {
      kind: "deploy-order" as const,
      code: "dependency-gains-api",
      environment: null,
      service,
      resources: [],
      reason: `${service}'s deployed version does not have what this change adds to its contract (${named.join("; ")}${more}): if ${whose} it, deploy ${service} first; during a rolling update the caller's new replicas can meet ${service}'s old ones`,
      callers,
    },
  ];
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
