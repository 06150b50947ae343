import { z } from "zod";
import { isNoBody } from "./bodies.js";
import type { Contract } from "./define-contract.js";
import { HTTP_METHODS, declaredStatuses, openApiPath, type ObjectSchema } from "./operation.js";
import { RUNTIME_RESPONSE_REASONS, isRuntimeResponse, responsesWithRuntime } from "./runtime-responses.js";

/** A JSON Schema (2020-12), as OpenAPI 3.1 embeds it. */
type JsonSchema = { [key: string]: unknown };

/** An OpenAPI 3.1 document, as {@link toOpenApi} makes it. */
export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components?: { readonly schemas: Record<string, JsonSchema> };
}

/** What {@link toOpenApi} puts in the document besides the contract. */
export interface OpenApiOptions {
  /** `info.version`. @default "0.0.0" */
  readonly version?: string;
}

/**
 * The contract as an OpenAPI 3.1.0 document: one path per route (`{id}` parameters), the
 * operation's name as its operationId, its params and query as parameters, its body as
 * the JSON request body, its answers as JSON responses (`noBody` as a response without
 * content), and the answers the runtime gives by itself (400, 413, 500, 502, 503; see
 * {@link RUNTIME_RESPONSES}) where the operation does not declare them. Schemas are zod's own JSON
 * Schema (2020-12, the dialect of OpenAPI 3.1): requests as the schemas accept them
 * (`io: "input"`), responses as they produce them. The same contract always gives the
 * same document, keys in the same order: paths sorted, methods in a fixed order,
 * statuses ascending. A schema JSON Schema cannot express (a date, a transform's output)
 * throws, naming the operation.
 */
export function toOpenApi(contract: Contract, options: OpenApiOptions = {}): OpenApiDocument {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const operations = Object.entries(contract.operations).sort(
    ([, a], [, b]) =>
      compare(openApiPath(a.path), openApiPath(b.path)) ||
      HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method),
  );
  for (const [name, operation] of operations) {
    const schemaOf = (schema: z.ZodType, io: "input" | "output", what: string): JsonSchema => {
      let converted: JsonSchema;
      try {
        converted = z.toJSONSchema(schema, { io, target: "draft-2020-12" }) as JsonSchema;
      } catch (error) {
        throw new Error(
          `${contract.service}: operation "${name}": ${what} cannot be written as JSON Schema (${(error as Error).message}); accepted: schemas of JSON values`,
        );
      }
      return embedded(converted, components);
    };
    const parameters = [
      ...parametersOf(operation.params, "path", (s) => schemaOf(s, "input", "params")),
      ...parametersOf(operation.query, "query", (s) => schemaOf(s, "input", "query")),
    ];
    const responses: Record<string, unknown> = {};
    const answers = { responses: responsesWithRuntime(operation) };
    for (const status of declaredStatuses(answers)) {
      const schema = answers.responses[status] as z.ZodType;
      responses[String(status)] = {
        description: isRuntimeResponse(operation, status)
          ? RUNTIME_RESPONSE_REASONS[status as keyof typeof RUNTIME_RESPONSE_REASONS]
          : `${status} answer of ${name}`,
        ...(isNoBody(schema)
          ? {}
          : { content: { "application/json": { schema: schemaOf(schema, "output", `responses.${status}`) } } }),
      };
    }
    const path = openApiPath(operation.path);
    paths[path] ??= {};
    paths[path][operation.method.toLowerCase()] = {
      operationId: name,
      ...(operation.summary === undefined ? {} : { summary: operation.summary }),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(operation.body === undefined
        ? {}
        : {
            requestBody: {
              required: !operation.body.safeParse(undefined).success,
              content: { "application/json": { schema: schemaOf(operation.body, "input", "body") } },
            },
          }),
      responses,
    };
  }
  const names = Object.keys(components).sort(compare);
  return {
    openapi: "3.1.0",
    info: { title: contract.service, version: options.version ?? "0.0.0" },
    paths,
    ...(names.length === 0
      ? {}
      : { components: { schemas: Object.fromEntries(names.map((n) => [n, components[n]])) } }),
  };
}

/** The parameters of an object schema: one per key, required unless the key may be left out. */
function parametersOf(
  schema: ObjectSchema | undefined,
  location: "path" | "query",
  schemaOf: (schema: z.ZodType) => JsonSchema,
): unknown[] {
  if (schema === undefined) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: location,
    required: location === "path" || (field as z.ZodType)._zod.optin !== "optional",
    schema: schemaOf(field as z.ZodType),
  }));
}

/**
 * A converted schema made fit to sit inside the document: without its `$schema`, its
 * `$defs` (recursive or named schemas) moved to `components.schemas` under a name no other
 * schema uses, and its references pointed there.
 */
function embedded(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _dialect, $defs, ...rest } = schema;
  const renamed = new Map<string, string>();
  const definitions = ($defs ?? {}) as Record<string, JsonSchema>;
  for (const name of Object.keys(definitions)) {
    let unique = name;
    for (let n = 2; unique in components || [...renamed.values()].includes(unique); n++) unique = `${name}_${n}`;
    renamed.set(name, unique);
  }
  const pointed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(pointed);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => {
        if (key === "$ref" && typeof child === "string") {
          if (child === "#") throw new Error("a schema that refers to itself whole cannot be embedded");
          const match = /^#\/\$defs\/(.+)$/.exec(child);
          if (match) return [key, `#/components/schemas/${renamed.get(match[1] as string) ?? match[1]}`];
        }
        return [key, pointed(child)];
      }),
    );
  };
  for (const [name, definition] of Object.entries(definitions))
    components[renamed.get(name) as string] = pointed(definition) as JsonSchema;
  return pointed(rest) as JsonSchema;
}

/** A stable order that does not depend on the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
