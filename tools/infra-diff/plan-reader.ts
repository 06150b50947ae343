import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { diffAttributes } from "./attribute-diff.js";
import { BadInputError } from "./checkouts.js";
import { planSecrets, redactSecrets, SENSITIVE, type PlanSecrets } from "./plan-secrets.js";
import {
  createdAttributes,
  replacementReason,
  type EnvironmentDiff,
  type ResourceAction,
  type ResourceChange,
} from "./resource-changes.js";
import { constructPathFromName, ownerOf, type ConfigBlock, type StackSnapshot } from "./stack-snapshot.js";
import { isObject, jsonEqual, type JsonObject } from "./values.js";

/**
 * Reads a Terraform plan (`terraform show -json <planfile>`) of one environment into
 * the same shape as a synthesized diff, so that the same grouping and risk rules
 * apply: the plan's actions replace the predicted ones, its `replace_paths` say what
 * forces a replacement, and values it marks sensitive are never shown, nor any copy of
 * them elsewhere in the plan (see plan-secrets.ts).
 *
 * A plan names resources by address only. Their service comes from the synthesized
 * stack of that environment when one is at hand (the `//` construct path of the block
 * with that address), otherwise from the address's name, which cdktf derives from the
 * construct path: `<target>_<service>_<concern>_<resource>[_<HASH>]` (see
 * {@link ownerOf}). Name resources of hand-written configurations the same way to
 * group them by service.
 */

/** What the diff reads of one entry of `resource_changes`; other fields are let through. */
const plannedChangeSchema = z.looseObject({
  address: z.string(),
  mode: z.string().optional(),
  type: z.string(),
  name: z.string(),
  change: z.looseObject({
    actions: z.array(z.string()),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    after_unknown: z.unknown().optional(),
    before_sensitive: z.unknown().optional(),
    after_sensitive: z.unknown().optional(),
    replace_paths: z
      .array(z.array(z.union([z.string(), z.number()], { error: "expected a string or a number" })))
      .optional(),
  }),
  action_reason: z.string().optional(),
});

/** The part of `terraform show -json <planfile>` the diff reads. */
const planSchema = z.looseObject({
  format_version: z.string(),
  resource_changes: z.array(plannedChangeSchema).optional(),
});

type PlannedChange = z.infer<typeof plannedChangeSchema>;

/** Sentences for the plan's `action_reason` of a replacement. */
const REPLACEMENT_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "the resource is tainted",
  replace_by_request: "replacement was requested (-replace)",
  replace_by_triggers: "a replace_triggered_by reference changed",
};

/** A plan file, read. */
export interface TerraformPlan {
  readonly changes: readonly PlannedChange[];
  /** Every value the plan marks sensitive: no copy of one may reach the report. */
  readonly secrets: PlanSecrets;
}

/** How many problems of a file that is no plan are listed. */
const PROBLEMS_SHOWN = 10;
/** What `terraform plan -out` writes: a zip archive. */
const ZIP_SIGNATURE = Buffer.from("PK\u0003\u0004", "latin1");

/**
 * Reads and checks a plan file. A file that is not a plan fails with the fields that
 * are wrong and what they should be; no message shows any of the file's content, which
 * may be anything (a mistyped path can name a password file).
 */
export function readPlanFile(file: string, environment: string): TerraformPlan {
  const where = `--plan ${environment}=${file}`;
  const expected = "give the output of `terraform show -json <planfile>`";
  if (!existsSync(file)) throw new BadInputError(`${where}: no such file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new BadInputError(
      `${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"}); ${expected}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    // The parser's message quotes the text it stopped at.
    const binaryPlan = bytes.subarray(0, ZIP_SIGNATURE.length).equals(ZIP_SIGNATURE);
    throw new BadInputError(`${where}: not JSON${binaryPlan ? " but a binary plan" : ""}; ${expected}`);
  }
  const plan = planSchema.safeParse(parsed, {
    error: (issue) =>
      issue.code === "invalid_type" ? `expected ${kindName(issue.expected)}, got ${kindOf(issue.input)}` : undefined,
  });
  if (!plan.success) {
    const problems = plan.error.issues.map((issue) => `  ${fieldPath(issue.path)}: ${issue.message}`);
    const more = problems.length > PROBLEMS_SHOWN ? [`  ... and ${problems.length - PROBLEMS_SHOWN} more`] : [];
    throw new BadInputError(
      [
        `${where}: not a Terraform plan (the output of \`terraform show -json <planfile>\`):`,
        ...problems.slice(0, PROBLEMS_SHOWN),
        ...more,
      ].join("\n"),
    );
  }
  return { changes: plan.data.resource_changes ?? [], secrets: planSecrets(parsed) };
}

/** `resource_changes[1].change.actions`, or "the file" for the whole of it. */
function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return "the file";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

/** A type as zod names it, for people. */
function kindName(expected: string): string {
  return (
    (
      {
        array: "a list",
        object: "an object",
        string: "a string",
        number: "a number",
        boolean: "true or false",
      } as Record<string, string>
    )[expected] ?? expected
  );
}

/** The type of a value, never the value itself. */
function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return kindName(typeof value);
}

/**
 * The diff of one environment from its plan.
 * @param synthesized the synthesized stacks of the environment (head, then base), to find each address's construct path
 */
