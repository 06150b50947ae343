import type { ApiChange } from "../../report.js";
import { isObject, type JsonObject } from "../../values.js";
import { BOUND_KEYWORDS, compareBounds } from "./bounds.js";
import { canonicalJson, resolveRef, type RefScope } from "./openapi.js";

/**
 * The changes between two JSON Schemas (2020-12, as zod 4's `z.toJSONSchema` writes them)
 * of one place in an operation, classified for whoever depends on the place:
 *
 * - a **request** (body, query, path, header) is written by the callers and read by the
 *   service: a change breaks them when the service now refuses what they send (a field
 *   made required or added as required, a type or an enum narrowed, other fields refused)
 *   or no longer reads what they send (a field removed);
 * - a **response** is written by the service and read by the callers: a change breaks
 *   them when they may now get what they did not expect (a field removed or made
 *   optional, a type changed other than narrowed, an enum value added).
 *
 * A new enum value in a response is breaking: callers check a response against the
 * contract they were built with (the typed client validates it, and a `switch` over the
 * values has no branch for it), and during a rolling update an older caller meets the
 * newer service. A new response field is additive, although zod writes objects with
 * `additionalProperties: false`: zod's parse strips unknown keys, it does not refuse them.
 * One added as required is `response-field-required`, as one made required: additive for
 * an older caller, but a newer caller's client refuses the older service's answers
 * without it (the deploy-order risk of api-changes.ts).
 *
 * Bounds, formats and patterns (bounds.ts) are ordered: a request that accepts fewer
 * values (a higher minimum, a format added) breaks, one that accepts more is additive; a
 * response the reverse. A schema that accepts nothing (`false`, zod's `z.never()` as
 * `{ not: {} }`) has no type, never every type.
 *
 * What it cannot compare (a union that is more than "X or null", `allOf`, `prefixItems`,
 * a format replaced by another, a reference outside the document) is never taken for
 * additive: any difference there is one breaking `unclassified-change`.
 */

/** Which side of the call writes the value. */
export type Direction = "request" | "response";

/** Where a schema sits, and where its changes go. */
export interface SchemaPlace {
  readonly direction: Direction;
  /** The operation's label, `GET /products/{id}`. */
  readonly operation: string;
  /** How a field below it is named: `request body field`, `response 200 field`, `query parameter`. */
  readonly fieldPrefix: string;
  /** How the schema itself is named, when `field` is "": `request body`, `response 200 body`. */
  readonly rootName: string;
  readonly before: RefScope;
  readonly after: RefScope;
  readonly changes: ApiChange[];
}

type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";
const ALL_TYPES: readonly JsonType[] = ["string", "number", "integer", "boolean", "object", "array", "null"];

