import { describe, expect, it } from "vitest";
import {
  dependenciesWithContract,
  dependencyClientSource,
  identifierOf,
  readDependencyContracts,
  usesDependencyClients,
} from "../../../tools/scaffold/dependency-clients.js";
import { REPOSITORY_ROOT } from "../../support/repository-copy.js";

describe("the typed clients a new service gets of its dependencies", () => {
  it("GIVEN the example services WHEN their contracts are looked for THEN the HTTP services have one, with their first operation, and the worker has none", async () => {
    const contracts = await readDependencyContracts(REPOSITORY_ROOT, ["fulfilment", "orders", "catalog"]);
    expect([...contracts]).toEqual([
      ["orders", { method: "POST", path: "/orders", query: false, body: true }],
      ["catalog", { method: "GET", path: "/products", query: false, body: false }],
    ]);
    expect([...dependenciesWithContract(REPOSITORY_ROOT, ["fulfilment", "orders"])]).toEqual([["orders", null]]);
  });

  it("GIVEN a dependency with a contract and one without WHEN the source is made THEN the first gets a typed client and the second a comment saying how to call it untyped", () => {
    const source = dependencyClientSource(
      ["order-history", "fulfilment"],
      new Map([["order-history", { method: "GET", path: "/orders/:id", query: true, body: false }]]),
    );
    expect(source.dependencyImports).toBe(
      'import type { ServiceContext } from "@platform/service-runtime";\n' +
        'import { contractClient } from "@platform/service-runtime/contract";\n' +
        'import orderHistoryApi from "../../order-history/src/api.js";\n',
    );
    expect(source.dependencyClients).toContain(
      ' * `const answer = await orderHistory.get("/orders/:id", { params: { id }, query });`\n',
    );
    expect(source.dependencyClients).toContain(
      ' * fulfilment has no contract (no services/fulfilment/src/api.ts; a worker serves none):\n * call it untyped, as `await context.dependency("fulfilment").getJson("/path")`.\n',
    );
    expect(source.dependencyClients).toContain(
      '  return {\n    orderHistory: contractClient(orderHistoryApi, context.dependency("order-history")),\n  };\n',
    );
  });

  it("GIVEN only dependencies without a contract WHEN the source is made THEN nothing is imported and a comment says how to call each", () => {
    expect(dependencyClientSource(["fulfilment"], new Map())).toEqual({
      dependencyImports: "",
      dependencyClients:
        '\n// fulfilment has no contract (no services/fulfilment/src/api.ts; a worker serves none):\n// call it untyped, as `await context.dependency("fulfilment").getJson("/path")`.\n',
    });
  });

  it("GIVEN no dependency WHEN the source is made THEN both placeholders are empty", () => {
    expect(dependencyClientSource([], new Map())).toEqual({ dependencyImports: "", dependencyClients: "" });
  });

  it("GIVEN a contract that could not be read WHEN the source is made THEN its client is still made, with a generic example", () => {
    const source = dependencyClientSource(["orders"], new Map([["orders", null]]));
    expect(source.dependencyClients).toContain('`const answer = await orders.get("<a path of its contract>");`');
    expect(source.dependencyClients).toContain('orders: contractClient(ordersApi, context.dependency("orders")),');
  });

  it("GIVEN service names WHEN made identifiers THEN each is a distinct identifier", () => {
    expect(["orders", "order-history", "a-1", "a1"].map(identifierOf)).toEqual(["orders", "orderHistory", "a_1", "a1"]);
  });

  it("GIVEN template texts WHEN checked for the placeholders THEN only those holding one are found", () => {
    expect(
      ["{{dependencyImports}}import x;", "a\n{{dependencyClients}}\n", "{{name}}"].map(usesDependencyClients),
    ).toEqual([true, true, false]);
  });
});
