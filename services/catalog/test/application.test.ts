import type { RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRODUCTS, createApplication } from "../src/application.js";

describe("catalog", () => {
  let catalog: RunningApplication;
  beforeAll(async () => {
    catalog = await startForTest(createApplication());
  });
  afterAll(() => catalog.stop());

  it("GIVEN the catalogue WHEN /products is called THEN every product is listed with its price", async () => {
    const response = await fetch(`${catalog.url}/products`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ products: PRODUCTS });
  });

  it("GIVEN a product id WHEN /products/:id is called THEN that product is answered", async () => {
    const response = await fetch(`${catalog.url}/products/grinder`);
    expect(await response.json()).toEqual({ id: "grinder", name: "Hand grinder", priceCents: 5_900 });
  });

  it("GIVEN an unknown id WHEN /products/:id is called THEN it answers 404 naming the id", async () => {
    const response = await fetch(`${catalog.url}/products/kettle`);
    expect([response.status, await response.json()]).toEqual([404, { error: 'no product "kettle"' }]);
  });
});
