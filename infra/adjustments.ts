import type { IConstruct } from "constructs";
import { TerraformResource, type IAspect } from "./engine/cdk.js";
import type { Environment } from "./environments.js";
import { PlatformError } from "./platform-error.js";

/**
 * A platform team's change to the generated resources, without editing `infra/`: a
 * cdktf Aspect that visits every construct of each environment's stack before the
 * guardrails check it (so they check what it made). One per file,
 * `extensions/adjustments/<name>.ts`, `export default defineAdjustment({...})`.
 */
export interface Adjustment {
  /** A name for messages: lower-case letters, digits and '-' (`company-annotations`). */
  readonly name: string;
  /** What it changes, in one line. */
  readonly description: string;
  /**
   * The environments it applies to.
   * @default - every environment
   */
  readonly environments?: readonly string[];
  /** Changes `node` (a construct of the stack of `environment`) where it needs to. */
  visit(node: IConstruct, environment: Environment): void;
}

/** An adjustment that cannot be used: what is wrong, one line per problem. */
export class AdjustmentError extends PlatformError {
  constructor(readonly problems: readonly string[]) {
    super("ADJUSTMENT_INVALID", problems.join("\n"));
  }
}

const ADJUSTMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Declares an adjustment, checked at once (name, description, environments, visit) and
 * frozen. Environment names are checked against the environments at synth.
 */
export function defineAdjustment(adjustment: Adjustment): Adjustment {
  const problems: string[] = [];
  const name = typeof adjustment?.name === "string" ? adjustment.name : JSON.stringify(adjustment?.name);
  if (typeof adjustment?.name !== "string" || !ADJUSTMENT_NAME.test(adjustment.name))
    problems.push(
      `adjustment ${name}: name must be lower-case letters, digits and '-', starting with a letter, like company-annotations`,
    );
  if (typeof adjustment?.description !== "string" || adjustment.description.trim().length === 0)
    problems.push(`adjustment ${name}: description must say in one line what it changes`);
  if (typeof adjustment?.visit !== "function")
    problems.push(`adjustment ${name}: visit must be a function (node, environment) => void`);
  if (
    adjustment?.environments !== undefined &&
    (!Array.isArray(adjustment.environments) || adjustment.environments.some((e) => typeof e !== "string"))
  ) {
    problems.push(`adjustment ${name}: environments must be a list of environment names`);
  }
  if (problems.length > 0) throw new AdjustmentError(problems);
  // Frozen as it is (a copy would lose the methods of an adjustment made from a class).
  if (adjustment.environments) Object.freeze(adjustment.environments);
  return Object.freeze(adjustment);
}

/** The aspects of `adjustments` that apply to `environment`, in order. */
export function adjustmentAspects(adjustments: readonly Adjustment[], environment: Environment): IAspect[] {
  return adjustments
    .filter((adjustment) => adjustment.environments === undefined || adjustment.environments.includes(environment.name))
    .map((adjustment) => ({ visit: (node: IConstruct) => adjustment.visit(node, environment) }));
}

/** Problems of adjustments that name environments that do not exist. */
export function unknownEnvironments(
  adjustments: readonly { file: string; adjustment: Adjustment }[],
  known: readonly string[],
): string[] {
  return adjustments.flatMap(({ file, adjustment }) =>
    (adjustment.environments ?? [])
      .filter((environment) => !known.includes(environment))
      .map(
        (environment) =>
          `${file}: adjustment ${adjustment.name}: environments names ${JSON.stringify(environment)}, which is not an environment; known environments: ${known.join(", ")}`,
      ),
  );
}

/**
 * Whether `node` is a resource of that Terraform type (`kubernetes_deployment_v1`), so
 * that an adjustment can change it with `addOverride` without importing the engine.
 */
export function isResourceOfType(node: IConstruct, type: string): node is TerraformResource {
  return TerraformResource.isTerraformResource(node) && node.terraformResourceType === type;
}
