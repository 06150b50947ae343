import type { IConstruct } from "constructs";
import { Annotations, type TerraformStack } from "../engine/cdk.js";
import { isBlocking, type Finding } from "./evaluate.js";
import type { GuardrailRule } from "./rule.js";
import { GUARDRAIL_RULES } from "./rules/index.js";
import type { GuardrailsRun, StackCheck } from "./guardrails-run.js";
import { formatFinding } from "./report.js";
import type { StackJson } from "./synthesized-stack.js";

/** Props of {@link GuardrailsCheck}. */
export interface GuardrailsCheckProps extends StackCheck {
  /** The app's run, which collects every stack's findings. */
  readonly run: GuardrailsRun;
  /**
   * Receives the JSON the rules checked, so the stack can hand the same JSON to the
   * synthesizer instead of rendering itself a second time. Called only when every rule
   * is one of the platform's own, which read the JSON without changing it (a team
   * pack's rule could change what the synthesizer then writes).
   * @default - the JSON is not shared
   */
  readonly onChecked?: (json: StackJson) => void;
}

/**
 * The guardrail rules on one stack. The stack runs `check()` once, when every aspect has
 * visited its tree (the team's adjustments, any other): the rules read the stack's final
 * JSON (escape-hatch overrides included, tokens rendered as `${...}`), whatever the
 * aspects added, removed or changed. Each finding becomes an annotation on the
 * resource's construct (the stack's for the backend and the suppressions): an error
 * annotation for an unsuppressed error, which makes `cdktf synth` fail, a warning
 * annotation for a warning. Suppressed findings are only in the report.
 */
export class GuardrailsCheck {
  constructor(
    private readonly stack: TerraformStack,
    private readonly props: GuardrailsCheckProps,
  ) {
    props.run.expect(props.environment.name);
  }

  /** Checks the stack as it is now, records the findings in the run, and annotates them. */
  check(): void {
    const json = this.stack.toTerraform() as StackJson;
    if (this.props.onChecked && this.props.run.rules.every((rule) => PLATFORM_RULES.has(rule)))
      this.props.onChecked(json);
    const findings = this.props.run.check(json, this.props);
    for (const finding of findings) this.annotate(finding);
  }

  private annotate(finding: Finding): void {
    if (finding.suppressed) return;
    const target = Annotations.of(this.constructAt(finding.path) ?? this.stack);
    if (isBlocking(finding)) target.addError(formatFinding(finding));
    else target.addWarning(formatFinding(finding));
  }

  /** The construct at a path of this stack (`staging/kubernetes/orders/workload/deployment`). */
  private constructAt(path: string): IConstruct | undefined {
    const segments = path.split("/");
    if (segments[0] !== this.stack.node.id) return undefined;
    let current: IConstruct | undefined = this.stack;
    for (const segment of segments.slice(1)) current = current?.node.tryFindChild(segment);
    return current;
  }
}

/** The platform's own rules, which read the JSON without changing it. */
const PLATFORM_RULES: ReadonlySet<GuardrailRule> = new Set(GUARDRAIL_RULES);
