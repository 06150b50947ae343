import type { RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication as createCatalog } from "../../catalog/src/application.js";
import { createApplication } from "../src/application.js";

describe("orders, calling the real catalog over HTTP", () => {
  let catalog: RunningApplication;
  let orders: RunningApplication;
  beforeAll(async () => {
    catalog = await startForTest(createCatalog());
    orders = await startForTest(createApplication(), { variables: { CATALOG_URL: catalog.url } });
  });
  afterAll(async () => {
    await orders.stop();
    await catalog.stop();
  });

  const place = (body: unknown) =>
    fetch(`${orders.url}/orders`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });

  it("GIVEN a product of the catalog WHEN an order is placed THEN it is priced from the catalog and can be read back", async () => {
    const placed = await place({ productId: "beans", quantity: 3 });
    const order = (await placed.json()) as { id: string };
    expect(placed.status).toBe(201);
    expect(order).toMatchObject({ productId: "beans", quantity: 3, unitPriceCents: 1_250, totalCents: 3_750 });
    expect(placed.headers.get("location")).toBe(`/orders/${order.id}`);
    expect(await (await fetch(`${orders.url}/orders/${order.id}`)).json()).toEqual(order);
  });

  it("GIVEN a product the catalog does not know WHEN an order is placed THEN it is refused with 422", async () => {
    const placed = await place({ productId: "kettle" });
    expect([placed.status, await placed.json()]).toEqual([
      422,
      { error: 'productId: no product "kettle" in the catalog' },
    ]);
  });

  it("GIVEN a bad quantity WHEN an order is placed THEN it is refused with 400 naming the field and the value", async () => {
    const placed = await place({ productId: "cup", quantity: 0 });
    expect([placed.status, await placed.json()]).toEqual([
      400,
      { error: "quantity: must be a whole number from 1 to 100 (got 0)" },
    ]);
  });

  it("GIVEN the catalog is down WHEN an order is placed THEN orders answers 502 and stays ready", async () => {
    const alone = await startForTest(createApplication(), { variables: { CATALOG_URL: "http://127.0.0.1:9" } });
    try {
      const placed = await fetch(`${alone.url}/orders`, { method: "POST", body: JSON.stringify({ productId: "cup" }) });
      expect([placed.status, await placed.json()]).toEqual([502, { error: "catalog failed" }]);
      expect((await fetch(`${alone.url}/readyz`)).status).toBe(200);
    } finally {
      await alone.stop();
    }
  });
});
