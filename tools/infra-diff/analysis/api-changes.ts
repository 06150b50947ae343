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
 * The additive changes a caller's typed client turns into a refusal of the service's
 * deployed version: the client bundles the service's contract and validates every answer
 * with it (templates/runtime/src/contract/contract-client.ts), so an answer without a
 * field now required, with an enum value now gone, outside a bound now narrower, or of a
 * type now excluded (a `null`) throws a DependencyError, whatever the caller's code reads.
 */
const VALIDATED_GAINS: ReadonlySet<string> = new Set([
  "response-field-required",
  "response-enum-narrowed",
  "response-bound-narrowed",
  "response-type-narrowed",
]);

/**
 * The `deploy-order` risks when the contract of a service that this repository's services
 * call gains something (its additive changes): during the rolling update of this change,
 * a caller's new replicas can meet the service's deployed version, which does not have it.
 *
 * - `deployed-answers-refused`: gains of the answers that the callers' typed client
 *   validates ({@link VALIDATED_GAINS}) break every call from a caller's new replicas to
 *   the service's old ones, whether or not the caller's code reads them: deploy the
 *   service first, unconditionally.
 * - `dependency-gains-api`: the other gains (an operation, a request field it now accepts,
 *   an optional response field) break only a caller that uses them, which infra:diff
 *   cannot see (it knows that a caller depends on the service, not which operations and
 *   fields its code uses): the risk names every caller and says "if".
 *
 * None when no service here calls it, or nothing is gained.
 */
export function deployOrderRisks(service: string, changes: readonly ApiChange[], callers: readonly string[]): Risk[] {
  const gains = changes.filter((change) => change.severity === "additive");
  if (gains.length === 0 || callers.length === 0) return [];
  const validated = gains.filter((change) => VALIDATED_GAINS.has(change.code));
  const others = gains.filter((change) => !VALIDATED_GAINS.has(change.code));
  const risk = (code: string, reason: string): Risk => ({
    kind: "deploy-order",
    code,
    environment: null,
    service,
    resources: [],
    reason,
    callers,
  });
  const whose =
    callers.length === 1 ? `${callers[0]}'s new version uses` : `the new version of ${callers.join(" or ")} uses`;
  return [
    ...(validated.length > 0
      ? [
          risk(
            "deployed-answers-refused",
            `${listed(callers.map(possessive))} new replicas refuse the answers of ${service}'s deployed version (${named(validated)}): their typed client of ${service} checks every answer against the new contract; deploy ${service} first`,
          ),
        ]
      : []),
    ...(others.length > 0
      ? [
          risk(
            "dependency-gains-api",
            `${service}'s deployed version does not have what this change adds to its contract (${named(others)}): if ${whose} it, deploy ${service} first; during a rolling update the caller's new replicas can meet ${service}'s old ones`,
          ),
        ]
      : []),
  ];
}

/** The first gains, described, and how many more: `A; B; C and 2 more`. */
function named(gains: readonly ApiChange[]): string {
  const more = gains.length > GAINS_NAMED ? ` and ${gains.length - GAINS_NAMED} more` : "";
  return `${gains
    .slice(0, GAINS_NAMED)
    .map((change) => change.description)
    .join("; ")}${more}`;
}

/** `orders'`, `gateway's`. */
function possessive(name: string): string {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
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
