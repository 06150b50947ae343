import type { Construct } from "constructs";
import { Aspects, TerraformDataSource, TerraformElement, TerraformOutput, TerraformResource, TerraformStack, deepMerge, forgetTokensFrom, forgetValidatedProviders, nextTokenNumber } from "./cdk.js";
import type { Environment } from "./environments.js";
import { GuardrailsAspect, ruleEnvironmentOf, suppressionsOf, type GuardrailsRun, type StackJson } from "./guardrails/index.js";
import type { Catalogue } from "./spec/model.js";
import { PlatformStackSynthesizer } from "./platform-stack-synthesizer.js";
import { configureStateBackend } from "./state-backend.js";
import { renderMonitoring, type RenderedMonitoring } from "./monitoring/monitoring-files.js";
import { literalArguments } from "./terraform-literals.js";
import { resolveStackValue } from "./token-resolution.js";
import { DockerTarget } from "./targets/docker/docker-target.js";
import { KubernetesTarget } from "./targets/kubernetes/kubernetes-target.js";

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
export class PlatformStack extends TerraformStack {
  readonly environment: Environment;
  /** The JSON the guardrails checked at this synth, rendered once and handed to the synthesizer. */
  private checkedJson?: StackJson;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props.environment.name);
    this.environment = props.environment;
    configureStateBackend(this, props.environment.backend);
    const guardrails = new GuardrailsAspect(this, {
      run: props.guardrails,
      environment: ruleEnvironmentOf(props.environment, props.catalogue),
      suppressions: suppressionsOf(props.catalogue),
      onChecked: (json) => (this.checkedJson = json),
    });
    Aspects.of(this).add(guardrails);
    const { buildAtSynth } = props;
    if (!buildAtSynth) {
      this.buildTarget(props, props.monitoring ?? renderMonitoring(props.environment, props.catalogue));
      this.synthesizer = new PlatformStackSynthesizer(this);
      return;
    }
    let target: Construct | undefined;
    let firstToken = 0;
    this.synthesizer = new PlatformStackSynthesizer(this, {
      before: () => {
        firstToken = nextTokenNumber();
        const monitoring = props.monitoring ?? renderMonitoring(props.environment, props.catalogue);
        target = this.buildTarget(props, monitoring);
        buildAtSynth(monitoring);
      },
      after: () => {
        // Nothing else may hold the target: cdktf's token map forgets the tokens
        // made for it (the stacks never reference each other), its provider check the
        // provider it found, the guardrails the construct they waited for; the stack
        // JSON was handed over already.
        if (target) this.node.tryRemoveChild(target.node.id);
        target = undefined;
        forgetTokensFrom(firstToken);
        forgetValidatedProviders(this);
        guardrails.forgetVisitedConstructs();
      },
    });
  }

  private buildTarget(props: PlatformStackProps, monitoring: RenderedMonitoring): Construct {
    if (props.environment.target === "kubernetes") {
      return new KubernetesTarget(this, "kubernetes", { environment: props.environment, catalogue: props.catalogue, monitoring });
    }
    return new DockerTarget(this, "docker", { environment: props.environment, catalogue: props.catalogue, monitoringFiles: monitoring.files });
  }

  /**
   * The stack's Terraform JSON. During synth the guardrails render it just before the
   * synthesizer does; rendering is the costliest step of synth, so the synthesizer's
   * call takes that JSON (once) instead of rendering again.
   */
  override toTerraform(): any {
    const checked = this.checkedJson;
    this.checkedJson = undefined;
    return checked ?? this.render();
  }

  /**
   * cdktf resolves every element once before synthesis to discover cross-stack
   * references, then again to synthesize. These stacks never reference each other and
   * always declare their backend, so the first pass is skipped: synth does its work once.
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * The stack's Terraform JSON, as cdktf 0.21's own `toTerraform` makes it, but resolving
   * each element once: cdktf resolves every element's fragment and then the merged
   * whole a second time, although only the stack-level overrides can still hold tokens.
   * The output is byte-identical (a test compares it), in about three quarters of the time.
   */
  private render(): any {
    // Private in cdktf's typings, read as cdktf's own toTerraform reads them.
    const { cdktfVersion, rawOverrides } = this as unknown as { cdktfVersion: string; rawOverrides: Record<string, unknown> };
    const elements = this.node.findAll().filter((node): node is TerraformElement => TerraformElement.isTerraformElement(node) && node.cdktfStack === this);
    const metadata = {
      version: cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(rawOverrides).length > 0 ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
    };
    for (const element of elements) deepMerge(metadata, resolveStackValue(this, element.toMetadata()));
    const outputs = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      deepMerge(outputs, element.node.path.split("/").reduceRight<any>((inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }), {}));
    }
    const tf: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements) mergeResolved(tf, resolveStackValue(this, toTerraformWithLiteralArguments(element)) as Record<string, unknown>);
    deepMerge(tf, resolveStackValue(this, rawOverrides));
    return tf;
  }
}

/**
 * `element.toTerraform()`, with every plain string of the arguments its construct gave
 * a resource or data source made a literal (see terraform-literals.ts): its own
 * `synthesizeAttributes` is wrapped for the one call, so that the meta-arguments and the
 * escape-hatch overrides cdktf merges in afterwards stay as they are.
 */
function toTerraformWithLiteralArguments(element: TerraformElement): unknown {
  if (!TerraformResource.isTerraformResource(element) && !TerraformDataSource.isTerraformDataSource(element)) return element.toTerraform();
  // Protected in cdktf's typings; every resource and data source class has it.
  const arguments_ = element as unknown as { synthesizeAttributes(): Record<string, unknown> };
  const own = arguments_.synthesizeAttributes;
  const ownProperty = Object.hasOwn(element, "synthesizeAttributes");
  arguments_.synthesizeAttributes = () => literalArguments(own.call(element));
  try {
    return element.toTerraform();
  } finally {
    if (ownProperty) arguments_.synthesizeAttributes = own;
    else delete (arguments_ as { synthesizeAttributes?: unknown }).synthesizeAttributes;
  }
}

/**
 * cdktf's `deepMerge` for a value `resolveStackValue` made: the same result, without
 * copying it once more. `deepMerge` copies each object it merges into a place that has
 * none, key by key (to drop `undefined` and keep tokens whole); a resolved value has
 * neither, and nothing else holds it, so it takes the place as it is. Objects that meet
 * are merged and arrays that meet are joined, as `deepMerge` does.
 */
function mergeResolved(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const existing = target[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) mergeResolved(existing as Record<string, unknown>, value as Record<string, unknown>);
      else if (typeof existing === "object" && existing !== null) deepMerge(existing, value);
      else target[key] = value;
    } else if (Array.isArray(value) && Array.isArray(existing)) {
      target[key] = [...existing, ...value];
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}
