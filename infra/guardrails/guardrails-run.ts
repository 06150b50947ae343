import type { Suppression } from "../spec/model.js";
import { isAddonsStackName } from "../stack-names.js";
import { applySuppressions, evaluateStack, type Finding } from "./evaluate.js";
import type { GuardrailRule, RuleEnvironment } from "./rule.js";
import { GUARDRAIL_RULES } from "./rules/index.js";
import { SynthesizedStack, type StackJson } from "./synthesized-stack.js";

/** The `rule` of a finding about a suppression itself (unknown rule, matches nothing). */
export const SUPPRESSION_FINDING_RULE = "suppression";
/** The `environment` of a finding that concerns every environment. */
export const ALL_ENVIRONMENTS = "all";

/** What the run needs to know of one stack before checking it. */
export interface StackCheck {
  readonly environment: RuleEnvironment;
  /** The suppressions of each service of the environment, by service name. */
  readonly suppressions: ReadonlyMap<string, readonly Suppression[]>;
}

/**
 * The guardrails of one app: every stack's findings, and the checks that need every
 * environment at once. A suppression that names no rule of the pack, or that matches
 * no finding of its service in any environment, is itself an error finding: a stale
 * exception would otherwise hide the next real problem.
 */
export class GuardrailsRun {
  private readonly expected = new Set<string>();
  private readonly results = new Map<string, Finding[]>();
  private readonly suppressionsByService = new Map<string, readonly Suppression[]>();
  private suppressionProblems: Finding[] = [];

  /** @param rules the rule pack @default GUARDRAIL_RULES - every rule of the catalogue */
  constructor(readonly rules: readonly GuardrailRule[] = GUARDRAIL_RULES) {}

  /** Declares a stack the run will check, so it knows when every environment is done. */
  expect(environment: string): void {
    this.expected.add(environment);
  }

  /**
   * Checks one stack's synthesized JSON and records its findings. Returns the findings
   * to report on this stack: its own and, once every expected stack was checked, the
   * suppression problems (which need all of them).
   */
  check(json: StackJson, stack: StackCheck): Finding[] {
    const { environment, suppressions } = stack;
    for (const [service, list] of suppressions) this.suppressionsByService.set(service, list);
    const findings = applySuppressions(
      evaluateStack(new SynthesizedStack(json), environment, this.rules),
      suppressions,
    );
    this.results.set(environment.name, findings);
    if (![...this.expected].every((name) => this.results.has(name))) return findings;
    this.suppressionProblems = this.findSuppressionProblems();
    return [...findings, ...this.suppressionProblems];
  }

  /** Every finding: each environment's, then the suppression problems. */
  get findings(): Finding[] {
    return [...[...this.results.values()].flat(), ...this.suppressionProblems];
  }

  /** The environments checked, in the order they were. */
  get environments(): string[] {
    return [...this.results.keys()];
  }

  /** One environment's findings, with the suppression problems (the content of its report). */
  findingsOf(environment: string): Finding[] {
    return [...(this.results.get(environment) ?? []), ...this.suppressionProblems];
  }

  /** The suppression problems (unknown rule, matching nothing), once every environment was checked. */
  get suppressionFindings(): readonly Finding[] {
    return this.suppressionProblems;
  }

  private findSuppressionProblems(): Finding[] {
    const known = new Set(this.rules.map((rule) => rule.id));
    const used = new Set<string>();
    for (const finding of [...this.results.values()].flat()) {
      if (finding.suppressed && finding.service !== undefined) used.add(`${finding.service}\u0000${finding.rule}`);
    }
    const problems: Finding[] = [];
    // The add-ons stacks hold no service: "any environment" names the others.
    const environments = [...this.results.keys()].filter((name) => !isAddonsStackName(name)).join(", ");
    for (const [service, suppressions] of [...this.suppressionsByService].sort(([a], [b]) => a.localeCompare(b))) {
      suppressions.forEach((suppression, index) => {
        const where = {
          rule: SUPPRESSION_FINDING_RULE,
          level: "error" as const,
          environment: ALL_ENVIRONMENTS,
          service,
          resource: `guardrails.suppress[${index}]`,
          path: "",
          suppressed: false,
        };
        if (!known.has(suppression.rule)) {
          problems.push({
            ...where,
            message: `suppresses ${suppression.rule}, which is not a guardrail rule`,
            fix: `name a rule of the pack (README, Guardrails): ${[...known].join(", ")}`,
          });
        } else if (!used.has(`${service}\u0000${suppression.rule}`)) {
          problems.push({
            ...where,
            message: `suppresses ${suppression.rule}, which finds nothing in ${service} in any environment (${environments})`,
            fix: "remove the suppression: the service now complies",
          });
        }
      });
    }
    return problems;
  }
}
