import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ConstructOrder } from "constructs";
import {
  StackSynthesizer,
  ValidateTerraformVersion,
  encounteredAnnotationWithLevelError,
  invokeAspects,
  type ISynthesisSession,
  type TerraformStack,
} from "./cdk.js";
import { writeStableJson } from "./stable-json.js";
import { PlatformError } from "../platform-error.js";

/** The annotation levels of cdktf 0.21 (its `AnnotationMetadataEntryType`), which the manifest lists. */
const ANNOTATION_LEVELS = new Set(["@cdktf/info", "@cdktf/warn", "@cdktf/error"]);
const ERROR_LEVEL = "@cdktf/error";
/** Where cdktf 0.21 keeps a construct's custom synthesis (see its `addCustomSynthesis`). */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");

interface CustomSynthesis {
  onSynthesize(session: ISynthesisSession): void;
}

/** Whether cdktf's HCL output is asked for (SYNTH_HCL_OUTPUT, read as cdktf reads it). */
export function hclOutputRequested(): boolean {
  return process.env.SYNTH_HCL_OUTPUT === "true" || process.env.SYNTH_HCL_OUTPUT === "1";
}

/** Why SYNTH_HCL_OUTPUT is refused, for the synth to say. */
export const HCL_OUTPUT_REFUSED =
  "SYNTH_HCL_OUTPUT is not supported: the platform writes cdk.tf.json, the JSON its literal boundary and its guardrails work on; unset SYNTH_HCL_OUTPUT";

/** What a stack does around its own synthesis. */
export interface SynthesisSteps {
  /**
   * Runs first, before the aspects: a stack that builds its constructs only at synth builds them here.
   * @default - nothing
   */
  readonly before?: () => void;
  /**
   * Runs once every aspect has visited the stack, before validation: a check of the
   * stack's final JSON runs here.
   * @default - nothing
   */
  readonly afterAspects?: () => void;
  /**
   * Runs once `cdk.tf.json` is written: a stack that lets go of its constructs after synth does it here.
   * @default - nothing
   */
  readonly after?: () => void;
}

/**
 * Synthesizes a stack in the steps of cdktf 0.21's own `StackSynthesizer` (aspects,
 * validations, custom synthesis, annotations into the manifest, the error check, then
 * `cdk.tf.json`) but writes `cdk.tf.json` with {@link writeStableJson}: the same bytes
 * (a test compares them), several times faster, in pieces instead of one string of
 * tens of megabytes. HCL output (SYNTH_HCL_OUTPUT) is refused: cdktf renders it from
 * other attributes, past the literal boundary and what the guardrails checked.
 */
export class PlatformStackSynthesizer extends StackSynthesizer {
  private readonly continueOnErrors: boolean;
  private readonly hcl: boolean;

  constructor(
    stack: TerraformStack,
    private readonly steps: SynthesisSteps = {},
  ) {
    // The settings cdktf's TerraformStack gives its own synthesizer, from the same variables.
    const continueOnErrors = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
    const hcl = hclOutputRequested();
    super(stack, continueOnErrors, hcl);
    this.continueOnErrors = continueOnErrors;
    this.hcl = hcl;
  }

  override synthesize(session: ISynthesisSession): void {
    // cdktf's HCL output renders each resource from its HCL attributes, past the literal
    // boundary (terraform-literals.ts) and past what the guardrails checked: refused.
    if (this.hcl) throw new PlatformError("OUTPUT_FORMAT_UNSUPPORTED", HCL_OUTPUT_REFUSED);
    this.steps.before?.();
    try {
      this.synthesizeJson(session);
    } finally {
      // Also when the synth fails: the built constructs and their tokens are let go of.
      this.steps.after?.();
    }
  }

  private synthesizeJson(session: ISynthesisSession): void {
    const stack = this.stack;
    invokeAspects(stack);
    this.steps.afterAspects?.();
    if (stack.hasResourceMove()) {
      stack.node.addValidation(
        new ValidateTerraformVersion(
          ">=1.5",
          "Resource move functionality is only supported for Terraform >=1.5. Please upgrade your Terraform version.",
        ),
      );
    }
    if (!session.skipValidation) stack.runAllValidations();

    const stackManifest = session.manifest.forStack(stack);
    const workingDirectory = path.join(session.outdir, stackManifest.workingDirectory);
    if (!existsSync(workingDirectory)) mkdirSync(workingDirectory);
    for (const construct of stack.node.findAll(ConstructOrder.POSTORDER)) {
      (construct as unknown as Record<symbol, CustomSynthesis | undefined>)[CUSTOM_SYNTHESIS]?.onSynthesize(session);
    }
    const annotations = stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => ANNOTATION_LEVELS.has(entry.type))
        .map((entry) => ({
          constructPath: construct.node.path,
          level: entry.type,
          message: entry.data,
          stacktrace: entry.trace,
        })),
    );
    // Read-only for everyone else: the synthesizer is where cdktf fills it in.
    (stackManifest as { annotations: unknown }).annotations = annotations;
    const errors = annotations.filter((annotation) => annotation.level === ERROR_LEVEL);
    if (!this.continueOnErrors && errors.length > 0) {
      throw encounteredAnnotationWithLevelError(
        errors.map((annotation) => `[${annotation.constructPath}] ${annotation.message}`).join("\n"),
      );
    }
    writeStableJson(path.join(session.outdir, stackManifest.synthesizedStackPath), stack.toTerraform());
  }
}
