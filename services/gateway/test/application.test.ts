import type { RunningApplication } from "@platform/service-runtime";
import { type ManifestServers, startForTest } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCatalog, startCatalog } from "../../catalog/test/running-catalog.js";
import { startOrders, startOrdersServers } from "../../orders/test/running-orders.js";
import { createApplication } from "../src/application.js";

describe("the call chain gateway -> orders -> catalog, over HTTP on loopback ports", () => {
  const catalogLogs: Array<Record<string, unknown>> = [];
  let running: RunningCatalog | undefined;
  let servers: ManifestServers | undefined;
  let catalog: RunningApplication;
  let orders: RunningApplication;
  let gateway: RunningApplication;
  beforeAll(async () => {
    // GIVEN the three services, wired by the variables the platform sets, on real data servers
    [running, servers] = await Promise.all([startCatalog({ logs: catalogLogs }), startOrdersServers()]);
    catalog = running.service;
    orders = await startOrders(servers, catalog.url);
    gateway = await startForTest(createApplication(), {
      variables: { CATALOG_URL: catalog.url, ORDERS_URL: orders.url },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await orders?.stop();
    await Promise.all([running?.stop(), servers?.remove()]);
  });

  it("WHEN the shop lists products through the gateway THEN the catalog's list comes back", async () => {
    const response = await fetch(`${gateway.url}/api/products`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { products: Array<{ id: string }> }).products.map((p) => p.id)).toEqual([
      "beans",
      "cup",
      "grinder",
    ]);
  });

  it("WHEN an order is placed through the gateway THEN orders prices it from the catalog, and the request id reaches the catalog", async () => {
    const placed = await fetch(`${gateway.url}/api/orders`, {
      method: "POST",
      body: JSON.stringify({ productId: "grinder", quantity: 2 }),
      headers: { "content-type": "application/json", "x-request-id": "shop-checkout-7" },
    });
    const order = (await placed.json()) as { id: string };
    expect(placed.status).toBe(201);
    expect(order).toMatchObject({ productId: "grinder", quantity: 2, unitPriceCents: 5_900, totalCents: 11_800 });
    expect(catalogLogs).toContainEqual(
      expect.objectContaining({ msg: "request", route: "/products/:id", status: 200, requestId: "shop-checkout-7" }),
    );

    const read = await fetch(`${gateway.url}/api/orders/${order.id}`);
    expect([read.status, await read.json()]).toEqual([200, order]);
  });

  it("WHEN an order names an unknown product THEN the gateway passes on the refusal of orders", async () => {
    const placed = await fetch(`${gateway.url}/api/orders`, {
      method: "POST",
      body: JSON.stringify({ productId: "kettle" }),
    });
    expect([placed.status, await placed.json()]).toEqual([
      422,
      { error: 'productId: no product "kettle" in the catalog' },
    ]);
  });

  it("WHEN each service is scraped THEN each counted the requests it served, by route", async () => {
    const scrape = async (service: { url: string }) => (await fetch(`${service.url}/metrics`)).text();
    expect(await scrape(gateway)).toMatch(/http_requests_total\{route="\/api\/orders",method="POST",status="201"\} 1/);
    expect(await scrape(orders)).toMatch(/http_requests_total\{route="\/orders",method="POST",status="201"\} 1/);
    expect(await scrape(catalog)).toMatch(
      /http_requests_total\{route="\/products\/:id",method="GET",status="200"\} \d/,
    );
  });
});

describe("the gateway when orders is down", () => {
  it("GIVEN orders unreachable WHEN an order is placed THEN the gateway answers 503 with Retry-After, without details", async () => {
    const gateway = await startForTest(createApplication(), {
      variables: { CATALOG_URL: "http://127.0.0.1:9", ORDERS_URL: "http://127.0.0.1:9" },
    });
    try {
      const placed = await fetch(`${gateway.url}/api/orders`, {
        method: "POST",
        body: JSON.stringify({ productId: "cup" }),
      });
      expect([placed.status, placed.headers.get("retry-after"), await placed.json()]).toEqual([
        503,
        "1",
        { error: "orders is unavailable; try again later" },
      ]);
    } finally {
      await gateway.stop();
    }
  });
});
