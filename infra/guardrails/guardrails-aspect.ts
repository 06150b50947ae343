import type { IConstruct } from "constructs";
import { Annotations, Aspects, type IAspect, type TerraformStack } from "../engine/cdk.js";
import { isBlocking, type Finding } from "./evaluate.js";
import type { GuardrailsRun, StackCheck } from "./guardrails-run.js";
import { formatFinding } from "./report.js";
import type { StackJson } from "./synthesized-stack.js";

/** Props of {@link GuardrailsAspect}. */
export interface GuardrailsAspectProps extends StackCheck {
  /** The app's run, which collects every stack's findings. */
  readonly run: GuardrailsRun;
  /**
   * Receives the JSON the rules checked, so the stack can hand the same JSON to the
   * synthesizer instead of rendering itself a second time. Called only when nothing
   * else can change the stack after the check (no other aspect in the stack).
   * @default - the JSON is not shared
   */
  readonly onChecked?: (json: StackJson) => void;
}

/**
 * The guardrail rule pack as a cdktf Aspect on one stack. It checks the stack's final
 * JSON (escape-hatch overrides included, tokens rendered as `${...}`) once, when it
 * visits the last construct of the stack, that is after every other aspect visited the
 * rest of the tree. Each finding becomes an annotation on the resource's construct
 * (the stack's for the backend and the suppressions): an error annotation for an
 * unsuppressed error, which makes `cdktf synth` fail, a warning annotation for a
 * warning. Suppressed findings are only in the report.
 */
export class GuardrailsAspect implements IAspect {
  constructor(
    private readonly stack: TerraformStack,
    private readonly props: GuardrailsAspectProps,
  ) {
    props.run.expect(props.environment.name);
  }

  /** Found at the first visit: searching the tree at every visit cost a second per 500 services. */
  private last?: IConstruct;

  visit(node: IConstruct): void {
    this.last ??= lastConstructOf(this.stack);
    if (node !== this.last) return;
    const json = this.stack.toTerraform() as StackJson;
    if (this.props.onChecked && this.isOnlyAspect()) this.props.onChecked(json);
    const findings = this.props.run.check(json, this.props);
    for (const finding of findings) this.annotate(finding);
  }

  /** Lets go of the construct the aspect waited for, so that a stack can release its constructs after synth. */
  forgetVisitedConstructs(): void {
    this.last = undefined;
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

  private isOnlyAspect(): boolean {
    return this.stack.node.findAll().every((construct) => Aspects.of(construct).all.every((aspect) => aspect === this));
  }
}

/**
 * The construct cdktf visits last in the stack: aspects visit a tree parent first,
 * children in order, so the last child of the last child, down to a leaf.
 */
function lastConstructOf(stack: IConstruct): IConstruct {
  let current = stack;
  for (;;) {
    const children = current.node.children;
    if (children.length === 0) return current;
    current = children[children.length - 1]!;
  }
}
