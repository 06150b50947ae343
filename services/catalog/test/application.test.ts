import type { RunningApplication } from "@platform/service-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheKey, type MANIFEST } from "../src/application.js";
import { type RunningCatalog, startCatalog } from "./running-catalog.js";

describe("catalog, on a real PostgreSQL and Redis", () => {
  let running: RunningCatalog | undefined;
  let catalog: RunningApplication<typeof MANIFEST> | undefined;
  beforeAll(async () => {
    running = await startCatalog();
    catalog = running.service;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("GIVEN the seeded database WHEN /products is called THEN every product is listed with its price", async () => {
    const response = await fetch(`${catalog!.url}/products`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      products: [
        { id: "beans", name: "Beans, 250 g", priceCents: 1_250 },
        { id: "cup", name: "Espresso cup", priceCents: 900 },
        { id: "grinder", name: "Hand grinder", priceCents: 5_900 },
      ],
    });
  });

  it("GIVEN a product id WHEN /products/:id is called twice after its price changed in the database THEN the second answer comes from the cache, until the cache entry goes", async () => {
    const get = async () => (await fetch(`${catalog!.url}/products/grinder`)).json();
    expect(await get()).toEqual({ id: "grinder", name: "Hand grinder", priceCents: 5_900 });
    await catalog!.context.resource("db").query("UPDATE products SET price_cents = 6100 WHERE id = 'grinder'");
    expect(await get()).toMatchObject({ priceCents: 5_900 });
    expect(await catalog!.context.resource("cache").ttl(cacheKey("grinder"))).toBeGreaterThan(0);
    await catalog!.context.resource("cache").del(cacheKey("grinder"));
    expect(await get()).toMatchObject({ priceCents: 6_100 });
  });

  it("GIVEN an unknown id WHEN /products/:id is called THEN it answers 404 naming the id, and caches nothing", async () => {
    const response = await fetch(`${catalog!.url}/products/kettle`);
    expect([response.status, await response.json()]).toEqual([404, { error: 'no product "kettle"' }]);
    expect(await catalog!.context.resource("cache").exists(cacheKey("kettle"))).toBe(0);
  });
});
