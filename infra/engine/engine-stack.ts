import type { Construct } from "constructs";
import {
  TerraformDataSource,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  deepMerge,
  forgetTokensFrom,
  forgetValidatedProviders,
  nextTokenNumber,
} from "./cdk.js";
import { PlatformStackSynthesizer } from "./stack-synthesizer.js";
import { literalArguments } from "./terraform-literals.js";
import { resolveStackValue } from "./token-resolution.js";

/**
 * The synth engine's stack: what makes a synth fast and lean, apart from what the
 * platform's stacks hold. A stack that extends it
 * - renders its Terraform JSON resolving each element once, with every plain string of a
 *   resource's arguments made a literal (`terraform-literals.ts`);
 * - can hand the JSON it rendered for a check (the guardrails) to the synthesizer, which
 *   then does not render it again (`renderedForSynthesis`);
 * - writes `cdk.tf.json` with the engine's serializer (`stack-synthesizer.ts`);
 * - can build its constructs only when synth reaches it and let go of them, and of every
 *   token cdktf made for them, once its `cdk.tf.json` is written ({@link BuiltAtSynth}).
 * Everything here reads cdktf 0.21's internals through `cdk.ts`: a move to cdktf's
 * continuation changes this folder, not the platform.
 */

/** The constructs a stack builds only when synth reaches it. */
export interface BuiltAtSynth {
  /** Builds them as one child of the stack, and returns that child. */
  build(): Construct;
  /**
   * Lets go of anything else that still holds them, once the child is removed and its
   * tokens are forgotten.
   * @default - nothing else holds them
   */
  release?(): void;
}

/** A stack synthesized by the engine (see the module's comment). */
export abstract class EngineStack extends TerraformStack {
  /** The JSON rendered for a check at this synth, handed once to the synthesizer. */
  private rendered?: unknown;

  /**
   * @param builtAtSynth builds the stack's constructs at synth, and lets go of them after;
   * undefined: the subclass builds them in its constructor, and they are kept
   */
  constructor(scope: Construct, id: string, builtAtSynth?: BuiltAtSynth) {
    super(scope, id);
    const afterAspects = () => this.afterAspects();
    if (!builtAtSynth) {
      this.synthesizer = new PlatformStackSynthesizer(this, { afterAspects });
      return;
    }
    let built: Construct | undefined;
    let firstToken = 0;
    this.synthesizer = new PlatformStackSynthesizer(this, {
      before: () => {
        firstToken = nextTokenNumber();
        built = builtAtSynth.build();
      },
      afterAspects,
      after: () => {
        // Nothing else may hold the built constructs: cdktf's token map forgets the
        // tokens made for them (the stacks never reference each other), its provider
        // check the provider it found; the stack JSON was handed over already.
        if (built) this.node.tryRemoveChild(built.node.id);
        built = undefined;
        forgetTokensFrom(firstToken);
        forgetValidatedProviders(this);
        builtAtSynth.release?.();
      },
    });
  }

  /**
   * Runs at synth once every aspect has visited the stack, before validation: where a
   * subclass checks the stack's final JSON.
   */
  protected afterAspects(): void {}

  /**
   * Hands the JSON that a check rendered at this synth (with `toTerraform()`, just before
   * the synthesizer) to the synthesizer, whose own `toTerraform()` call then takes it
   * instead of rendering again: rendering is the costliest step of synth.
   */
  protected renderedForSynthesis(json: unknown): void {
    this.rendered = json;
  }

  /**
   * The stack's Terraform JSON. During synth the guardrails render it just before the
   * synthesizer does; rendering is the costliest step of synth, so the synthesizer's
   * call takes that JSON (once) instead of rendering again.
   */
  override toTerraform(): Record<string, unknown> {
    const rendered = this.rendered;
    this.rendered = undefined;
    return (rendered as Record<string, unknown> | undefined) ?? this.render();
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
  private render(): Record<string, unknown> {
    // Private in cdktf's typings, read as cdktf's own toTerraform reads them.
    const { cdktfVersion, rawOverrides } = this as unknown as {
      cdktfVersion: string;
      rawOverrides: Record<string, unknown>;
    };
    const elements = this.node
      .findAll()
      .filter(
        (node): node is TerraformElement => TerraformElement.isTerraformElement(node) && node.cdktfStack === this,
      );
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
      deepMerge(
        outputs,
        element.node.path
          .split("/")
          .reduceRight<unknown>((inner, part) => ({ [part]: inner }), element.friendlyUniqueId),
      );
    }
    const tf: Record<string, unknown> = { "//": { metadata, outputs } };
    for (const element of elements)
      mergeResolved(tf, resolveStackValue(this, toTerraformWithLiteralArguments(element)) as Record<string, unknown>);
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
  if (!TerraformResource.isTerraformResource(element) && !TerraformDataSource.isTerraformDataSource(element))
    return element.toTerraform();
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
      if (typeof existing === "object" && existing !== null && !Array.isArray(existing))
        mergeResolved(existing as Record<string, unknown>, value as Record<string, unknown>);
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
