/**
 * What the spec's schema accepts at a field, read from the schema itself, so that a message
 * about any field (or any nested object) can name the accepted fields, the accepted type and
 * an example of an accepted value without a hand-written list that could fall behind.
 * Examples come from a field's `.meta({ examples: [...] })`.
 */
import { z } from "zod";

/** The parts of a zod 4 schema's definition this module reads. */
interface SchemaDefinition {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
  readonly entries?: Record<string, unknown>;
  readonly checks?: ReadonlyArray<{ readonly _zod: { readonly def: { readonly format?: string } } }>;
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;
}

/** The schema without the wrappers that do not change what it accepts (optional, default, a pipe's input). */
function unwrapped(schema: z.ZodType): z.ZodType {
  const def = definitionOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return unwrapped(def.innerType!);
    case "pipe":
      return unwrapped(def.in!);
    default:
      return schema;
  }
}

/**
 * Of a union, the index of the option that `value` was meant for: by the discriminator's
 * value (a backing service's `type`), else the one option that is an object when `value`
 * is one (the `{ public: ... }` of `expose`); undefined when that cannot be told.
 */
export function unionOptionFor(schema: z.ZodType, value: unknown): number | undefined {
  const def = definitionOf(unwrapped(schema));
  if (def.type !== "union" || !isObject(value)) return undefined;
  const options = def.options!.map(unwrapped);
  const { discriminator } = def;
  if (discriminator !== undefined) {
    const chosen = options.findIndex((option) =>
      literalValues(definitionOf(option).shape?.[discriminator]).includes(value[discriminator]),
    );
    if (chosen >= 0) return chosen;
  }
  const objects = options.flatMap((option, index) => (definitionOf(option).type === "object" ? [index] : []));
  return objects.length === 1 ? objects[0] : undefined;
}

/** A union as the option `value` was meant for, when that can be told; any other schema as it is. */
function optionFor(schema: z.ZodType, value: unknown): z.ZodType {
  const index = unionOptionFor(schema, value);
  return index === undefined ? schema : unwrapped(definitionOf(schema).options![index]!);
}

/** The schema of `key` inside `schema`: an object's field, a record's or a list's values, or what a union's options take there. */
function childOf(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  const def = definitionOf(schema);
  switch (def.type) {
    case "object":
      return typeof key === "string" && Object.hasOwn(def.shape!, key) ? def.shape![key] : undefined;
    case "record":
      return def.valueType;
    case "array":
      return def.element;
    case "union": {
      const children = def.options!.flatMap((option) => childOf(unwrapped(option), key) ?? []);
      return children.length <= 1 ? children[0] : z.union(children);
    }
    default:
      return undefined;
  }
}

function literalValues(schema: z.ZodType | undefined): readonly unknown[] {
  if (schema === undefined) return [];
  const def = definitionOf(unwrapped(schema));
  return def.type === "literal" ? (def.values ?? []) : def.type === "enum" ? Object.values(def.entries ?? {}) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The schema of the field at `path` (`["resources", "memory"]`, `["dependsOn", 0]`) of
 * `root`, given the whole `input`, which picks the option of a union it was meant for;
 * undefined when the schema has no such field.
 */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[], input: unknown): z.ZodType | undefined {
  const { schema, value } = walk(root, path, input) ?? {};
  return schema === undefined ? undefined : optionFor(schema, value);
}

/** Like {@link schemaAt}, but a union at `path` stays the union (to tell which of its options a value was meant for). */
export function unionAt(root: z.ZodType, path: readonly PropertyKey[], input: unknown): z.ZodType | undefined {
  return walk(root, path, input)?.schema;
}

function walk(
  root: z.ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): { schema: z.ZodType; value: unknown } | undefined {
  let schema = unwrapped(root);
  let value = input;
  for (const key of path) {
    const child = childOf(optionFor(schema, value), key);
    if (child === undefined) return undefined;
    value = isObject(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    schema = unwrapped(child);
  }
  return { schema, value };
}

/** The fields an object schema accepts, in the schema's order; empty for anything else. */
export function fieldsOf(schema: z.ZodType): string[] {
  const def = definitionOf(unwrapped(schema));
  return def.type === "object" ? Object.keys(def.shape!) : [];
}

/** The values an enum or a literal accepts (and a union of them); empty for anything else. */
export function valuesOf(schema: z.ZodType): unknown[] {
  const def = definitionOf(unwrapped(schema));
  if (def.type === "union") return def.options!.flatMap(valuesOf);
  return [...literalValues(schema)];
}

/**
 * What `schema` accepts, in words, with an example when the schema gives one:
 * `a string, like "256Mi"`, `a whole number`, `{ cpu?, memory?, limits? }`,
 * `a list of strings, like ["catalog"]`, `"internal" or { public }`.
 */
export function describeAccepted(schema: z.ZodType): string {
  const inner = unwrapped(schema);
  const examples = (z.globalRegistry.get(inner)?.examples ?? []) as unknown[];
  const shown = examples.length > 0 ? `, like ${examples.map(exampleText).join(" or ")}` : "";
  return `${kindOf(inner)}${shown}`;
}

/** The kind of value a schema accepts, without examples. */
function kindOf(schema: z.ZodType): string {
  const def = definitionOf(unwrapped(schema));
  switch (def.type) {
    case "string":
      return "a string";
    case "number":
      return (def.checks ?? []).some((check) => check._zod.def.format === "safeint") ? "a whole number" : "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "literal":
    case "enum":
      return oneOf(literalValues(schema).map((value) => JSON.stringify(value)));
    case "object":
      return objectShape(schema);
    case "array":
      return `a list of ${plural(kindOf(def.element!))}`;
    case "record":
      return `an object of names to ${plural(kindOf(def.valueType!))}`;
    case "union":
      // A backing service: which fields it takes depends on its type.
      if (def.discriminator !== undefined)
        return `an object whose ${def.discriminator} is ${oneOf(def.options!.flatMap((option) => literalValues(definitionOf(unwrapped(option)).shape?.[def.discriminator!]).map((value) => JSON.stringify(value))))}`;
      return oneOf([...new Set(def.options!.map(kindOf))]);
    default:
      return "a value of another type";
  }
}

/** `{ cpu?, memory?, limits? }`: an object's fields, optional ones marked, as the spec's messages write them. */
function objectShape(schema: z.ZodType): string {
  const shape = definitionOf(unwrapped(schema)).shape!;
  const fields = Object.entries(shape).map(([key, field]) => (isOptional(field) ? `${key}?` : key));
  return `{ ${fields.join(", ")} }`;
}

function isOptional(schema: z.ZodType): boolean {
  return (schema as unknown as { _zod: { optin?: string } })._zod.optin === "optional";
}

/** `strings` for `a string`, `objects whose type is ...` for `an object whose type is ...`; other kinds as they are. */
function plural(kind: string): string {
  const match = /^an? (.+?)( (?:whose|of) .*)?$/.exec(kind);
  return match ? `${match[1]}s${match[2] ?? ""}` : kind;
}

function oneOf(kinds: readonly string[]): string {
  return kinds.length <= 1 ? (kinds[0] ?? "nothing") : `${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}`;
}

/** An example as a service file would write it: `"256Mi"`, `0.5`, `["catalog"]`, `{ LOG_LEVEL: "info" }`. */
function exampleText(example: unknown): string {
  if (isObject(example))
    return `{ ${Object.entries(example)
      .map(([key, value]) => `${key}: ${exampleText(value)}`)
      .join(", ")} }`;
  if (Array.isArray(example)) return `[${example.map(exampleText).join(", ")}]`;
  return JSON.stringify(example);
}
