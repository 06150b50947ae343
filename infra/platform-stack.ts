import type { Construct } from "constructs";
import { Aspects } from "./engine/cdk.js";
import { adjustmentAspects, type Adjustment } from "./adjustments.js";
import { EngineStack } from "./engine/engine-stack.js";
import type { Environment } from "./environments.js";
import type { ImagesLock } from "./images-lock.js";
import { GuardrailsCheck, ruleEnvironmentOf, suppressionsOf, type GuardrailsRun } from "./guardrails/index.js";
import type { Catalogue } from "./spec/model.js";
import { configureStateBackend } from "./state-backend.js";
import { renderMonitoring, type RenderedMonitoring } from "./monitoring/monitoring-files.js";
import { buildTarget } from "./targets/index.js";

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  readonly environment: Environment;
  /** The services, resolved for this environment. */
  readonly catalogue: Catalogue;
  /**
   * The environment's monitoring, rendered once (see `renderMonitoring`).
   * @default - rendered by the stack from the catalogue
   */
  readonly monitoring?: RenderedMonitoring;
  /**
   * The platform team's adjustments: aspects that change the generated resources; the
   * guardrails check the stack after every aspect ran, so they check what they made.
   * @default - none
   */
  readonly adjustments?: readonly Adjustment[];
  /**
   * The digests of the pushed images (`images.lock.json`), for the Kubernetes Deployments.
   * @default EMPTY_IMAGES_LOCK - every image by its tag
   */
  readonly imageLock?: ImagesLock;
  /** The app's guardrails run, which checks this stack at synth and collects its findings. */
  readonly guardrails: GuardrailsRun;
  /**
   * Builds the stack's target (and renders its monitoring) only when the stack is
   * synthesized, hands the monitoring to this function once the target is built, and
   * lets go of the target once `cdk.tf.json` is written. An app of several
   * environments then holds one environment's constructs and files at a time instead
   * of all of them. Until synth the stack has only its backend, and after synth it has
   * nothing to render again.
   * @default undefined - the target is built in the constructor and kept
   */
  readonly buildAtSynth?: (monitoring: RenderedMonitoring) => void;
}

/**
 * One environment: its state backend and its target (Docker or Kubernetes) with every
 * service of the catalogue, checked by the guardrails at synth. The stack id is the
 * environment name, so it synthesizes to `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
export class PlatformStack extends EngineStack {
  readonly environment: Environment;
  /** The guardrails' check of this stack, run once every aspect has visited it. */
  private readonly guardrails: GuardrailsCheck;

  constructor(scope: Construct, props: PlatformStackProps) {
    const { buildAtSynth } = props;
    super(
      scope,
      props.environment.name,
      buildAtSynth && {
        build: () => {
          const monitoring = props.monitoring ?? renderMonitoring(props.environment, props.catalogue);
          const target = this.buildTarget(props, monitoring);
          buildAtSynth(monitoring);
          return target;
        },
      },
    );
    this.environment = props.environment;
    configureStateBackend(this, props.environment.backend);
    for (const aspect of adjustmentAspects(props.adjustments ?? [], props.environment)) Aspects.of(this).add(aspect);
    this.guardrails = new GuardrailsCheck(this, {
      run: props.guardrails,
      environment: ruleEnvironmentOf(props.environment, props.catalogue),
      suppressions: suppressionsOf(props.catalogue),
      onChecked: (json) => this.renderedForSynthesis(json),
    });
    if (!buildAtSynth)
      this.buildTarget(props, props.monitoring ?? renderMonitoring(props.environment, props.catalogue));
  }

  /** The guardrails check the stack once every aspect (the team's adjustments, any other) has visited it. */
  protected override afterAspects(): void {
    this.guardrails.check();
  }

  private buildTarget(props: PlatformStackProps, monitoring: RenderedMonitoring): Construct {
    return buildTarget(this, {
      environment: props.environment,
      catalogue: props.catalogue,
      monitoring,
      imageLock: props.imageLock,
    });
  }
}
