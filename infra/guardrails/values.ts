import type { JsonObject } from "./synthesized-stack.js";

/**
 * Readers for the values of the synthesized JSON. cdktf renders a nested block as an
 * object or as a list of objects, and an escape hatch may write either, or write a
 * boolean or number as a string; the readers accept every form Terraform accepts.
 */

/** True for a value Terraform computes at plan time (`${...}`): unknown at synth. */
export function isUnresolved(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** The first unresolved string found in a value, searching nested objects and lists. */
export function firstUnresolved(value: unknown): string | undefined {
  if (typeof value === "string") return isUnresolved(value) ? value : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnresolved(item);
      if (found !== undefined) return found;
    }
  } else if (isObject(value)) {
    for (const item of Object.values(value)) {
      const found = firstUnresolved(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** True for a JSON object (not a list, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A single nested block: the object, or the first object of a list. */
export function block(value: unknown): JsonObject | undefined {
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  return isObject(value) ? value : undefined;
}

/** A repeated nested block: the objects of a list, or the one object. */
export function blocks(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** The block at a dotted path of single blocks (`spec.template.spec`). */
export function blockAt(value: unknown, path: string): JsonObject | undefined {
  let current: JsonObject | undefined = block(value);
  for (const key of path.split(".")) {
    if (current === undefined) return undefined;
    current = block(current[key]);
  }
  return current;
}

/** A boolean, or undefined when missing or not a boolean ("true"/"false" strings count). */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** A whole number, or undefined when missing or not a number (numeric strings count). */
export function asInteger(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/** A non-empty string, or undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A list of strings (a single string counts as a list of one). */
export function asStringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A map of strings (like labels), or undefined when missing or not a map. */
export function asStringMap(value: unknown): Record<string, string> | undefined {
  const map = block(value);
  if (map === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") result[key] = String(item);
  }
  return result;
}

/** Renders a value for a finding message: short, JSON-like. */
export function show(value: unknown): string {
  if (value === undefined) return "unset";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
