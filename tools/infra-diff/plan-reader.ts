import { existsSync, readFileSync } from "node:fs";
import { diffAttributes } from "./attribute-diff.js";
import { BadInputError } from "./checkouts.js";
import type { EnvironmentDiff, ResourceAction, ResourceChange } from "./resource-changes.js";
import { constructPathFromName, ownerOf, type ConfigBlock, type StackSnapshot } from "./stack-snapshot.js";
import { isObject, jsonEqual, type JsonObject } from "./values.js";

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
    const constructPath = known?.constructPath ?? constructPathFromName(environment, entry.name);
    const owner = known?.owner ?? ownerOf(environment, entry.name, undefined);
    const secrets = sensitiveValues(entry.change);
    const block = (values: unknown, sensitive: unknown): ConfigBlock => ({
      address: entry.address,
      kind: data ? "data" : "resource",
      type: entry.type,
      constructPath,
      owner,
      values: (redact(mask(values, sensitive), secrets) ?? {}) as JsonObject,
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
    const [maskedBefore, maskedAfter] = maskPair(entry.change.before, entry.change.after, entry.change.before_sensitive, entry.change.after_sensitive);
    const [shownBefore, shownAfter] = [redact(maskedBefore, secrets), redact(maskedAfter, secrets)];
    const attributes =
      action === "update" || action === "replace"
        ? diffAttributes(shownBefore, shownAfter, entry.change.after_unknown).map((a) => ({
            ...a,
            forcesReplacement: replacePaths.some((p) => a.schemaPath === p || a.schemaPath.startsWith(`${p}.`)),
          }))
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

const SENSITIVE = "(sensitive)";
const SENSITIVE_CHANGED = "(sensitive, changed)";

/**
 * Both sides of a change with every part either side marks sensitive hidden: "(sensitive)"
 * where it stays the same, "(sensitive)" then "(sensitive, changed)" where it changes,
 * so that a reviewer sees that a secret changes but never its value.
 */
function maskPair(before: unknown, after: unknown, beforeSensitive: unknown, afterSensitive: unknown): [unknown, unknown] {
  if (beforeSensitive === true || afterSensitive === true) {
    const hidden = (value: unknown, text: string) => (value === null || value === undefined ? value : text);
    return [hidden(before, SENSITIVE), hidden(after, jsonEqual(before, after) ? SENSITIVE : SENSITIVE_CHANGED)];
  }
  if (isObject(before) && isObject(after)) {
    const maskedBefore: JsonObject = {};
    const maskedAfter: JsonObject = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const [b, a] = maskPair(before[key], after[key], childOf(beforeSensitive, key), childOf(afterSensitive, key));
      if (key in before) maskedBefore[key] = b;
      if (key in after) maskedAfter[key] = a;
    }
    return [maskedBefore, maskedAfter];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    const pairs = Array.from({ length }, (_, i) => maskPair(before[i], after[i], childOf(beforeSensitive, i), childOf(afterSensitive, i)));
    return [pairs.slice(0, before.length).map(([b]) => b), pairs.slice(0, after.length).map(([, a]) => a)];
  }
  return [mask(before, beforeSensitive), mask(after, afterSensitive)];
}

function childOf(sensitive: unknown, key: string | number): unknown {
  if (typeof key === "number") return Array.isArray(sensitive) ? sensitive[key] : undefined;
  return isObject(sensitive) ? sensitive[key] : undefined;
}

/**
 * The values the plan marks sensitive anywhere in a change. Terraform does not mark every
 * copy of a secret (a `terraform_data` output echoes its sensitive input unmarked), so
 * every occurrence of these values is hidden, wherever it appears.
 */
function sensitiveValues(change: PlannedChange["change"]): Set<string> {
  const secrets = new Set<string>();
  const collect = (value: unknown, sensitive: unknown) => {
    if (value === null || value === undefined) return;
    if (sensitive === true) {
      const visit = (v: unknown) => {
        if (typeof v === "string" || typeof v === "number") secrets.add(String(v));
        else if (Array.isArray(v)) v.forEach(visit);
        else if (isObject(v)) Object.values(v).forEach(visit);
      };
      visit(value);
    } else if (Array.isArray(value)) value.forEach((item, i) => collect(item, childOf(sensitive, i)));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) collect(item, childOf(sensitive, key));
  };
  collect(change.before, change.before_sensitive);
  collect(change.after, change.after_sensitive);
  return secrets;
}

/** Secrets shorter than this are hidden where they are the whole value only, not inside longer text. */
const SHORTEST_SECRET_SEARCHED = 4;

/** The value with every string that is, or contains, one of the secrets replaced. */
function redact(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (secrets.size === 0) return value;
  if (typeof value === "string" || typeof value === "number") {
    const text = String(value);
    for (const secret of secrets) {
      if (text === secret || (secret.length >= SHORTEST_SECRET_SEARCHED && text.includes(secret))) return SENSITIVE;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, secrets)]));
  return value;
}

/** The value with every part the plan marks sensitive replaced by "(sensitive)". */
function mask(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : SENSITIVE;
  if (Array.isArray(value)) return value.map((item, i) => mask(item, Array.isArray(sensitive) ? sensitive[i] : undefined));
  if (isObject(value)) {
    const masked: JsonObject = {};
    for (const [key, item] of Object.entries(value)) masked[key] = mask(item, isObject(sensitive) ? sensitive[key] : undefined);
    return masked;
  }
  return value;
}
