import { exceptionChanges, type GuardrailExceptions } from "../guardrail-exceptions.js";
import { DIFF_GUARDRAIL_RULE_IDS } from "../guardrail-findings.js";
import {
  REPORT_SCHEMA_VERSION,
  RISK_KINDS,
  type ApiChange,
  type CapacityReport,
  type ChangeCounts,
  type EdgeChange,
  type InfraDiffReport,
  type ResourceReport,
  type Risk,
  type ServiceReport,
} from "../report.js";
import type { EnvironmentDiff } from "../resource-changes.js";
import { PLATFORM_OWNER } from "../stack-snapshot.js";
import {
  apiChangesOf,
  apiSummaryItem,
  breakingApiRisks,
  callersIn,
  deployOrderRisks,
  type ApiContracts,
} from "./api-changes.js";
import { capacityChange } from "./capacity.js";
import { mapOf } from "./collections.js";
import { edgeDifferences } from "./edges.js";
import { analyseEnvironment, type EnvironmentAnalysis } from "./environment.js";
import { countChanges, resourceReport } from "./resource-reports.js";
import { RISK_CHECKS } from "./risks/index.js";
import { mergeItems, summaryItems, summaryLine, withoutSuppressed } from "./summary.js";

export type { ApiContracts } from "./api-changes.js";
export { capacityCells } from "./capacity.js";
export { groupRisks, riskTotals, type RiskGroup } from "./risk-groups.js";

/** What the report is about, and what else it needs besides the per-environment diffs. */
export interface AnalysisInput {
  readonly base: InfraDiffReport["base"];
  readonly head: InfraDiffReport["head"];
  readonly environments: readonly EnvironmentDiff[];
  /** Guardrail exceptions of each side; undefined when they could not be read. */
  readonly exceptions?: { readonly before: GuardrailExceptions; readonly after: GuardrailExceptions };
  readonly notes?: readonly string[];
  /** Each service's API contract on both sides; undefined when not read (plans alone). */
  readonly contracts?: ApiContracts;
}

/**
 * Turns per-environment diffs into the report: change counts, the risks every check of
 * `risks/` finds (destroys and replacements, security relaxations, network widening,
 * capacity), one summary line and the resource details per service, and the
 * service-to-service edges that change; with the API contracts, each service's contract
 * changes, and a `breaking-api-change` risk per breaking one, naming its callers, and a
 * `deploy-order` risk for a contract that gains what its callers may start to use.
 */
export function analyse(input: AnalysisInput): InfraDiffReport {
  const risks: Risk[] = [];
  const itemsByOwner = new Map<string, Map<string, string[]>>();
  const resourcesByOwner = new Map<string, Map<string, ResourceReport[]>>();
  const edgeChanges = new Map<string, EdgeChange & { environments: string[] }>();
  const capacity: CapacityReport[] = [];
  const environments: Record<string, ChangeCounts & { source: "synth" | "plan" }> = {};
  const total: ChangeCounts = { adds: 0, changes: 0, replacements: 0, destroys: 0 };
  const notes = [...(input.notes ?? [])];
  const analyses: EnvironmentAnalysis[] = [];

  for (const diff of input.environments) {
    const env = diff.environment;
    const counts = countChanges(diff.changes);
    environments[env] = { ...counts, source: diff.source };
    for (const key of Object.keys(total) as Array<keyof ChangeCounts>) total[key] += counts[key];
    for (const note of diff.notes) notes.push(`${env}: ${note}`);

    const environment = analyseEnvironment(diff, input.exceptions?.after);
    analyses.push(environment);
    const findingOwners = (environment.newFindings ?? []).map((found) => found.service ?? PLATFORM_OWNER);
    for (const owner of new Set([...environment.owners, ...findingOwners])) {
      const items = summaryItems(environment, owner);
      if (items.length > 0) mapOf(itemsByOwner, owner).set(env, items);
      const changes = environment.changesOf(owner);
      if (changes.length > 0) mapOf(resourcesByOwner, owner).set(env, changes.map(resourceReport));
    }
    for (const check of RISK_CHECKS) risks.push(...check.check(environment));
    for (const { from, to, change } of edgeDifferences(environment)) {
      const key = `${from}->${to}|${change}`;
      const entry = edgeChanges.get(key) ?? { from, to, change, environments: [] };
      entry.environments.push(env);
      edgeChanges.set(key, entry);
    }
    const totals = capacityChange(environment);
    if (totals) capacity.push({ environment: env, ...totals });
  }

  if (input.exceptions) {
    const changes = exceptionChanges(input.exceptions.before, input.exceptions.after, DIFF_GUARDRAIL_RULE_IDS);
    risks.push(...changes.risks);
    for (const { service, rule, environment } of changes.newSuppressions) {
      const envItems = mapOf(itemsByOwner, service);
      for (const [env, items] of envItems)
        if (environment === null || env === environment) envItems.set(env, withoutSuppressed(items, rule));
      const key = environment ?? "*";
      envItems.set(key, [...(envItems.get(key) ?? []), `suppresses ${rule}`]);
    }
  }

  const apiChanges = input.contracts
    ? apiChangesOf(
        input.contracts,
        new Set(
          [...input.contracts.before.keys(), ...input.contracts.after.keys()].filter((service) =>
            analyses.some((environment) => environment.exists(service)),
          ),
        ),
      )
    : new Map<string, ApiChange[]>();
  for (const [service, changes] of apiChanges) {
    const callers = callersIn(
      analyses.map((environment) => environment.factsAfter),
      service,
    );
    risks.push(...breakingApiRisks(service, changes, callers), ...deployOrderRisks(service, changes, callers));
    const envItems = mapOf(itemsByOwner, service);
    envItems.set("*", [...(envItems.get("*") ?? []), apiSummaryItem(changes)]);
  }

  const envOrder = input.environments.map((d) => d.environment);
  const services = [...new Set([...itemsByOwner.keys(), ...resourcesByOwner.keys()])]
    .sort((a, b) => (a === PLATFORM_OWNER ? 1 : b === PLATFORM_OWNER ? -1 : a.localeCompare(b)))
    .map((name): ServiceReport => {
      const byEnv = itemsByOwner.get(name) ?? new Map<string, string[]>();
      const items = mergeItems(byEnv, envOrder);
      const resources = resourcesByOwner.get(name) ?? new Map<string, ResourceReport[]>();
      const api = apiChanges.get(name);
      return {
        name,
        summary: summaryLine(byEnv, envOrder) || "no visible change",
        items,
        environments: Object.fromEntries(envOrder.filter((e) => resources.has(e)).map((e) => [e, resources.get(e)!])),
        ...(api ? { apiChanges: api } : {}),
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
