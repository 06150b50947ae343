import {
  ContractError,
  defineContract,
  errorBody,
  invalidRequestBody,
  isContract,
} from "@platform/service-runtime/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { catalogContract } from "./catalog-contract.js";

const ok = z.object({ ok: z.boolean() });

/** The message defineContract throws for `definition`. */
function refusal(definition: unknown): string {
  try {
    defineContract(definition as Parameters<typeof defineContract>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return (error as Error).message;
  }
  throw new Error("defineContract accepted the definition");
}

describe("defineContract", () => {
  it("GIVEN a valid contract WHEN defined THEN it is kept as written and recognised as a contract", () => {
    expect(isContract(catalogContract)).toBe(true);
    expect(isContract({ service: "catalog", operations: {} })).toBe(false);
    expect(catalogContract.service).toBe("catalog");
    expect(Object.keys(catalogContract.operations)).toEqual([
      "getProduct",
      "listProducts",
      "createProduct",
      "deleteProduct",
    ]);
    expect(catalogContract.operations.getProduct.responses[404]).toBe(errorBody);
  });

  it("GIVEN two operations on one method and path WHEN defined THEN the file, both operations and the rule are named", () => {
    const message = refusal({
      service: "catalog",
      operations: {
        getProduct: {
          method: "GET",
          path: "/products/:id",
          params: z.object({ id: z.string() }),
          responses: { 200: ok },
        },
        getBySku: {
          method: "GET",
          path: "/products/:sku",
          params: z.object({ sku: z.string() }),
          responses: { 200: ok },
        },
      },
    });
    expect(message).toBe(
      'services/catalog/src/api.ts: the contract is invalid:\n  operation "getBySku": GET /products/:sku is also operation "getProduct"; accepted: one operation per method and path',
    );
  });

  it("GIVEN one path with two methods WHEN defined THEN it is accepted", () => {
    expect(() =>
      defineContract({
        service: "catalog",
        operations: {
          get: { method: "GET", path: "/items/:id", params: z.object({ id: z.string() }), responses: { 200: ok } },
          put: { method: "PUT", path: "/items/:id", params: z.object({ id: z.string() }), responses: { 200: ok } },
        },
      }),
    ).not.toThrow();
  });

  it("GIVEN a path parameter missing from params WHEN defined THEN the parameter and the accepted params are named", () => {
    expect(
      refusal({
        service: "catalog",
        operations: { getProduct: { method: "GET", path: "/products/:id", responses: { 200: ok } } },
      }),
    ).toContain(
      'operation "getProduct": path parameter ":id" of /products/:id is not in params; accepted: params: z.object({...}) with exactly the path\'s parameters (id)',
    );
  });

  it("GIVEN a params key that is not in the path WHEN defined THEN the key is named", () => {
    expect(
      refusal({
        service: "catalog",
        operations: {
          getProduct: {
            method: "GET",
            path: "/products/:id",
            params: z.object({ id: z.string(), sku: z.string() }),
            responses: { 200: ok },
          },
        },
      }),
    ).toContain('operation "getProduct": params key "sku" is not a parameter of the path /products/:id');
  });

  it.each([
    ["products", "it does not start with '/'"],
    ["/products/", "it has an empty segment or ends with '/'"],
    ["/products//x", "it has an empty segment or ends with '/'"],
    ["/products/{id}", 'segment "{id}" is neither a literal nor a ":name" parameter'],
    ["/products?x=1", 'segment "products?x=1" is neither a literal nor a ":name" parameter'],
    ["/a/:id/b/:id", 'the parameter ":id" appears twice'],
  ])("GIVEN the malformed path %s WHEN defined THEN the path and why are named", (path, why) => {
    expect(
      refusal({ service: "catalog", operations: { op: { method: "GET", path, responses: { 200: ok } } } }),
    ).toContain(`operation "op": path: got ${JSON.stringify(path)} (${why}); accepted: "/" then segments`);
  });

  it.each(["/", "/health-check", "/v1/products/:id/reviews", "/a.b_c~d"])(
    "GIVEN the well-formed path %s WHEN defined THEN it is accepted",
    (path) => {
      const params = path.includes(":id") ? { params: z.object({ id: z.string() }) } : {};
      expect(() =>
        defineContract({
          service: "catalog",
          operations: { op: { method: "GET", path, ...params, responses: { 200: ok } } },
        }),
      ).not.toThrow();
    },
  );

  it.each(["HEAD", "get", "OPTIONS"])(
    "GIVEN the method %s WHEN defined THEN the accepted methods are listed",
    (method) => {
      expect(
        refusal({ service: "catalog", operations: { op: { method, path: "/x", responses: { 200: ok } } } }),
      ).toContain(`operation "op": method: got "${method}"; accepted: GET, POST, PUT, PATCH, DELETE`);
    },
  );

  it.each(["GET", "POST", "PUT", "PATCH", "DELETE"])(
    "GIVEN the method %s WHEN defined THEN it is accepted",
    (method) => {
      expect(() =>
        defineContract({
          service: "catalog",
          operations: { op: { method: method as "GET", path: "/x", responses: { 200: ok } } },
        }),
      ).not.toThrow();
    },
  );

  it("GIVEN no 2xx response WHEN defined THEN the declared statuses and what is accepted are named", () => {
    expect(
      refusal({
        service: "catalog",
        operations: { op: { method: "GET", path: "/x", responses: { 404: errorBody, 500: errorBody } } },
      }),
    ).toContain('operation "op": responses: no 2xx status (got 404, 500); accepted: at least one success, like 200');
  });

  it("GIVEN a 400 declared as { error } WHEN defined THEN it is refused: the runtime's own 400 carries problems, which that schema would cut from the document and the clients", () => {
    expect(
      refusal({
        service: "catalog",
        operations: { op: { method: "POST", path: "/x", body: ok, responses: { 201: ok, 400: errorBody } } },
      }),
    ).toContain(
      'operation "op": responses.400: the runtime answers 400 by itself with {"error":"query.limit: got \\"x\\"; accepted: number","problems":["query.limit: got \\"x\\"; accepted: number"]}, which this schema does not keep whole; accepted: a schema that keeps it (invalidRequestBody), or no 400 (the runtime\'s is declared for every operation)',
    );
  });

  it("GIVEN the runtime's statuses declared with schemas that keep its answers WHEN defined THEN they are accepted", () => {
    expect(() =>
      defineContract({
        service: "catalog",
        operations: {
          op: {
            method: "POST",
            path: "/x",
            body: ok,
            responses: { 201: ok, 400: invalidRequestBody, 413: errorBody, 500: errorBody, 502: errorBody },
          },
        },
      }),
    ).not.toThrow();
  });

  it("GIVEN a response that is not a zod schema, a bad status and a body on GET WHEN defined THEN each is named", () => {
    const message = refusal({
      service: "catalog",
      operations: {
        op: { method: "GET", path: "/x", body: ok, responses: { 200: { type: "object" }, 99: ok } },
      },
    });
    expect(message).toContain('operation "op": body: a GET operation takes no body');
    expect(message).toContain(
      'operation "op": responses: status "99" is not accepted; accepted: an HTTP status, 100 to 599',
    );
    expect(message).toContain(
      'operation "op": responses.200: got {"type":"object"}; accepted: a zod schema of the body',
    );
  });

  it("GIVEN a service name that is no DNS label WHEN defined THEN the file is src/api.ts and the name is refused", () => {
    expect(
      refusal({ service: "Catalog", operations: { op: { method: "GET", path: "/x", responses: { 200: ok } } } }),
    ).toBe(
      'src/api.ts: the contract is invalid:\n  service: got "Catalog"; accepted: the service\'s name (its folder under services/), a DNS-1035 label',
    );
  });
});
