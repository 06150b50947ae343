import { describe, expect, it } from "vitest";
import { compareContracts } from "../../../../../tools/infra-diff/analysis/contracts/compare-contracts.js";
import type { OpenApiDocument } from "../../../../../tools/infra-diff/analysis/contracts/openapi.js";

/**
 * Contract changes as infra:diff classifies them, on OpenAPI 3.1 documents shaped like
 * the ones `npm run synth` writes (schemas by zod 4's `z.toJSONSchema`: objects with
 * `additionalProperties: false`, `.nullable()` as `anyOf` with `{ type: "null" }`).
 */

type Schema = Record<string, unknown>;

const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

const PRODUCT = object({
  id: { type: "string" },
  priceCents: { type: "integer" },
  currency: { type: "string", enum: ["EUR", "USD"] },
});

/** The catalog's contract: GET /products/{id}, GET /products?category=, POST /orders. */
function catalog(
  edit: {
    product?: Schema;
    query?: Record<string, unknown>[];
    order?: Schema;
    responses?: Record<string, unknown>;
    extraPaths?: Record<string, unknown>;
    dropList?: boolean;
  } = {},
): OpenApiDocument {
  const json = (schema: Schema) => ({ content: { "application/json": { schema } } });
  return {
    openapi: "3.1.0",
    info: { title: "catalog", version: "1.0.0" },
    paths: {
      "/products/{id}": {
        get: {
          operationId: "getProduct",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: edit.responses ?? {
            "200": json(edit.product ?? PRODUCT),
            "404": json(object({ error: { type: "string" } })),
          },
        },
      },
      ...(edit.dropList
        ? {}
        : {
            "/products": {
              get: {
                operationId: "listProducts",
                parameters: edit.query ?? [
                  { name: "category", in: "query", required: false, schema: { type: "string" } },
                ],
                responses: { "200": json(object({ items: { type: "array", items: edit.product ?? PRODUCT } })) },
              },
            },
          }),
      "/orders": {
        post: {
          operationId: "placeOrder",
          requestBody: {
            required: true,
            ...json(
              edit.order ??
                object(
                  {
                    sku: { type: "string" },
                    quantity: { type: "integer" },
                    note: { type: "string" },
                    shipping: { type: "string", enum: ["standard", "express"] },
                  },
                  ["sku", "quantity"],
                ),
            ),
          },
          responses: { "200": json(object({ orderId: { type: "string" } })) },
        },
      },
      ...edit.extraPaths,
    },
  };
}

const ORDER_FIELDS = {
  sku: { type: "string" },
  quantity: { type: "integer" },
  note: { type: "string" },
  shipping: { type: "string", enum: ["standard", "express"] },
};

/** The changes as `[severity, code, description]`. */
function changes(base: OpenApiDocument | undefined, head: OpenApiDocument | undefined) {
  return compareContracts(base, head).map((c) => [c.severity, c.code, c.description]);
}

