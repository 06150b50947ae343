import SwaggerParser from "@apidevtools/swagger-parser";
import { defineContract, errorBody, invalidRequestBody, toOpenApi } from "@platform/service-runtime/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogContract } from "./catalog-contract.js";

/** What swagger-parser (a validator no one here wrote) says of a document: "valid" or its complaint. */
async function verdictOf(document: unknown): Promise<string> {
  try {
    // It dereferences the document it is given in place: a copy, so the test keeps its own.
    await SwaggerParser.validate(structuredClone(document) as never);
    return "valid";
  } catch (error) {
    return (error as Error).message;
  }
}

/** The operation of `document` at `path` and `method`; fails the test when there is none. */
function operationOf(document: { paths: Record<string, Record<string, unknown>> }, path: string, method: string) {
  const operation = document.paths[path]?.[method];
  if (operation === undefined) throw new Error(`no ${method} ${path} in the document`);
  return operation as Record<string, unknown> & { parameters: unknown[] };
}

/** `errorBody` as the document writes it. */
const errorSchema = {
  type: "object",
  properties: { error: { type: "string" } },
  required: ["error"],
  additionalProperties: false,
};

describe("toOpenApi", () => {
  it("GIVEN a small contract WHEN written as OpenAPI THEN paths, parameters, body and responses are there", () => {
    const document = toOpenApi(catalogContract, { version: "1.2.3" });
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toEqual({ title: "catalog", version: "1.2.3" });
    expect(Object.keys(document.paths)).toEqual(["/products", "/products/{id}"]);
    expect(Object.keys(document.paths["/products"] ?? {})).toEqual(["get", "post"]);
    expect(Object.keys(document.paths["/products/{id}"] ?? {})).toEqual(["get", "delete"]);
    expect(document.paths["/products/{id}"]?.get).toEqual({
      operationId: "getProduct",
      summary: "One product by its id",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", minLength: 1 } }],
      responses: {
        "200": {
          description: "200 answer of getProduct",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  id: { type: "string" },
                  name: { type: "string" },
                  priceCents: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
                },
                required: ["id", "name", "priceCents"],
                additionalProperties: false,
              },
            },
          },
        },
        "400": {
          description: "the runtime's answer: the request does not match the contract (each problem in problems)",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { error: { type: "string" }, problems: { type: "array", items: { type: "string" } } },
                required: ["error", "problems"],
                additionalProperties: false,
              },
            },
          },
        },
        "404": {
          description: "404 answer of getProduct",
          content: { "application/json": { schema: errorSchema } },
        },
        "413": {
          description: "the runtime's answer: the body is larger than the runtime accepts",
          content: { "application/json": { schema: errorSchema } },
        },
        "500": {
          description: "the runtime's answer: the handler failed",
          content: { "application/json": { schema: errorSchema } },
        },
        "502": {
          description: "the runtime's answer: a dependency answered badly",
          content: { "application/json": { schema: errorSchema } },
        },
        "503": {
          description:
            "the runtime's answer: a dependency is unavailable, or the service is overloaded; try again after Retry-After seconds",
          content: { "application/json": { schema: errorSchema } },
        },
      },
    });
    const list = document.paths["/products"]?.get as { parameters: unknown[] };
    expect(list.parameters).toEqual([
      { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100 } },
    ]);
    expect(Object.keys(operationOf(document, "/products/{id}", "delete").responses as object)).toEqual([
      "204",
      "400",
      "404",
      "413",
      "500",
      "502",
      "503",
    ]);
    expect((operationOf(document, "/products/{id}", "delete").responses as Record<string, unknown>)["204"]).toEqual({
      description: "204 answer of deleteProduct",
    });
    const create = document.paths["/products"]?.post as { requestBody: unknown };
    expect(create.requestBody).toEqual({
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: {
              name: { type: "string", minLength: 1 },
              priceCents: expect.objectContaining({ type: "integer" }),
            },
            required: ["name", "priceCents"],
          },
        },
      },
    });
  });

  it("GIVEN an operation that declares 400 and 502 itself WHEN written THEN its own schemas are kept, and the runtime's other answers added", () => {
    const ownErrors = defineContract({
      service: "shop",
      operations: {
        order: {
          method: "POST",
          path: "/orders",
          body: z.object({ n: z.number() }),
          responses: {
            201: z.object({ id: z.string() }),
            // Its own 400 keeps the runtime's (defineContract refuses one that does not), with a field of its own.
            400: invalidRequestBody.extend({ reason: z.string().optional() }),
            502: errorBody,
          },
        },
      },
    });
    const responses = operationOf(toOpenApi(ownErrors), "/orders", "post").responses as Record<
      string,
      { description: string; content: { "application/json": { schema: { properties: object } } } }
    >;
    expect(Object.keys(responses)).toEqual(["201", "400", "413", "500", "502", "503"]);
    expect(responses["400"]?.description).toBe("400 answer of order");
    expect(Object.keys(responses["400"]?.content["application/json"].schema.properties ?? {})).toEqual([
      "error",
      "problems",
      "reason",
    ]);
    expect(responses["502"]?.description).toBe("502 answer of order");
    expect(responses["413"]?.description).toBe("the runtime's answer: the body is larger than the runtime accepts");
  });

  it("GIVEN the same contract twice WHEN written THEN the documents are the same text", () => {
    expect(JSON.stringify(toOpenApi(catalogContract))).toBe(JSON.stringify(toOpenApi(catalogContract)));
    expect(toOpenApi(catalogContract).info.version).toBe("0.0.0");
  });

  it("GIVEN the contract's document WHEN swagger-parser validates it THEN it is valid OpenAPI 3.1", async () => {
    expect(await verdictOf(toOpenApi(catalogContract))).toBe("valid");
  });

  it("GIVEN a broken document WHEN swagger-parser validates it THEN it is refused (the check can fail)", async () => {
    // A parameter in the body, which OpenAPI 2 had and 3.x does not.
    const bodyParameter = structuredClone(toOpenApi(catalogContract)) as {
      paths: Record<string, Record<string, unknown>>;
    };
    operationOf(bodyParameter, "/products", "get").parameters.push({ name: "x", in: "body" });
    expect(await verdictOf(bodyParameter)).toMatch(/^Swagger schema validation failed/);
  });

  it("GIVEN a recursive schema used by two operations WHEN written THEN its definitions are components the references reach", async () => {
    type Category = { name: string; children: Category[] };
    const category: z.ZodType<Category> = z.object({ name: z.string(), children: z.array(z.lazy(() => category)) });
    const tree = z.object({ root: category });
    const contract = defineContract({
      service: "catalog",
      operations: {
        one: { method: "GET", path: "/tree", responses: { 200: tree } },
        two: { method: "PUT", path: "/tree", body: tree, responses: { 200: tree, 400: invalidRequestBody } },
      },
    });
    const document = toOpenApi(contract);
    const text = JSON.stringify(document);
    expect(text).not.toContain("#/$defs/");
    expect(text).toContain("#/components/schemas/");
    expect(Object.keys(document.components?.schemas ?? {}).length).toBeGreaterThan(1);
    expect(await verdictOf(document)).toBe("valid");
  });

  it("GIVEN a schema JSON Schema cannot express WHEN written THEN the operation and the part are named", () => {
    const contract = defineContract({
      service: "catalog",
      operations: { when: { method: "GET", path: "/time", responses: { 200: z.object({ at: z.date() }) } } },
    });
    expect(() => toOpenApi(contract)).toThrow(
      /^catalog: operation "when": responses\.200 cannot be written as JSON Schema \(.*\); accepted: schemas of JSON values$/,
    );
  });
});
