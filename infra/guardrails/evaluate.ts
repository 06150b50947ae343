import { PlatformError } from "../platform-error.js";
import type { Suppression } from "../spec/model.js";
import type { GuardrailLevel, GuardrailRule, ResourceRule, RuleEnvironment, RuleOutcome } from "./rule.js";
import { GUARDRAIL_RULES } from "./rules/index.js";
import { SynthesizedStack, type StackJson, type SynthesizedResource } from "./synthesized-stack.js";

/** Address of the findings of stack rules (TF-01): the stack's `terraform` block. */
export const TERRAFORM_BLOCK_ADDRESS = "terraform";

/** One thing a rule found, where, and whether a service's spec suppressed it. */
export interface Finding {
  /** A rule id (`K8S-04`), or `suppression` for a problem with a suppression itself. */
  readonly rule: string;
  readonly level: GuardrailLevel;
  /** The environment, or `all` for a finding about every environment (a suppression). */
  readonly environment: string;
  /** The service the resource belongs to; undefined for the environment's own resources. */
  readonly service?: string;
  /** `<type>.<logical id>` as in the JSON (`terraform` for the backend). */
  readonly resource: string;
  /** The construct path, to annotate the construct; "" when unknown. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  readonly suppressed: boolean;
  /** Why it is suppressed (from the service spec). */
  readonly reason?: string;
}

/** A rule that threw instead of answering: a bug in the rule, named with where it ran. */
export class GuardrailRuleError extends PlatformError {
  constructor(
    readonly rule: string,
    where: string,
    cause: unknown,
  ) {
    super(
      "GUARDRAIL_RULE_FAILED",
      `guardrail rule ${rule} threw on ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * The findings of one stack, before suppressions. A rule that throws, or answers
 * something that is not an outcome, fails the check with a {@link GuardrailRuleError}
 * that names it and where it ran.
 */
export function evaluateStack(
  stack: SynthesizedStack,
  environment: RuleEnvironment,
  rules: readonly GuardrailRule[] = GUARDRAIL_RULES,
): Finding[] {
  const context = { environment, stack };
  const findings: Finding[] = [];
  // The rule at work and its resource, for the error when it fails (kept in variables,
  // not a closure per check: this loop runs rules x resources times).
  let rule: GuardrailRule | undefined;
  let resource: SynthesizedResource | undefined;
  try {
    const rulesByType = new Map<string, ResourceRule[]>();
    const resourceRules = rules.filter((candidate): candidate is ResourceRule => candidate.scope === "resource");
    for (resource of stack.resources) {
      const type = resource.type;
      let applicable = rulesByType.get(type);
      if (applicable === undefined) {
        applicable = [];
        for (rule of resourceRules) if (rule.appliesTo(type)) applicable.push(rule);
        rulesByType.set(type, applicable);
      }
      for (rule of applicable) {
        const outcome = checkedOutcome(rule.check(resource, context));
        if (outcome.status !== "non-compliant") continue;
        for (const problem of outcome.problems)
          findings.push(
            findingOf(rule, problem, environment, {
              service: resource.service,
              resource: resource.address,
              path: resource.path,
            }),
          );
      }
    }
    resource = undefined;
    for (rule of rules) {
      if (rule.scope !== "stack") continue;
      const outcome = checkedOutcome(rule.check(context));
      if (outcome.status !== "non-compliant") continue;
      for (const problem of outcome.problems)
        findings.push(findingOf(rule, problem, environment, { resource: TERRAFORM_BLOCK_ADDRESS, path: "" }));
    }
  } catch (error) {
    if (rule === undefined) throw error;
    const where =
      resource === undefined ? `the stack of ${environment.name}` : `${resource.address} in ${environment.name}`;
    throw new GuardrailRuleError(rule.id, where, error);
  }
  return findings;
}

/**
 * `outcome` when it is one a rule may answer; a TypeError saying what it is otherwise
 * (a team's rule written `async`, a misspelt status), which the caller names the rule in.
 */
function checkedOutcome(outcome: RuleOutcome): RuleOutcome {
  const status = (outcome as { status?: unknown } | null | undefined)?.status;
  if (status === "compliant" || status === "not-applicable") return outcome;
  if (status === "non-compliant" && Array.isArray((outcome as { problems?: unknown }).problems)) return outcome;
  if (typeof (outcome as { then?: unknown } | null | undefined)?.then === "function")
    throw new TypeError("check returned a Promise; a rule's check must be synchronous");
  throw new TypeError(
    `check returned ${JSON.stringify(outcome) ?? String(outcome)}; accepted: { status: "compliant" }, { status: "not-applicable" } or { status: "non-compliant", problems: [...] }`,
  );
}

/** An unsuppressed finding of `rule`; a problem the rule could not verify is a warning. */
function findingOf(
  rule: GuardrailRule,
  problem: { readonly message: string; readonly fix: string; readonly unverifiable?: boolean },
  environment: RuleEnvironment,
  where: Pick<Finding, "service" | "resource" | "path">,
): Finding {
  return {
    rule: rule.id,
    level: problem.unverifiable ? "warning" : rule.level,
    environment: environment.name,
    ...where,
    message: problem.message,
    fix: problem.fix,
    suppressed: false,
  };
}

/**
 * Checks a stack's synthesized JSON (`cdk.tf.json`, or `stack.toTerraform()`) and
 * applies the services' suppressions: what the aspect does at synth, runnable on JSON
 * a test or a tool holds.
 */
export function checkStackJson(
  json: StackJson,
  environment: RuleEnvironment,
  suppressions: ReadonlyMap<string, readonly Suppression[]> = new Map(),
  rules: readonly GuardrailRule[] = GUARDRAIL_RULES,
): Finding[] {
  return applySuppressions(evaluateStack(new SynthesizedStack(json), environment, rules), suppressions);
}

/**
 * Marks the findings a service's spec suppresses (same service, same rule), with the
 * spec's reason. A suppression never reaches another service's findings.
 */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: ReadonlyMap<string, readonly Suppression[]>,
): Finding[] {
  return findings.map((finding) => {
    const suppression =
      finding.service === undefined
        ? undefined
        : suppressions.get(finding.service)?.find((s) => s.rule === finding.rule);
    return suppression ? { ...finding, suppressed: true, reason: suppression.reason } : finding;
  });
}

/** True when the finding fails synth: an error nobody suppressed. */
export function isBlocking(finding: Finding): boolean {
  return finding.level === "error" && !finding.suppressed;
}
