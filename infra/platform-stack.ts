import type { Construct } from "constructs";
import { Aspects, TerraformStack } from "./cdk.js";
import type { Environment } from "./environments.js";
import { GuardrailsAspect, ruleEnvironmentOf, suppressionsOf, type GuardrailsRun, type StackJson } from "./guardrails/index.js";
import type { Catalogue } from "./spec/index.js";
import { configureStateBackend } from "./state-backend.js";
import { KubernetesTarget } from "./targets/kubernetes/kubernetes-target.js";

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  readonly environment: Environment;
  /** The services, resolved for this environment. */
  readonly catalogue: Catalogue;
  /** The app's guardrails run, which checks this stack at synth and collects its findings. */
  readonly guardrails: GuardrailsRun;
}

/**
 * One environment: its state backend and its target (Docker or Kubernetes) with every
 * service of the catalogue, checked by the guardrails at synth. The stack id is the
 * environment name, so it synthesizes to `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
export class PlatformStack extends TerraformStack {
  readonly environment: Environment;
  /** The JSON the guardrails checked at this synth, rendered once and handed to the synthesizer. */
  private checkedJson?: StackJson;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props.environment.name);
    this.environment = props.environment;
    configureStateBackend(this, props.environment.backend);
    if (props.environment.target === "kubernetes") {
      new KubernetesTarget(this, "kubernetes", { environment: props.environment, catalogue: props.catalogue });
    }
    Aspects.of(this).add(
      new GuardrailsAspect(this, {
        run: props.guardrails,
        environment: ruleEnvironmentOf(props.environment, props.catalogue),
        suppressions: suppressionsOf(props.catalogue),
        onChecked: (json) => (this.checkedJson = json),
      }),
    );
  }

  /**
   * The stack's Terraform JSON. During synth the guardrails render it just before the
   * synthesizer does; rendering is the costliest step of synth, so the synthesizer's
   * call takes that JSON (once) instead of rendering again.
   */
  override toTerraform(): any {
    const checked = this.checkedJson;
    this.checkedJson = undefined;
    return checked ?? super.toTerraform();
  }
}
