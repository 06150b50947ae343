import { operationsOf, validateRequest, validateResponse } from "@platform/service-runtime/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogContract } from "./catalog-contract.js";

const operations = catalogContract.operations;

describe("operationsOf", () => {
  it("GIVEN a contract WHEN listed THEN each operation has its name, method, path and schemas, in declared order", () => {
    const listed = operationsOf(catalogContract);
    expect(listed.map((o) => `${o.name} ${o.method} ${o.path}`)).toEqual([
      "getProduct GET /products/:id",
      "listProducts GET /products",
      "createProduct POST /products",
      "deleteProduct DELETE /products/:id",
    ]);
    expect(listed[0]?.params).toBe(operations.getProduct.params);
    expect(listed[2]?.body).toBe(operations.createProduct.body);
    expect(Object.keys(listed[0]?.responses ?? {})).toEqual(["200", "404"]);
  });
});

describe("validateRequest", () => {
  it("GIVEN a request the operation accepts WHEN validated THEN the parsed values come back (query coerced)", () => {
    expect(validateRequest(operations.listProducts, { params: {}, query: { limit: "5" } })).toEqual({
      ok: true,
      params: {},
      query: { limit: 5 },
      body: undefined,
    });
    expect(validateRequest(operations.createProduct, { body: { name: "Cup", priceCents: 450 } })).toEqual({
      ok: true,
      params: {},
      query: {},
      body: { name: "Cup", priceCents: 450 },
    });
  });

  it("GIVEN bad params, query and body WHEN validated THEN each problem names the field, the value and what is accepted", () => {
    expect(validateRequest(operations.getProduct, { params: { id: "" } })).toEqual({
      ok: false,
      problems: ['params.id: got ""; accepted: a length >= 1'],
    });
    expect(validateRequest(operations.listProducts, { query: { limit: "500" } })).toEqual({
      ok: false,
      problems: ['query.limit: got "500"; accepted: <= 100'],
    });
    expect(validateRequest(operations.createProduct, { body: { name: "Cup", priceCents: "4.50" } })).toEqual({
      ok: false,
      problems: ['body.priceCents: got "4.50"; accepted: number'],
    });
    expect(validateRequest(operations.createProduct, {})).toEqual({
      ok: false,
      problems: ["body: got nothing; accepted: object"],
    });
  });

  it("GIVEN nested, enum, format and unknown-key problems WHEN validated THEN fields are paths and each problem is one line", () => {
    const operation = {
      body: z.strictObject({
        items: z.array(z.object({ sku: z.string(), size: z.enum(["S", "M", "L"]) })),
        email: z.email(),
      }),
    };
    const result = validateRequest(operation, {
      body: {
        items: [
          { sku: "a", size: "M" },
          { sku: 7, size: "XL" },
        ],
        email: "nobody",
        extra: true,
      },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        "body.items[1].sku: got 7; accepted: string",
        'body.items[1].size: got "XL"; accepted: one of "S", "M", "L"',
        'body.email: got "nobody"; accepted: an email',
        "body.extra: got true; accepted: no such field",
      ],
    });
  });
});

describe("validateResponse", () => {
  it("GIVEN declared answers WHEN validated THEN the parsed body comes back", () => {
    expect(validateResponse(operations.getProduct, 404, { error: "no product cup" })).toEqual({
      ok: true,
      body: { error: "no product cup" },
    });
    expect(validateResponse(operations.deleteProduct, 204, undefined)).toEqual({ ok: true, body: undefined });
  });

  it("GIVEN an undeclared status or a body of another shape WHEN validated THEN the one-line problem says which", () => {
    expect(validateResponse(operations.getProduct, 500, { error: "internal error" })).toEqual({
      ok: false,
      problem: "answered 500, a status its contract does not declare; declared: 200, 404",
    });
    expect(validateResponse(operations.getProduct, 200, { id: "cup", name: "Cup", priceCents: "4.50" })).toEqual({
      ok: false,
      problem:
        'answered 200 with a body that does not match its contract: body.priceCents: got "4.50"; accepted: number',
    });
  });
});