/** Keywords compared one by one; every other keyword is compared as a whole. */
const UNDERSTOOD = new Set([
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "$defs",
  "definitions",
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

/** A schema as the comparison reads it. */
interface Shape {
  readonly types: ReadonlySet<JsonType>;
  /** The allowed values (canonical JSON), or undefined when any value of the types is. */
  readonly values?: ReadonlySet<string>;
  readonly properties: JsonObject;
  readonly required: ReadonlySet<string>;
  readonly items?: unknown;
  readonly additionalProperties?: unknown;
  /** `anyOf`, `oneOf` and `allOf` that are more than "X or null". */
  readonly unions: JsonObject;
  /** Bounds, formats and patterns (bounds.ts). */
  readonly bounds: JsonObject;
  /** Every keyword not read above. */
  readonly others: JsonObject;
}

/**
 * Adds to `place.changes` what differs between `before` and `after` at `field` ("" for
 * the schema itself; `items[].priceCents` below it).
 */
export function compareSchemas(
  before: unknown,
  after: unknown,
  field: string,
  place: SchemaPlace,
  inProgress: ReadonlySet<string> = new Set(),
): void {
  // A recursive schema (a tree of categories) is compared once per pair of references.
  const refKey = `${refOf(before)}|${refOf(after)}`;
  if (refKey !== "|" && inProgress.has(refKey)) return;
  const walking = refKey === "|" ? inProgress : new Set([...inProgress, refKey]);

  const was = resolveRef(before, place.before.document, place.before.schemaRoot);
  const now = resolveRef(after, place.after.document, place.after.schemaRoot);
  const add: Add = (severity, code, what) => record(place, field, severity, code, what);
  if (was === undefined || now === undefined) {
    if (canonicalJson(before) !== canonicalJson(after))
      add(
        "breaking",
        "unclassified-change",
        "changed in a way infra:diff cannot classify (a reference it cannot follow)",
      );
    return;
  }
  const a = shapeOf(was, place.before);
  const b = shapeOf(now, place.after);
  const request = place.direction === "request";

  if (!sameTypes(a.types, b.types)) {
    const widened = subset(a.types, b.types);
    const narrowed = subset(b.types, a.types);
    const retyped = `retyped: ${describeTypes(a.types)} -> ${describeTypes(b.types)}`;
    if (request && widened) add("additive", "request-type-widened", `now also accepts ${describeTypes(b.types)}`);
    else if (!request && narrowed) add("additive", "response-type-narrowed", `is now only ${describeTypes(b.types)}`);
    else {
      add("breaking", request ? "request-field-retyped" : "response-field-retyped", retyped);
      return;
    }
  }

  compareValues(a.values, b.values, request, add);
  compareBoundsOf(a.bounds, b.bounds, request, add);
  compareProperties(a, b, field, place, walking);

  if (a.items !== undefined && b.items !== undefined) compareSchemas(a.items, b.items, `${field}[]`, place, walking);
  else if (canonicalJson(a.items) !== canonicalJson(b.items))
    add("breaking", "unclassified-change", "changed in a way infra:diff cannot classify (its items)");

  compareAdditionalProperties(a.additionalProperties, b.additionalProperties, field, place, walking, add);
  compareUnions(a.unions, b.unions, field, place, walking, add);

  const changedOthers = [...new Set([...Object.keys(a.others), ...Object.keys(b.others)])]
    .filter((key) => canonicalJson(a.others[key]) !== canonicalJson(b.others[key]))
    .sort();
  if (changedOthers.length > 0)
    add(
      "breaking",
      "unclassified-change",
      `changed in a way infra:diff cannot classify (${changedOthers.map((k) => describeKeyword(k, a.others[k], b.others[k])).join(", ")})`,
    );
}

type Add = (severity: ApiChange["severity"], code: string, what: string) => void;

/** Records one change of the schema at `field` ("" for the schema itself). */
function record(place: SchemaPlace, field: string, severity: ApiChange["severity"], code: string, what: string): void {
  const label = field === "" ? place.rootName : `${place.fieldPrefix} ${field}`;
  place.changes.push({
    severity,
    code,
    operation: place.operation,
    field: label,
    description: `${place.operation}: ${label} ${what}`,
  });
}

/** Bounds, formats and patterns: a request that accepts fewer values, or a response that may send more, breaks. */
function compareBoundsOf(before: JsonObject, after: JsonObject, request: boolean, add: Add): void {
  const { narrowed, widened, unordered } = compareBounds(before, after);
  const list = (texts: readonly string[]) => `(${texts.join(", ")})`;
  if (narrowed.length > 0) {
    if (request) add("breaking", "request-bound-narrowed", `now refuses what it accepted ${list(narrowed)}`);
    else add("additive", "response-bound-narrowed", `is now within narrower bounds ${list(narrowed)}`);
  }
  if (widened.length > 0) {
    if (request) add("additive", "request-bound-widened", `now accepts more ${list(widened)}`);
    else add("breaking", "response-bound-widened", `may now be outside the bounds callers check ${list(widened)}`);
  }
  if (unordered.length > 0)
    add("breaking", "unclassified-change", `changed in a way infra:diff cannot classify ${list(unordered)}`);
}

/** Enum (or const) values: a request that accepts fewer, or a response that may send more, breaks. */
function compareValues(
  before: ReadonlySet<string> | undefined,
  after: ReadonlySet<string> | undefined,
  request: boolean,
  add: Add,
): void {
  if (before === undefined && after === undefined) return;
  const removed = before === undefined ? [] : [...before].filter((v) => after !== undefined && !after.has(v));
  const added = after === undefined ? [] : [...after].filter((v) => before !== undefined && !before.has(v));
  if (before === undefined && after !== undefined) {
    if (request) add("breaking", "request-enum-narrowed", `now accepts only ${[...after].join(", ")}`);
    else add("additive", "response-enum-narrowed", `is now only ${[...after].join(", ")}`);
  } else if (before !== undefined && after === undefined) {
    if (request) add("additive", "request-enum-widened", "now accepts any value, not only an enum's");
    else add("breaking", "response-enum-widened", `may now be any value, not only ${[...before].join(", ")}`);
  }
  if (removed.length > 0) {
    if (request) add("breaking", "request-enum-narrowed", `no longer accepts ${removed.join(", ")}`);
    else add("additive", "response-enum-narrowed", `is no longer ${removed.join(", ")}`);
  }
  if (added.length > 0) {
    if (request) add("additive", "request-enum-widened", `now also accepts ${added.join(", ")}`);
    else add("breaking", "response-enum-widened", `may now be ${added.join(", ")}, which callers do not expect`);
  }
}

function compareProperties(a: Shape, b: Shape, field: string, place: SchemaPlace, walking: ReadonlySet<string>): void {
  const request = place.direction === "request";
  const names = [...new Set([...Object.keys(a.properties), ...Object.keys(b.properties)])];
  const child = (name: string) => (field === "" ? name : `${field}.${name}`);
  for (const name of names) {
    const childAdd: Add = (severity, code, what) => record(place, child(name), severity, code, what);
    const inBefore = Object.hasOwn(a.properties, name);
    const inAfter = Object.hasOwn(b.properties, name);
    const [wasRequired, isRequired] = [a.required.has(name), b.required.has(name)];
    if (inBefore && !inAfter) {
      if (request)
        childAdd(
          "breaking",
          "request-field-removed",
          `removed: callers that still send it are ${b.additionalProperties === false ? "refused" : "ignored"}`,
        );
      else childAdd("breaking", "response-field-removed", "removed");
      continue;
    }
    if (!inBefore && inAfter) {
      if (!request && isRequired) childAdd("additive", "response-field-required", "added as required");
      else if (!request) childAdd("additive", "response-field-added", "added");
      else if (isRequired) childAdd("breaking", "request-field-required", "added as required");
      else childAdd("additive", "request-field-added", "added (optional)");
      continue;
    }
    compareSchemas(a.properties[name], b.properties[name], child(name), place, walking);
    if (wasRequired === isRequired) continue;
    if (request)
      childAdd(
        isRequired ? "breaking" : "additive",
        isRequired ? "request-field-required" : "request-field-optional",
        isRequired ? "made required" : "made optional",
      );
    else
      childAdd(
        isRequired ? "additive" : "breaking",
        isRequired ? "response-field-required" : "response-field-optional",
        isRequired ? "now always present" : "made optional: callers that read it may find it absent",
      );
  }
}

/**
 * `additionalProperties`: a map's values are compared as a schema (`prices{}`); a request
 * that refuses fields it accepted before breaks its callers. A response's is not read.
 */
function compareAdditionalProperties(
  before: unknown,
  after: unknown,
  field: string,
  place: SchemaPlace,
  walking: ReadonlySet<string>,
  add: Add,
): void {
  if (isObject(before) && isObject(after)) {
    compareSchemas(before, after, `${field}{}`, place, walking);
    return;
  }
  if (isObject(before) || isObject(after)) {
    if (canonicalJson(before) !== canonicalJson(after))
      add("breaking", "unclassified-change", "changed in a way infra:diff cannot classify (additionalProperties)");
    return;
  }
  if (place.direction !== "request") return;
  const open = (value: unknown) => value !== false;
  if (open(before) && !open(after)) add("breaking", "request-closed", "now refuses fields it does not declare");
  if (!open(before) && open(after)) add("additive", "request-opened", "now accepts fields it does not declare");
}

/** Unions and intersections: the same branches in the same order, or one unclassified change. */
function compareUnions(
  before: JsonObject,
  after: JsonObject,
  field: string,
  place: SchemaPlace,
  walking: ReadonlySet<string>,
  add: Add,
): void {
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    const was = Array.isArray(before[keyword]) ? (before[keyword] as unknown[]) : undefined;
    const now = Array.isArray(after[keyword]) ? (after[keyword] as unknown[]) : undefined;
    if (was === undefined && now === undefined) continue;
    let differs = was === undefined || now === undefined || was.length !== now.length;
    if (!differs) {
      const probe: ApiChange[] = [];
      for (const [i, branch] of was!.entries())
        compareSchemas(branch, now![i], field, { ...place, changes: probe }, walking);
      differs = probe.length > 0;
    }
    if (differs) add("breaking", "unclassified-change", `changed in a way infra:diff cannot classify (${keyword})`);
  }
}

/** The reference a schema is, or "". */
function refOf(schema: unknown): string {
  return isObject(schema) && typeof schema.$ref === "string" ? schema.$ref : "";
}

/** Reads a resolved schema; "X or null" unions (zod's `.nullable()`) become X with `null` among its types. */
function shapeOf(schema: unknown, scope: RefScope): Shape {
  if (acceptsNothing(schema))
    return {
      types: new Set(),
      properties: {},
      required: new Set(),
      unions: {},
      bounds: {},
      others: {},
    };
  if (schema === true || !isObject(schema))
    return { types: new Set(ALL_TYPES), properties: {}, required: new Set(), unions: {}, bounds: {}, others: {} };
  let body: JsonObject = schema;
  let nullable = false;
  for (const keyword of ["anyOf", "oneOf"]) {
    const branches = body[keyword];
    if (!Array.isArray(branches)) continue;
    const resolved = branches.map((branch) => resolveRef(branch, scope.document, scope.schemaRoot));
    const isNull = (branch: unknown) => isObject(branch) && branch.type === "null" && Object.keys(branch).length === 1;
    const others = resolved.filter((branch) => !isNull(branch));
    if (others.length === 1 && others.length < resolved.length && isObject(others[0])) {
      const { [keyword]: _, ...rest } = body;
      body = { ...rest, ...others[0] };
      nullable = true;
    }
  }
  const values = valuesOf(body);
  const types = new Set<JsonType>(typesOf(body, values));
  if (nullable) types.add("null");
  const others: Record<string, unknown> = {};
  const bounds: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (BOUND_KEYWORDS.has(key)) bounds[key] = value;
    else if (!UNDERSTOOD.has(key)) others[key] = value;
  const unions: Record<string, unknown> = {};
  for (const key of ["anyOf", "oneOf", "allOf"]) if (key in body) unions[key] = body[key];
  return {
    types,
    values: values && nullable ? new Set([...values, "null"]) : values,
    properties: isObject(body.properties) ? body.properties : {},
    required: new Set(Array.isArray(body.required) ? body.required.filter((r) => typeof r === "string") : []),
    items: body.items,
    additionalProperties: body.additionalProperties,
    unions,
    bounds,
    others,
  };
}

/** Whether a schema accepts no value: `false`, or `{ not: {} }` (zod's `z.never()`). */
function acceptsNothing(schema: unknown): boolean {
  if (schema === false) return true;
  return isObject(schema) && isObject(schema.not) && Object.keys(schema.not).length === 0;
}

function valuesOf(schema: JsonObject): Set<string> | undefined {
  if ("const" in schema) return new Set([canonicalJson(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(canonicalJson));
  return undefined;
}

function typesOf(schema: JsonObject, values: ReadonlySet<string> | undefined): JsonType[] {
  if (typeof schema.type === "string") return [schema.type as JsonType];
  if (Array.isArray(schema.type)) return schema.type as JsonType[];
  if (values !== undefined) return [...values].map((v) => jsonTypeOf(JSON.parse(v)));
  if (isObject(schema.properties) || Array.isArray(schema.required)) return ["object"];
  if (schema.items !== undefined) return ["array"];
  return [...ALL_TYPES];
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

/** Whether every value of `inner`'s types is one of `outer`'s (a `number` holds every `integer`). */
function subset(inner: ReadonlySet<JsonType>, outer: ReadonlySet<JsonType>): boolean {
  return [...inner].every((t) => outer.has(t) || (t === "integer" && outer.has("number")));
}

function sameTypes(a: ReadonlySet<JsonType>, b: ReadonlySet<JsonType>): boolean {
  return subset(a, b) && subset(b, a);
}

function describeTypes(types: ReadonlySet<JsonType>): string {
  if (types.size === 0) return "nothing";
  if (ALL_TYPES.every((t) => types.has(t))) return "any type";
  return [...types].join(" | ");
}

function describeKeyword(keyword: string, before: unknown, after: unknown): string {
  const show = (value: unknown) => (value === undefined ? "none" : canonicalJson(value));
  const text = `${keyword} ${show(before)} -> ${show(after)}`;
  return text.length > 80 ? keyword : text;
}
