import { isObject, jsonEqual, type JsonObject } from "./values.js";

/** One attribute that differs between two versions of a block. */
export interface AttributeChange {
  /**
   * Where, for people: `spec.template.spec.container.image`, `env[CATALOG_URL].value`,
   * `networks_advanced[platform-local-orders-to-catalog]`. Lists of named items are
   * keyed by name, lists of one block are not indexed.
   */
  readonly path: string;
  /** Where, in the provider's schema (no index, no key): `spec.template.spec.container.image`. */
  readonly schemaPath: string;
  /** The value before; undefined when the attribute is added. */
  readonly before?: unknown;
  /** The value after; undefined when the attribute is removed. */
  readonly after?: unknown;
  /** True when Terraform knows the value only after apply (plans only). */
  readonly unknownAfter?: boolean;
}

/** Item fields that name the items of a list, in the order they are tried. */
const IDENTITY_FIELDS = ["name", "label"] as const;

/**
 * Compares two attribute trees and lists every leaf that differs. Linear in the size of
 * the trees; lists of scalars (capabilities, security options, policy types) compare
 * as one value, since their order rarely means anything to a reviewer.
 *
 * @param unknownAfter the plan's `after_unknown` tree: true where a value is known after apply only
 */
export function diffAttributes(before: unknown, after: unknown, unknownAfter?: unknown): AttributeChange[] {
  const changes: AttributeChange[] = [];
  walk(before, after, unknownAfter, "", "", changes);
  return changes;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function walk(
  before: unknown,
  after: unknown,
  unknown: unknown,
  path: string,
  schemaPath: string,
  out: AttributeChange[],
): void {
  const where = path || "(value)";
  if (unknown === true) {
    out.push({ path: where, schemaPath, before, after: undefined, unknownAfter: true });
    return;
  }
  // Most of a configuration is unchanged: comparing without building paths is cheaper.
  if (unknown === undefined && jsonEqual(before, after)) return;
  if (isObject(before) && isObject(after)) {
    const unknownObject = isObject(unknown) ? unknown : undefined;
    for (const key of unionKeys(before, after)) {
      walk(before[key], after[key], unknownObject?.[key], join(path, key), join(schemaPath, key), out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.some(isObject) || after.some(isObject))
      walkList(before, after, Array.isArray(unknown) ? unknown : undefined, path, schemaPath, out);
    else if (!jsonEqual(before, after)) scalarListChanges(before, after, where, schemaPath, out);
    return;
  }
  if (before === undefined && after === undefined) return;
  if (jsonEqual(before, after)) return;
  if (typeof before === "string" && typeof after === "string" && documentChanges(before, after, where, schemaPath, out))
    return;
  out.push({ path: where, schemaPath, before, after });
}

/**
 * A string that holds a document (a dashboard's JSON, a configuration file) is compared
 * inside: a JSON document value by value (`data.orders.json:panels[2].title`), other
 * text line by line. False when the strings are no such documents.
 */
function documentChanges(
  before: string,
  after: string,
  path: string,
  schemaPath: string,
  out: AttributeChange[],
): boolean {
  const parsedBefore = parseDocument(before);
  const parsedAfter = parseDocument(after);
  if (parsedBefore !== undefined && parsedAfter !== undefined) {
    const inner: AttributeChange[] = [];
    walk(parsedBefore, parsedAfter, undefined, "", "", inner);
    for (const change of inner) out.push({ ...change, path: `${path}:${change.path}`, schemaPath });
    return true;
  }
  if (!before.includes("\n") || !after.includes("\n")) return false;
  const removed = multisetMinus(before.split("\n"), after.split("\n"));
  const added = multisetMinus(after.split("\n"), before.split("\n"));
  if (removed.length === 0 && added.length === 0) return false;
  for (const line of removed) out.push({ path: `${path} (line)`, schemaPath, before: line, after: undefined });
  for (const line of added) out.push({ path: `${path} (line)`, schemaPath, before: undefined, after: line });
  return true;
}

/** A JSON object or list held in a string, or undefined. */
function parseDocument(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A list of scalars (environment lines, capabilities): each item removed and each item
 * added, or the whole list when only the order changed.
 */
function scalarListChanges(
  before: unknown[],
  after: unknown[],
  path: string,
  schemaPath: string,
  out: AttributeChange[],
): void {
  const removed = multisetMinus(before, after);
  const added = multisetMinus(after, before);
  if (removed.length === 0 && added.length === 0) {
    out.push({ path, schemaPath, before, after });
    return;
  }
  for (const item of removed) out.push({ path, schemaPath, before: item, after: undefined });
  for (const item of added) out.push({ path, schemaPath, before: undefined, after: item });
}

function multisetMinus(items: unknown[], minus: unknown[]): unknown[] {
  const counts = new Map<string, number>();
  for (const item of minus) counts.set(JSON.stringify(item), (counts.get(JSON.stringify(item)) ?? 0) + 1);
  return items.filter((item) => {
    const key = JSON.stringify(item);
    const count = counts.get(key) ?? 0;
    if (count === 0) return true;
    counts.set(key, count - 1);
    return false;
  });
}

/**
 * A list of blocks. One block on each side is compared as one; named blocks are paired
 * by name; other blocks are paired when equal, and the rest compared in order when as
 * many were removed as added, else shown as removed and added whole.
 */
function walkList(
  before: unknown[],
  after: unknown[],
  unknown: unknown[] | undefined,
  path: string,
  schemaPath: string,
  out: AttributeChange[],
): void {
  if (before.length === 1 && after.length === 1) {
    walk(before[0], after[0], unknown?.[0], path, schemaPath, out);
    return;
  }
  const identity = identityField(before, after);
  if (identity !== undefined) {
    const beforeByKey = new Map(before.map((item) => [String((item as JsonObject)[identity]), item]));
    const afterByKey = new Map(after.map((item, index) => [String((item as JsonObject)[identity]), { item, index }]));
    for (const key of new Set([...beforeByKey.keys(), ...afterByKey.keys()])) {
      const next = afterByKey.get(key);
      walk(
        beforeByKey.get(key),
        next?.item,
        next ? unknown?.[next.index] : undefined,
        `${path}[${key}]`,
        schemaPath,
        out,
      );
    }
    return;
  }
  const unmatchedBefore = new Map<string, number[]>();
  before.forEach((item, index) => {
    const key = JSON.stringify(item);
    unmatchedBefore.set(key, [...(unmatchedBefore.get(key) ?? []), index]);
  });
  const unmatchedAfter: number[] = [];
  after.forEach((item, index) => {
    const same = unmatchedBefore.get(JSON.stringify(item));
    if (same && same.length > 0 && unknown?.[index] === undefined) same.shift();
    else unmatchedAfter.push(index);
  });
  const leftBefore = [...unmatchedBefore.values()].flat().sort((a, b) => a - b);
  if (leftBefore.length === unmatchedAfter.length) {
    leftBefore.forEach((b, i) => {
      const a = unmatchedAfter[i]!;
      walk(before[b], after[a], unknown?.[a], `${path}[${a}]`, schemaPath, out);
    });
    return;
  }
  for (const b of leftBefore) out.push({ path: `${path}[${b}]`, schemaPath, before: before[b], after: undefined });
  for (const a of unmatchedAfter) walk(undefined, after[a], unknown?.[a], `${path}[${a}]`, schemaPath, out);
}
/** The field that names every item of both lists uniquely, if any. */
function identityField(before: unknown[], after: unknown[]): string | undefined {
  const items = [...before, ...after];
  if (!items.every(isObject)) return undefined;
  return IDENTITY_FIELDS.find((field) => {
    const keysOf = (list: unknown[]) => list.map((item) => (item as JsonObject)[field]);
    return [before, after].every((list) => {
      const keys = keysOf(list);
      return keys.every((k) => typeof k === "string") && new Set(keys).size === keys.length;
    });
  });
}

function unionKeys(a: JsonObject, b: JsonObject): string[] {
  const keys = Object.keys(a);
  for (const key of Object.keys(b)) if (!(key in a)) keys.push(key);
  return keys.sort();
}
