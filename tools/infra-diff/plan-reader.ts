import { existsSync, readFileSync } from "node:fs";
import { diffAttributes } from "./attribute-diff.js";
import { BadInputError } from "./checkouts.js";
import type { EnvironmentDiff, ResourceAction, ResourceChange } from "./resource-changes.js";
import { ownerOf, type ConfigBlock, type StackSnapshot } from "./stack-snapshot.js";
import { isObject, type JsonObject } from "./values.js";

/**
 * Reads a Terraform plan (`terraform show -json <planfile>`) of one environment into
 * the same shape as a synthesized diff, so that the same grouping and risk rules
 * apply: the plan's actions replace the predicted ones, its `replace_paths` say what
 * forces a replacement, and values it marks sensitive are never shown.
 *
 * A plan names resources by address only. Their service comes from the synthesized
 * stack of that environment when one is at hand (the `//` construct path of the block
 * with that address), otherwise from the address's name, which cdktf derives from the
 * construct path: `<target>_<service>_<concern>_<resource>[_<HASH>]` (see
 * {@link ownerOf}). Name resources of hand-written configurations the same way to
 * group them by service.
 */

interface PlannedChange {
  readonly address: string;
  readonly mode?: string;
  readonly type: string;
  readonly name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  };
  readonly action_reason?: string;
}

/** Sentences for the plan's `action_reason` of a replacement. */
const REPLACEMENT_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "the resource is tainted",
  replace_by_request: "replacement was requested (-replace)",
  replace_by_triggers: "a replace_triggered_by reference changed",
};

/** Reads and checks a plan file. */
export function readPlanFile(file: string, environment: string): PlannedChange[] {
  if (!existsSync(file)) throw new BadInputError(`--plan ${environment}=${file}: no such file`);
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BadInputError(`--plan ${environment}=${file}: not JSON (${(error as Error).message}); give the output of \`terraform show -json <planfile>\``);
  }
  if (!isObject(plan) || typeof plan.format_version !== "string") {
    throw new BadInputError(`--plan ${environment}=${file}: not a Terraform plan (no format_version); give the output of \`terraform show -json <planfile>\``);
  }
  const changes = plan.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new BadInputError(`--plan ${environment}=${file}: resource_changes is not a list`);
  return changes as PlannedChange[];
}

/**
 * The diff of one environment from its plan.
 * @param synthesized the synthesized stacks of the environment (head, then base), to find each address's construct path
 */
export function diffFromPlan(environment: string, planned: readonly PlannedChange[], synthesized: readonly (StackSnapshot | undefined)[]): EnvironmentDiff {
  const before = new Map<string, ConfigBlock>();
  const after = new Map<string, ConfigBlock>();
  const changes: ResourceChange[] = [];
  const notes: string[] = [];
  for (const entry of planned) {
    const data = entry.mode === "data";
    const known = synthesized.map((s) => s?.blocks.get(entry.address)).find((b) => b !== undefined);
    const constructPath = known?.constructPath;
    const owner = known?.owner ?? ownerOf(environment, entry.name, undefined);
    const block = (values: unknown, sensitive: unknown): ConfigBlock => ({
      address: entry.address,
      kind: data ? "data" : "resource",
      type: entry.type,
      constructPath,
      owner,
      values: (mask(values, sensitive) ?? {}) as JsonObject,
    });
    const { actions } = entry.change;
    if (isObject(entry.change.before)) before.set(entry.address, block(entry.change.before, entry.change.before_sensitive));
    if (isObject(entry.change.after) || actions.includes("create") || actions.includes("update")) {
      after.set(entry.address, block(entry.change.after, entry.change.after_sensitive));
    }
    const action = actionOf(actions);
    if (action === undefined) {
      if (actions.includes("forget")) notes.push(`${entry.address} is removed from the state without being destroyed (forget)`);
      continue;
    }
    const replacePaths = (entry.change.replace_paths ?? []).map((p) => p.filter((s): s is string => typeof s === "string").join("."));
    const attributes =
      action === "update" || action === "replace"
        ? diffAttributes(
            mask(entry.change.before, entry.change.before_sensitive),
            mask(entry.change.after, entry.change.after_sensitive),
            entry.change.after_unknown,
          ).map((a) => ({ ...a, forcesReplacement: replacePaths.some((p) => a.schemaPath === p || a.schemaPath.startsWith(`${p}.`)) }))
        : [];
    const reasons: string[] = [];
    if (action === "replace") {
      if (replacePaths.length > 0) reasons.push(`${replacePaths.join(", ")} cannot be updated in place`);
      const reason = entry.action_reason ? REPLACEMENT_REASONS[entry.action_reason] : undefined;
      if (reason) reasons.push(reason);
    }
    changes.push({ environment, address: entry.address, kind: data ? "data" : "resource", type: entry.type, constructPath, owner, action, replacementReasons: reasons, attributes });
  }
  return {
    environment,
    source: "plan",
    before: { environment, blocks: before },
    after: { environment, blocks: after },
    changes: changes.sort((a, b) => a.address.localeCompare(b.address)),
    notes,
  };
}

function actionOf(actions: readonly string[]): ResourceAction | undefined {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  return undefined;
}

/** The value with every part the plan marks sensitive replaced by "(sensitive)". */
function mask(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : "(sensitive)";
  if (Array.isArray(value)) return value.map((item, i) => mask(item, Array.isArray(sensitive) ? sensitive[i] : undefined));
  if (isObject(value)) {
    const masked: JsonObject = {};
    for (const [key, item] of Object.entries(value)) masked[key] = mask(item, isObject(sensitive) ? sensitive[key] : undefined);
    return masked;
  }
  return value;
}
