import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SERVICES_DIR } from "../../infra/repository-layout.js";
import type { Risk } from "./report.js";

/**
 * Guardrail exceptions on each side: the suppressions that services declare in their
 * spec (`guardrails.suppress`), and, when the synth wrote one, the guardrail report
 * (`cdktf.out/guardrails/<env>.json`) with its suppressed and reported findings. A new
 * exception is a security relaxation even when no resource changes.
 */

/** Suppressions declared in the specs: service -> rule -> reason. */
export type SpecSuppressions = Map<string, Map<string, string>>;

/** One finding of the guardrail report. */
export interface GuardrailFinding {
  readonly rule: string;
  readonly level: string;
  readonly service?: string;
  readonly resource?: string;
  readonly message?: string;
  readonly suppressed?: boolean;
  readonly reason?: string;
}

/** What one side declares or reports. */
export interface GuardrailExceptions {
  /**
   * The spec suppressions of the services that were read (those whose folder changed);
   * empty when both sides have a guardrail report, which says more.
   */
  readonly suppressions: SpecSuppressions;
  /** The guardrail report's findings by environment; empty when the synth writes no report. */
  readonly findings: ReadonlyMap<string, readonly GuardrailFinding[]>;
}

/**
 * Reads `guardrails.suppress` of the given services from `<root>/services/<name>/service.ts`
 * (each side's own spec code parses its own files). A service whose file does not
 * exist on this side is left out.
 */
export async function readSpecSuppressions(root: string, services: Iterable<string>): Promise<SpecSuppressions> {
  const suppressions: SpecSuppressions = new Map();
  for (const service of services) {
    const file = path.join(root, SERVICES_DIR, service, "service.ts");
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as {
      default?: { guardrails?: { suppress?: Array<{ rule: string; reason: string }> } };
    };
    const rules = new Map<string, string>();
    for (const { rule, reason } of module.default?.guardrails?.suppress ?? []) rules.set(rule, reason);
    suppressions.set(service, rules);
  }
  return suppressions;
}

/** The service folders under `<root>/services` that hold a `service.ts`. */
export function serviceFolders(root: string): string[] {
  const dir = path.join(root, SERVICES_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "service.ts")))
    .map((e) => e.name)
    .sort();
}

/**
 * Reads `<outdir>/guardrails/<env>.json` of each environment, when the synth wrote it:
 * a list of findings, or an object with a `findings` list.
 */
export function readGuardrailReports(outdir: string): Map<string, GuardrailFinding[]> {
  const dir = path.join(outdir, "guardrails");
  const reports = new Map<string, GuardrailFinding[]>();
  if (!existsSync(dir)) return reports;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const parsed = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as unknown;
    const list = Array.isArray(parsed) ? parsed : (parsed as { findings?: unknown }).findings;
    if (!Array.isArray(list)) continue;
    reports.set(
      path.basename(file, ".json"),
      list.filter(
        (f): f is GuardrailFinding =>
          typeof f === "object" && f !== null && typeof (f as GuardrailFinding).rule === "string",
      ),
    );
  }
  return reports;
}

/** What changed in the guardrail exceptions. */
export interface ExceptionChanges {
  readonly risks: Risk[];
  /** The suppressions in force now and not before; `environment` null when read from the spec (every environment). */
  readonly newSuppressions: Array<{
    readonly service: string;
    readonly rule: string;
    readonly environment: string | null;
  }>;
}

/**
 * The security relaxations between two sides:
 * - from the guardrail reports, when both sides have them (synth fails on a
 *   suppression that matches nothing, so every suppression in force shows there):
 *   each rule a service has suppressed in an environment and had not, and each rule
 *   that reports a finding of a service in an environment and did not, but for the
 *   rules in `rulesRunByDiff`, whose findings the diff computes itself on both sides
 *   (guardrail-findings.ts);
 * - otherwise from the specs: each suppression a service declares now and did not.
 * A rule's findings on several resources of a service are one risk.
 */
export function exceptionChanges(
  before: GuardrailExceptions,
  after: GuardrailExceptions,
  rulesRunByDiff: ReadonlySet<string> = new Set(),
): ExceptionChanges {
  const risks: Risk[] = [];
  const newSuppressions: ExceptionChanges["newSuppressions"] = [];
  if (before.findings.size > 0 && after.findings.size > 0) {
    for (const [environment, findings] of after.findings) {
      const previous = new Set((before.findings.get(environment) ?? []).map(findingKey));
      for (const group of groupFindings(findings)) {
        const [first] = group;
        if (previous.has(findingKey(first!))) continue;
        if (!first!.suppressed && rulesRunByDiff.has(first!.rule)) continue;
        const service = first!.service ?? null;
        const resources = group.map((f) => f.resource).filter((r): r is string => typeof r === "string");
        if (first!.suppressed) {
          if (service !== null) newSuppressions.push({ service, rule: first!.rule, environment });
          risks.push({
            kind: "security-relaxation",
            code: "new-suppression",
            environment,
            service,
            resources,
            reason: `suppresses guardrail ${first!.rule}: "${first!.reason ?? "no reason given"}"`,
            change: {
              what: `guardrail ${first!.rule}`,
              before: "in force",
              after: `suppressed: "${first!.reason ?? "no reason given"}"`,
            },
          });
        } else {
          const more = group.length > 1 ? ` (and ${group.length - 1} more of its resources)` : "";
          risks.push({
            kind: "security-relaxation",
            code: "new-guardrail-finding",
            environment,
            service,
            resources,
            reason: `guardrail ${first!.rule} (${first!.level}) now reports: ${first!.message ?? "a finding"}${more}`,
            change: {
              what: `guardrail ${first!.rule} (${first!.level})`,
              before: "passes",
              after: `fails: ${first!.message ?? "a finding"}${more}`,
            },
          });
        }
      }
    }
    return { risks, newSuppressions };
  }
  for (const [service, rules] of after.suppressions) {
    const previous = before.suppressions.get(service) ?? new Map<string, string>();
    for (const [rule, reason] of rules) {
      if (previous.has(rule)) continue;
      newSuppressions.push({ service, rule, environment: null });
      risks.push({
        kind: "security-relaxation",
        code: "new-suppression",
        environment: null,
        service,
        resources: [],
        reason: `suppresses guardrail ${rule}: "${reason}"`,
        change: { what: `guardrail ${rule}`, before: "in force", after: `suppressed: "${reason}"` },
      });
    }
  }
  return { risks, newSuppressions };
}

/** One finding's identity across sides: rule, service, and whether it is suppressed (not the resource: names change). */
function findingKey(finding: GuardrailFinding): string {
  return `${finding.rule}|${finding.service ?? ""}|${finding.suppressed ? "suppressed" : "reported"}`;
}

/** Findings with the same key, together, in the order they first appear. */
function groupFindings(findings: readonly GuardrailFinding[]): GuardrailFinding[][] {
  const groups = new Map<string, GuardrailFinding[]>();
  for (const finding of findings) {
    const group = groups.get(findingKey(finding));
    if (group) group.push(finding);
    else groups.set(findingKey(finding), [finding]);
  }
  return [...groups.values()];
}