describe("compareContracts", () => {
  it("GIVEN the same document WHEN compared THEN nothing changes", () => {
    expect(changes(catalog(), catalog())).toEqual([]);
  });

  describe("operations", () => {
    it("GIVEN an operation removed WHEN compared THEN it is breaking; added back THEN it is additive", () => {
      expect(changes(catalog(), catalog({ dropList: true }))).toEqual([
        ["breaking", "operation-removed", "GET /products removed"],
      ]);
      expect(changes(catalog({ dropList: true }), catalog())).toEqual([
        ["additive", "operation-added", "GET /products added"],
      ]);
    });

    it("GIVEN a path parameter renamed WHEN compared THEN nothing changes: callers send the same URL", () => {
      const head = catalog();
      const paths = head.paths as Record<string, Record<string, Record<string, unknown>>>;
      const get = paths["/products/{id}"]!.get!;
      paths["/products/{productId}"] = {
        get: { ...get, parameters: [{ name: "productId", in: "path", required: true, schema: { type: "string" } }] },
      };
      delete paths["/products/{id}"];
      expect(changes(catalog(), head)).toEqual([]);
    });

    it("GIVEN no document on the head WHEN compared THEN every operation is removed", () => {
      expect(changes(catalog(), undefined).map(([, code, d]) => `${code}: ${d}`)).toEqual([
        "operation-removed: GET /products/{id} removed",
        "operation-removed: GET /products removed",
        "operation-removed: POST /orders removed",
      ]);
    });
  });

  describe("responses", () => {
    it("GIVEN a response field removed (renamed) WHEN compared THEN it is breaking; the new name is additive", () => {
      const renamed = object({
        id: { type: "string" },
        price: { type: "integer" },
        currency: { type: "string", enum: ["EUR", "USD"] },
      });
      expect(changes(catalog(), catalog({ product: renamed }))).toEqual([
        ["breaking", "response-field-removed", "GET /products/{id}: response 200 field priceCents removed"],
        ["breaking", "response-field-removed", "GET /products: response 200 field items[].priceCents removed"],
        ["additive", "response-field-required", "GET /products/{id}: response 200 field price added as required"],
        ["additive", "response-field-required", "GET /products: response 200 field items[].price added as required"],
      ]);
    });

    it("GIVEN a response field added as optional WHEN compared THEN it is response-field-added; added as required THEN response-field-required (a caller's new client refuses an answer without it)", () => {
      const withName = (required: string[]) =>
        object({ ...(PRODUCT.properties as Record<string, Schema>), name: { type: "string" } }, required);
      expect(changes(catalog(), catalog({ product: withName(["id", "priceCents", "currency"]) }))[0]).toEqual([
        "additive",
        "response-field-added",
        "GET /products/{id}: response 200 field name added",
      ]);
      expect(changes(catalog(), catalog({ product: withName(["id", "priceCents", "currency", "name"]) }))[0]).toEqual([
        "additive",
        "response-field-required",
        "GET /products/{id}: response 200 field name added as required",
      ]);
    });

    it("GIVEN a response field retyped WHEN compared THEN it is breaking, in nested arrays too", () => {
      const retyped = { ...PRODUCT, properties: { ...(PRODUCT.properties as object), priceCents: { type: "string" } } };
      expect(changes(catalog(), catalog({ product: retyped }))).toEqual([
        [
          "breaking",
          "response-field-retyped",
          "GET /products/{id}: response 200 field priceCents retyped: integer -> string",
        ],
        [
          "breaking",
          "response-field-retyped",
          "GET /products: response 200 field items[].priceCents retyped: integer -> string",
        ],
      ]);
    });

    it("GIVEN a response field made nullable WHEN compared THEN it is breaking; made non-null again THEN additive", () => {
      const nullable = {
        ...PRODUCT,
        properties: {
          ...(PRODUCT.properties as object),
          priceCents: { anyOf: [{ type: "integer" }, { type: "null" }] },
        },
      };
      expect(changes(catalog(), catalog({ product: nullable }))[0]).toEqual([
        "breaking",
        "response-field-retyped",
        "GET /products/{id}: response 200 field priceCents retyped: integer -> integer | null",
      ]);
      expect(changes(catalog({ product: nullable }), catalog())[0]).toEqual([
        "additive",
        "response-type-narrowed",
        "GET /products/{id}: response 200 field priceCents is now only integer",
      ]);
    });

    it("GIVEN a response field made optional WHEN compared THEN it is breaking; made required THEN additive", () => {
      const optional = { ...PRODUCT, required: ["id", "currency"] };
      expect(changes(catalog(), catalog({ product: optional }))[0]).toEqual([
        "breaking",
        "response-field-optional",
        "GET /products/{id}: response 200 field priceCents made optional: callers that read it may find it absent",
      ]);
      expect(changes(catalog({ product: optional }), catalog())[0]).toEqual([
        "additive",
        "response-field-required",
        "GET /products/{id}: response 200 field priceCents now always present",
      ]);
    });

    it("GIVEN a response enum with a new value WHEN compared THEN it is breaking (older callers do not expect it); a value removed THEN additive", () => {
      const wider = {
        ...PRODUCT,
        properties: { ...(PRODUCT.properties as object), currency: { type: "string", enum: ["EUR", "USD", "GBP"] } },
      };
      expect(changes(catalog(), catalog({ product: wider }))[0]).toEqual([
        "breaking",
        "response-enum-widened",
        'GET /products/{id}: response 200 field currency may now be "GBP", which callers do not expect',
      ]);
      expect(changes(catalog({ product: wider }), catalog())[0]).toEqual([
        "additive",
        "response-enum-narrowed",
        'GET /products/{id}: response 200 field currency is no longer "GBP"',
      ]);
    });

    it("GIVEN a response status removed WHEN compared THEN it is breaking; a status added THEN breaking too (older typed clients refuse it)", () => {
      const only200 = { "200": { content: { "application/json": { schema: PRODUCT } } } };
      expect(changes(catalog(), catalog({ responses: only200 }))).toEqual([
        [
          "breaking",
          "response-status-removed",
          "GET /products/{id}: response 404 no longer declared: callers that handle it get an answer they did not expect",
        ],
      ]);
      expect(changes(catalog({ responses: only200 }), catalog())).toEqual([
        [
          "breaking",
          "response-status-added",
          "GET /products/{id}: response 404 added: callers built on the contract without it refuse an answer with this status",
        ],
      ]);
    });

    it("GIVEN a response without a body WHEN it gets a JSON body THEN it is breaking (an older typed client expects none); the reverse too", () => {
      const noBody = { "200": { content: { "application/json": { schema: PRODUCT } } }, "204": {} };
      const withBody = {
        "200": { content: { "application/json": { schema: PRODUCT } } },
        "204": { content: { "application/json": { schema: PRODUCT } } },
      };
      expect(changes(catalog({ responses: noBody }), catalog({ responses: withBody }))).toEqual([
        [
          "breaking",
          "response-body-added",
          "GET /products/{id}: response 204 body added: the response has a JSON body now, which callers built on a contract without one refuse",
        ],
      ]);
      expect(changes(catalog({ responses: withBody }), catalog({ responses: noBody }))).toEqual([
        [
          "breaking",
          "response-field-removed",
          "GET /products/{id}: response 204 body removed: the response has no JSON body now",
        ],
      ]);
    });

    it("GIVEN every declared status WHEN a field of the 404 body is removed THEN that is breaking too", () => {
      const responses = {
        "200": { content: { "application/json": { schema: PRODUCT } } },
        "404": { content: { "application/json": { schema: object({}) } } },
      };
      expect(changes(catalog(), catalog({ responses }))).toEqual([
        ["breaking", "response-field-removed", "GET /products/{id}: response 404 field error removed"],
      ]);
    });
  });

  describe("requests", () => {
    it("GIVEN a request body field made required WHEN compared THEN it is breaking; made optional THEN additive", () => {
      const noteRequired = object(ORDER_FIELDS, ["sku", "quantity", "note"]);
      expect(changes(catalog(), catalog({ order: noteRequired }))).toEqual([
        ["breaking", "request-field-required", "POST /orders: request body field note made required"],
      ]);
      expect(changes(catalog({ order: noteRequired }), catalog())).toEqual([
        ["additive", "request-field-optional", "POST /orders: request body field note made optional"],
      ]);
    });

    it("GIVEN a request body field added as required WHEN compared THEN it is breaking; added optional THEN additive", () => {
      const withCoupon = (required: string[]) =>
        object({ ...ORDER_FIELDS, coupon: { type: "string" } }, ["sku", "quantity", ...required]);
      expect(changes(catalog(), catalog({ order: withCoupon(["coupon"]) }))).toEqual([
        ["breaking", "request-field-required", "POST /orders: request body field coupon added as required"],
      ]);
      expect(changes(catalog(), catalog({ order: withCoupon([]) }))).toEqual([
        ["additive", "request-field-added", "POST /orders: request body field coupon added (optional)"],
      ]);
    });

    it("GIVEN a request body field removed from a closed object WHEN compared THEN it is breaking: callers that send it are refused", () => {
      const { note: _, ...rest } = ORDER_FIELDS;
      expect(changes(catalog(), catalog({ order: object(rest, ["sku", "quantity"]) }))).toEqual([
        [
          "breaking",
          "request-field-removed",
          "POST /orders: request body field note removed: callers that still send it are refused",
        ],
      ]);
    });

    it("GIVEN a request field retyped WHEN compared THEN it is breaking; widened (integer -> number) THEN additive", () => {
      const retyped = object({ ...ORDER_FIELDS, quantity: { type: "string" } }, ["sku", "quantity"]);
      expect(changes(catalog(), catalog({ order: retyped }))).toEqual([
        ["breaking", "request-field-retyped", "POST /orders: request body field quantity retyped: integer -> string"],
      ]);
      const widened = object({ ...ORDER_FIELDS, quantity: { type: "number" } }, ["sku", "quantity"]);
      expect(changes(catalog(), catalog({ order: widened }))).toEqual([
        ["additive", "request-type-widened", "POST /orders: request body field quantity now also accepts number"],
      ]);
      expect(changes(catalog({ order: widened }), catalog())[0]?.slice(0, 2)).toEqual([
        "breaking",
        "request-field-retyped",
      ]);
    });

    it("GIVEN a request enum value removed WHEN compared THEN it is breaking; a value added THEN additive", () => {
      const narrower = object({ ...ORDER_FIELDS, shipping: { type: "string", enum: ["standard"] } }, [
        "sku",
        "quantity",
      ]);
      expect(changes(catalog(), catalog({ order: narrower }))).toEqual([
        ["breaking", "request-enum-narrowed", 'POST /orders: request body field shipping no longer accepts "express"'],
      ]);
      expect(changes(catalog({ order: narrower }), catalog())).toEqual([
        ["additive", "request-enum-widened", 'POST /orders: request body field shipping now also accepts "express"'],
      ]);
    });

    it("GIVEN a query parameter made required, added as required, or removed WHEN compared THEN each is breaking; added optional THEN additive", () => {
      const category = (required: boolean) => ({ name: "category", in: "query", required, schema: { type: "string" } });
      const limit = (required: boolean) => ({ name: "limit", in: "query", required, schema: { type: "integer" } });
      expect(changes(catalog(), catalog({ query: [category(true)] }))).toEqual([
        ["breaking", "request-field-required", "GET /products: query parameter category made required"],
      ]);
      expect(changes(catalog(), catalog({ query: [category(false), limit(true)] }))).toEqual([
        ["breaking", "request-field-required", "GET /products: query parameter limit added as required"],
      ]);
      expect(changes(catalog(), catalog({ query: [category(false), limit(false)] }))).toEqual([
        ["additive", "request-field-added", "GET /products: query parameter limit added (optional)"],
      ]);
      expect(changes(catalog(), catalog({ query: [] }))).toEqual([
        [
          "breaking",
          "request-field-removed",
          "GET /products: query parameter category removed: callers that still send it are ignored",
        ],
      ]);
    });

    it("GIVEN a query parameter's enum narrowed WHEN compared THEN it is breaking", () => {
      const sort = (values: string[]) => [
        { name: "category", in: "query", required: false, schema: { type: "string" } },
        { name: "sort", in: "query", required: false, schema: { type: "string", enum: values } },
      ];
      expect(changes(catalog({ query: sort(["price", "name"]) }), catalog({ query: sort(["price"]) }))).toEqual([
        ["breaking", "request-enum-narrowed", 'GET /products: query parameter sort no longer accepts "name"'],
      ]);
    });

    it("GIVEN a request body that now refuses undeclared fields WHEN compared THEN it is breaking; accepting them again THEN additive", () => {
      const open = { ...object(ORDER_FIELDS, ["sku", "quantity"]), additionalProperties: true };
      expect(changes(catalog({ order: open }), catalog())).toEqual([
        ["breaking", "request-closed", "POST /orders: request body now refuses fields it does not declare"],
      ]);
      expect(changes(catalog(), catalog({ order: open }))).toEqual([
        ["additive", "request-opened", "POST /orders: request body now accepts fields it does not declare"],
      ]);
    });

    it("GIVEN a request body removed WHEN compared THEN it is breaking; an optional body added THEN additive, a required one breaking", () => {
      const withoutBody = catalog();
      const post = (withoutBody.paths as Record<string, Record<string, Record<string, unknown>>>)["/orders"]!.post!;
      const body = post.requestBody as Record<string, unknown>;
      delete post.requestBody;
      expect(changes(catalog(), withoutBody)).toEqual([
        [
          "breaking",
          "request-body-removed",
          "POST /orders: request body removed: callers that still send one are ignored",
        ],
      ]);
      expect(changes(withoutBody, catalog())).toEqual([
        ["breaking", "request-field-required", "POST /orders: request body added as required"],
      ]);
      post.requestBody = { ...body, required: false };
      expect(changes(catalog(), withoutBody)).toEqual([
        ["additive", "request-field-optional", "POST /orders: request body made optional"],
      ]);
      const withoutAgain = catalog();
      delete (withoutAgain.paths as Record<string, Record<string, Record<string, unknown>>>)["/orders"]!.post!
        .requestBody;
      expect(changes(withoutAgain, withoutBody)).toEqual([
        ["additive", "request-body-added", "POST /orders: request body added (optional)"],
      ]);
    });

    it("GIVEN an object query parameter whose nested field is made required WHEN compared THEN the field is named below the parameter", () => {
      const filter = (required: string[]) => [
        { name: "category", in: "query", required: false, schema: { type: "string" } },
        { name: "filter", in: "query", required: false, schema: object({ tag: { type: "string" } }, required) },
      ];
      expect(changes(catalog({ query: filter([]) }), catalog({ query: filter(["tag"]) }))).toEqual([
        ["breaking", "request-field-required", "GET /products: query parameter filter.tag made required"],
      ]);
    });
  });

  describe("references and what cannot be classified", () => {
    /** The catalog with its product schema in components, referred to from both operations. */
    const withComponents = (product: Schema): OpenApiDocument => {
      const document = catalog({ product: { $ref: "#/components/schemas/Product" } });
      return { ...document, components: { schemas: { Product: product } } };
    };

    it("GIVEN the product schema behind a $ref WHEN a field of it is removed THEN it is found through the reference", () => {
      const { priceCents: _, ...rest } = PRODUCT.properties as Record<string, Schema>;
      expect(changes(withComponents(PRODUCT), withComponents(object(rest))).map(([, , d]) => d)).toEqual([
        "GET /products/{id}: response 200 field priceCents removed",
        "GET /products: response 200 field items[].priceCents removed",
      ]);
    });

    it("GIVEN the same schema inline on one side and behind a $ref on the other WHEN compared THEN nothing changes", () => {
      expect(changes(catalog(), withComponents(PRODUCT))).toEqual([]);
    });

    it("GIVEN zod's $defs beside the schema WHEN a nested field changes type THEN it is found", () => {
      const tree = (valueType: string): Schema => ({
        $defs: { Price: object({ cents: { type: valueType } }) },
        ...object({ id: { type: "string" }, price: { $ref: "#/$defs/Price" } }),
      });
      expect(changes(catalog({ product: tree("integer") }), catalog({ product: tree("number") }))[0]).toEqual([
        "breaking",
        "response-field-retyped",
        "GET /products/{id}: response 200 field price.cents retyped: integer -> number",
      ]);
    });

    it("GIVEN a recursive schema WHEN compared with itself THEN it ends, and nothing changes", () => {
      const category: Schema = {
        $defs: {
          Category: object({
            name: { type: "string" },
            children: { type: "array", items: { $ref: "#/$defs/Category" } },
          }),
        },
        $ref: "#/$defs/Category",
      };
      expect(changes(catalog({ product: category }), catalog({ product: category }))).toEqual([]);
    });

    it("GIVEN a union that is more than X-or-null changed WHEN compared THEN it is breaking and says it cannot classify it", () => {
      const union = (extra: Schema[]) => ({
        ...PRODUCT,
        properties: {
          ...(PRODUCT.properties as object),
          discount: { anyOf: [{ type: "integer" }, { type: "string" }, ...extra] },
        },
      });
      expect(changes(catalog({ product: union([]) }), catalog({ product: union([{ type: "boolean" }]) }))[0]).toEqual([
        "breaking",
        "unclassified-change",
        "GET /products/{id}: response 200 field discount changed in a way infra:diff cannot classify (anyOf)",
      ]);
    });

    it("GIVEN a $ref that leads nowhere on the head WHEN compared THEN it is breaking, not silently equal", () => {
      const broken = catalog({ product: { $ref: "#/components/schemas/Missing" } });
      expect(changes(catalog(), broken)[0]?.slice(0, 2)).toEqual(["breaking", "unclassified-change"]);
    });
  });

  describe("bounds, formats, and schemas that accept nothing", () => {
    const MAX_SAFE = Number.MAX_SAFE_INTEGER;
    /** `.int()` as zod writes it: the safe-integer range as bounds. */
    const int = (bounds: Schema = {}): Schema => ({
      type: "integer",
      minimum: -MAX_SAFE,
      maximum: MAX_SAFE,
      ...bounds,
    });
    const uuid = {
      type: "string",
      format: "uuid",
      pattern: "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$",
    };
    const order = (quantity: Schema, sku: Schema = { type: "string" }) =>
      catalog({ order: object({ ...ORDER_FIELDS, quantity, sku }, ["sku", "quantity"]) });
    const product = (priceCents: Schema, id: Schema = { type: "string" }) =>
      catalog({ product: object({ id, priceCents, currency: { type: "string", enum: ["EUR", "USD"] } }) });

    it("GIVEN .int() and .uuid() unchanged beside another change WHEN compared THEN only that change is listed", () => {
      const before = catalog({ order: object({ ...ORDER_FIELDS, quantity: int(), sku: uuid }, ["sku", "quantity"]) });
      const after = catalog({
        order: object({ ...ORDER_FIELDS, quantity: int(), sku: uuid, gift: { type: "boolean" } }, ["sku", "quantity"]),
      });
      expect(changes(before, after)).toEqual([
        ["additive", "request-field-added", "POST /orders: request body field gift added (optional)"],
      ]);
    });

    it("GIVEN a response number made .int() WHEN compared THEN it is only a narrowed type, not an unclassified change of the safe-integer bounds", () => {
      expect(changes(product({ type: "number" }), product(int()))).toEqual([
        ["additive", "response-type-narrowed", "GET /products/{id}: response 200 field priceCents is now only integer"],
        [
          "additive",
          "response-type-narrowed",
          "GET /products: response 200 field items[].priceCents is now only integer",
        ],
      ]);
    });

    it("GIVEN a request bound narrowed (a higher minimum, a lower maxLength) WHEN compared THEN it is breaking; widened THEN additive", () => {
      expect(changes(order(int({ minimum: 1 })), order(int({ minimum: 5 })))).toEqual([
        [
          "breaking",
          "request-bound-narrowed",
          "POST /orders: request body field quantity now refuses what it accepted (minimum 1 -> 5)",
        ],
      ]);
      expect(changes(order(int({ minimum: 5 })), order(int({ minimum: 1 })))).toEqual([
        [
          "additive",
          "request-bound-widened",
          "POST /orders: request body field quantity now accepts more (minimum 5 -> 1)",
        ],
      ]);
      const sku = (maxLength?: number) =>
        order({ type: "integer" }, { type: "string", ...(maxLength ? { maxLength } : {}) });
      expect(changes(sku(20), sku(10))[0]?.slice(0, 2)).toEqual(["breaking", "request-bound-narrowed"]);
      expect(changes(sku(), sku(10))).toEqual([
        [
          "breaking",
          "request-bound-narrowed",
          "POST /orders: request body field sku now refuses what it accepted (maxLength none -> 10)",
        ],
      ]);
      expect(changes(sku(10), sku())[0]?.slice(0, 2)).toEqual(["additive", "request-bound-widened"]);
    });

    it("GIVEN a response bound narrowed WHEN compared THEN it is additive; widened THEN breaking (callers may get what they refuse)", () => {
      expect(changes(product(int({ maximum: 100 })), product(int({ maximum: 50 })))[0]).toEqual([
        "additive",
        "response-bound-narrowed",
        "GET /products/{id}: response 200 field priceCents is now within narrower bounds (maximum 100 -> 50)",
      ]);
      expect(changes(product(int({ maximum: 50 })), product(int({ maximum: 100 })))[0]).toEqual([
        "breaking",
        "response-bound-widened",
        "GET /products/{id}: response 200 field priceCents may now be outside the bounds callers check (maximum 50 -> 100)",
      ]);
    });

    it("GIVEN a format added to a request field WHEN compared THEN it is breaking; removed THEN additive; for a response the reverse", () => {
      expect(changes(order({ type: "integer" }), order({ type: "integer" }, uuid))).toEqual([
        [
          "breaking",
          "request-bound-narrowed",
          'POST /orders: request body field sku now refuses what it accepted (format none -> "uuid", pattern)',
        ],
      ]);
      expect(changes(order({ type: "integer" }, uuid), order({ type: "integer" }))[0]?.slice(0, 2)).toEqual([
        "additive",
        "request-bound-widened",
      ]);
      expect(changes(product(int()), product(int(), uuid))[0]?.slice(0, 2)).toEqual([
        "additive",
        "response-bound-narrowed",
      ]);
      expect(changes(product(int(), uuid), product(int()))[0]?.slice(0, 2)).toEqual([
        "breaking",
        "response-bound-widened",
      ]);
    });

    it("GIVEN one format replaced by another WHEN compared THEN it is breaking and unclassified", () => {
      const email = { type: "string", format: "email" };
      expect(changes(order({ type: "integer" }, uuid), order({ type: "integer" }, email))[0]?.slice(0, 2)).toEqual([
        "breaking",
        "unclassified-change",
      ]);
    });

    it("GIVEN a request field whose schema becomes false or { not: {} } (z.never(): nothing accepted) WHEN compared THEN it is breaking, never a widening to any type", () => {
      for (const nothing of [false, { not: {} }] as unknown as Schema[]) {
        const found = changes(order({ type: "integer" }), order(nothing));
        expect(found.length).toBeGreaterThan(0);
        expect(found.every(([severity]) => severity === "breaking")).toBe(true);
        expect(found[0]?.[2]).toBe("POST /orders: request body field quantity retyped: integer -> nothing");
      }
    });

    it("GIVEN a request field that accepted nothing (false) WHEN it accepts an integer THEN it is additive; a response field that becomes false THEN it is additive (no value is sent)", () => {
      expect(changes(order(false as unknown as Schema), order({ type: "integer" }))).toEqual([
        ["additive", "request-type-widened", "POST /orders: request body field quantity now also accepts integer"],
      ]);
      expect(changes(product({ type: "integer" }), product(false as unknown as Schema))[0]?.slice(0, 2)).toEqual([
        "additive",
        "response-type-narrowed",
      ]);
    });
  });
});