export function diffFromPlan(
  environment: string,
  plan: TerraformPlan,
  synthesized: readonly (StackSnapshot | undefined)[],
): EnvironmentDiff {
  const { secrets } = plan;
  const before = new Map<string, ConfigBlock>();
  const after = new Map<string, ConfigBlock>();
  const changes: ResourceChange[] = [];
  const notes: string[] = [];
  for (const entry of plan.changes) {
    const data = entry.mode === "data";
    const known = synthesized.map((s) => s?.blocks.get(entry.address)).find((b) => b !== undefined);
    const constructPath = known?.constructPath ?? constructPathFromName(environment, entry.name);
    const owner = known?.owner ?? ownerOf(environment, entry.name, undefined);
    const block = (values: unknown, sensitive: unknown): ConfigBlock => ({
      address: entry.address,
      kind: data ? "data" : "resource",
      type: entry.type,
      constructPath,
      owner,
      values: (redactSecrets(mask(values, sensitive), secrets) ?? {}) as JsonObject,
    });
    const { actions } = entry.change;
    if (isObject(entry.change.before))
      before.set(entry.address, block(entry.change.before, entry.change.before_sensitive));
    if (isObject(entry.change.after) || actions.includes("create") || actions.includes("update")) {
      after.set(entry.address, block(entry.change.after, entry.change.after_sensitive));
    }
    const action = actionOf(actions);
    if (action === undefined) {
      if (actions.includes("forget"))
        notes.push(`${entry.address} is removed from the state without being destroyed (forget)`);
      continue;
    }
    const replacePaths = (entry.change.replace_paths ?? []).map((p) =>
      p.filter((s): s is string => typeof s === "string").join("."),
    );
    const [maskedBefore, maskedAfter] = maskPair(
      entry.change.before,
      entry.change.after,
      entry.change.before_sensitive,
      entry.change.after_sensitive,
    );
    const [shownBefore, shownAfter] = [redactSecrets(maskedBefore, secrets), redactSecrets(maskedAfter, secrets)];
    // Its keys follow those of `after`, where a secret in a key is hidden too.
    const unknownAfter = redactSecrets(entry.change.after_unknown, secrets);
    const attributes =
      action === "update" || action === "replace"
        ? diffAttributes(shownBefore, shownAfter, unknownAfter).map((a) => ({
            ...a,
            forcesReplacement: replacePaths.some((p) => a.schemaPath === p || a.schemaPath.startsWith(`${p}.`)),
          }))
        : action === "create"
          ? createdAttributes({ kind: data ? "data" : "resource", type: entry.type, values: shownAfter })
          : [];
    const reasons: string[] = [];
    if (action === "replace") {
      const forcing = attributes.filter((a) => a.forcesReplacement);
      if (forcing.length > 0) reasons.push(replacementReason(forcing));
      else if (replacePaths.length > 0) reasons.push(`${replacePaths.join(", ")} cannot be updated in place`);
      const reason = entry.action_reason ? REPLACEMENT_REASONS[entry.action_reason] : undefined;
      if (reason) reasons.push(reason);
    }
    changes.push({
      environment,
      address: entry.address,
      kind: data ? "data" : "resource",
      type: entry.type,
      constructPath,
      owner,
      action,
      replacementReasons: reasons,
      attributes,
    });
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

const SENSITIVE_CHANGED = "(sensitive, changed)";

/**
 * Both sides of a change with every part either side marks sensitive hidden: "(sensitive)"
 * where it stays the same, "(sensitive)" then "(sensitive, changed)" where it changes,
 * so that a reviewer sees that a secret changes but never its value.
 */
function maskPair(
  before: unknown,
  after: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
): [unknown, unknown] {
  if (beforeSensitive === true || afterSensitive === true) {
    const hidden = (value: unknown, text: string) => (value === null || value === undefined ? value : text);
    return [hidden(before, SENSITIVE), hidden(after, jsonEqual(before, after) ? SENSITIVE : SENSITIVE_CHANGED)];
  }
  if (isObject(before) && isObject(after)) {
    const maskedBefore: Record<string, unknown> = {};
    const maskedAfter: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const [b, a] = maskPair(before[key], after[key], childOf(beforeSensitive, key), childOf(afterSensitive, key));
      if (key in before) maskedBefore[key] = b;
      if (key in after) maskedAfter[key] = a;
    }
    return [maskedBefore, maskedAfter];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    const pairs = Array.from({ length }, (_, i) =>
      maskPair(before[i], after[i], childOf(beforeSensitive, i), childOf(afterSensitive, i)),
    );
    return [pairs.slice(0, before.length).map(([b]) => b), pairs.slice(0, after.length).map(([, a]) => a)];
  }
  return [mask(before, beforeSensitive), mask(after, afterSensitive)];
}

function childOf(sensitive: unknown, key: string | number): unknown {
  if (typeof key === "number") return Array.isArray(sensitive) ? sensitive[key] : undefined;
  return isObject(sensitive) ? sensitive[key] : undefined;
}

/** The value with every part the plan marks sensitive replaced by "(sensitive)". */
function mask(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : SENSITIVE;
  if (Array.isArray(value))
    return value.map((item, i) => mask(item, Array.isArray(sensitive) ? sensitive[i] : undefined));
  if (isObject(value)) {
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      masked[key] = mask(item, isObject(sensitive) ? sensitive[key] : undefined);
    return masked;
  }
  return value;
}
