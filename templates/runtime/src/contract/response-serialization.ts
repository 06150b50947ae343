import { z } from "zod";
import { isNoBody } from "./bodies.js";
import type { OperationDefinition } from "./operation.js";

/** A JSON Schema, as Fastify's serializer compiler (fast-json-stringify) takes it. */
export type SerializationSchema = { [key: string]: unknown };

/**
 * The JSON Schema of each answer of an operation that has a body, by status, for Fastify
 * to serialize the handler's answers with (fast-json-stringify): faster than
 * `JSON.stringify`, and the answer is what the contract declares, in production too.
 *
 * - A field the schema does not declare is left out (zod's `z.object` strips it too);
 *   `additionalProperties: false` is removed, so that a union's branch is chosen among
 *   the branches by the fields it declares, extra fields or not, as zod does.
 * - A missing field with a `.default()` is written with its default.
 * - A body the schema does not fit (a required field missing, a union no branch of which
 *   matches) makes the serializer throw: the runtime answers 500 and logs an error line.
 *   A value of a convertible type is converted as fast-json-stringify does (a number for
 *   a string field is written as a string), not refused.
 *
 * Schemas are zod's JSON Schema of the output (draft-07, which fast-json-stringify reads),
 * as the OpenAPI document describes the answers.
 */
export function responseSerializationSchemas(
  operation: Pick<OperationDefinition, "responses">,
): Record<number, SerializationSchema> {
  const schemas: Record<number, SerializationSchema> = {};
  for (const [status, schema] of Object.entries(operation.responses)) {
    if (isNoBody(schema)) continue;
    const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, { io: "output", target: "draft-7" });
    schemas[Number(status)] = withoutClosedObjects(converted) as SerializationSchema;
  }
  return schemas;
}

/** `schema` with every `additionalProperties: false` left out. */
function withoutClosedObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutClosedObjects);
  if (typeof schema !== "object" || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === "additionalProperties" && value === false))
      .map(([key, value]) => [key, key === "const" || key === "default" ? value : withoutClosedObjects(value)]),
  );
}
