import type { JsonObject } from "../../infra/guardrails/synthesized-stack.js";
import { isObject } from "../../infra/guardrails/values.js";

/**
 * Reading attribute values the same way whether they come from a synthesized
 * `cdk.tf.json` (a block with one item is an object: `spec.selector.match_labels`) or
 * from a Terraform plan (every block is a list: `spec[0].selector[0].match_labels`).
 * A JSON object is what the guardrails call one ({@link isObject}, {@link JsonObject}).
 */

export { isObject, type JsonObject };

/** The items of a block or list: an array as is, one object as a list of one, nothing as []. */
export function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

const splitPaths = new Map<string, readonly string[]>();

function keysOf(dottedPath: string): readonly string[] {
  let keys = splitPaths.get(dottedPath);
  if (!keys) {
    keys = dottedPath.split(".");
    splitPaths.set(dottedPath, keys);
  }
  return keys;
}

/**
 * Every value at a dotted path, descending through lists: `valuesAt(deployment,
 * "spec.template.spec.container")` gives each container, in either form.
 */
export function valuesAt(root: unknown, dottedPath: string): unknown[] {
  const keys = keysOf(dottedPath);
  // Fast path: objects all the way down (a synthesized block), no list to fan out.
  let node: unknown = root;
  let depth = 0;
  for (; depth < keys.length; depth++) {
    if (!isObject(node)) break;
    node = node[keys[depth]!];
  }
  if (depth === keys.length) return node === undefined || node === null ? [] : flattenObjects(node);
  let current: unknown[] = [root];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const item of itemsOf(value)) {
        if (isObject(item) && item[key] !== undefined && item[key] !== null) next.push(item[key]);
      }
    }
    current = next;
  }
  return current.flatMap(flattenObjects);
}

function flattenObjects(value: unknown): unknown[] {
  return Array.isArray(value) && value.every(isObject) ? value : [value];
}

/** The first value at a dotted path, or undefined. */
export function valueAt(root: unknown, dottedPath: string): unknown {
  return valuesAt(root, dottedPath)[0];
}

/** The objects at a dotted path. */
export function objectsAt(root: unknown, dottedPath: string): JsonObject[] {
  return valuesAt(root, dottedPath).filter(isObject);
}

/** A string list at a path (a set or list of strings), [] when absent. */
export function stringsAt(root: unknown, dottedPath: string): string[] {
  return valuesAt(root, dottedPath)
    .flatMap((v) => itemsOf(v))
    .filter((v): v is string => typeof v === "string");
}

/** A string or number at a path as a string, undefined when absent. */
export function scalarAt(root: unknown, dottedPath: string): string | undefined {
  const value = valueAt(root, dottedPath);
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : undefined;
}

/**
 * A label map at a path: a map (`{ "app": "x" }`) or Docker's list of
 * `{ label, value }` pairs.
 */
export function labelsAt(root: unknown, dottedPath: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of valuesAt(root, dottedPath)) {
    if (!isObject(value)) continue;
    if (typeof value.label === "string" && Object.keys(value).every((k) => k === "label" || k === "value")) {
      labels[value.label] = String(value.value ?? "");
    } else {
      for (const [k, v] of Object.entries(value)) if (typeof v === "string") labels[k] = v;
    }
  }
  return labels;
}

/** Deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a as JsonObject);
  const bObject = b as JsonObject;
  if (aKeys.length !== Object.keys(bObject).length) return false;
  for (const key of aKeys) if (!(key in bObject) || !jsonEqual((a as JsonObject)[key], bObject[key])) return false;
  return true;
}
