import type { RunningApplication } from "@platform/service-runtime";
import type { ManifestServers } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCatalog, startCatalog } from "../../catalog/test/running-catalog.js";
import { FULFILMENT_JOBS, type MANIFEST, type OrderPlaced } from "../src/application.js";
import { startOrders, startOrdersServers } from "./running-orders.js";

describe("orders, calling the real catalog over HTTP, on a real PostgreSQL and RabbitMQ", () => {
  let catalog: RunningCatalog | undefined;
  let servers: ManifestServers | undefined;
  let orders: RunningApplication<typeof MANIFEST>;
  let replica: RunningApplication<typeof MANIFEST>;
  beforeAll(async () => {
    [catalog, servers] = await Promise.all([startCatalog(), startOrdersServers()]);
    // Two replicas at once on one database: the migration runs once, under its lock.
    [orders, replica] = await Promise.all([
      startOrders(servers, catalog.service.url),
      startOrders(servers, catalog.service.url),
    ]);
  });
  afterAll(async () => {
    await Promise.all([orders?.stop(), replica?.stop()]);
    await Promise.all([catalog?.stop(), servers?.remove()]);
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

  it("GIVEN an order placed on one replica WHEN another replica is asked for it THEN it answers it from the database they share", async () => {
    const order = (await (await place({ productId: "cup", quantity: 2 })).json()) as { id: string };
    const read = await fetch(`${replica.url}/orders/${order.id}`);
    expect([read.status, await read.json()]).toEqual([200, order]);
    const unknown = await fetch(`${replica.url}/orders/00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
  });

  it("GIVEN an order placed WHEN fulfilment's queue is read THEN an order-placed job for it is there", async () => {
    const order = (await (await place({ productId: "grinder", quantity: 1 })).json()) as { id: string };
    const jobs: OrderPlaced[] = [];
    const found = new Promise<void>((resolve) =>
      replica.context.resource("fulfilment.queue").consumeJson(FULFILMENT_JOBS, async (job) => {
        jobs.push(job as OrderPlaced);
        if ((job as OrderPlaced).orderId === order.id) resolve();
      }),
    );
    await found;
    expect(jobs.find((job) => job.orderId === order.id)).toEqual({
      type: "order-placed",
      orderId: order.id,
      productId: "grinder",
      quantity: 1,
    });
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
      { error: "body.quantity: got 0; accepted: >= 1", problems: ["body.quantity: got 0; accepted: >= 1"] },
    ]);
  });

  it("GIVEN the catalog is down WHEN an order is placed THEN orders answers 503 with Retry-After and stays ready", async () => {
    const alone = await startOrders(servers!, "http://127.0.0.1:9");
    try {
      const placed = await fetch(`${alone.url}/orders`, { method: "POST", body: JSON.stringify({ productId: "cup" }) });
      expect([placed.status, placed.headers.get("retry-after"), await placed.json()]).toEqual([
        503,
        "1",
        { error: "catalog is unavailable; try again later" },
      ]);
      expect((await fetch(`${alone.url}/readyz`)).status).toBe(200);
    } finally {
      await alone.stop();
    }
  });
});
