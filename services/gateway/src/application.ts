import { type Application, type DependencyClient, type RouteResponse, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/**
 * The gateway: the shop's public API. It owns no data; it passes each call to the
 * service that owns it (products to catalog, orders to orders) and passes their answer
 * back. A dependency's server error becomes a 502, so the shop never shows another
 * service's internals.
 */
export function createApplication(): Application {
  return {
    manifest: MANIFEST,
    routes(router, context) {
      const catalog = context.dependency("catalog");
      const orders = context.dependency("orders");

      router.get("/api/products", () => relay(catalog, "GET", "/products"));
      router.get("/api/products/:id", ({ params }) =>
        relay(catalog, "GET", `/products/${encodeURIComponent(params.id!)}`),
      );
      router.post("/api/orders", async (request) => relay(orders, "POST", "/orders", await request.json()));
      router.get("/api/orders/:id", ({ params }) => relay(orders, "GET", `/orders/${encodeURIComponent(params.id!)}`));
    },
  };
}

async function relay(client: DependencyClient, method: string, path: string, body?: unknown): Promise<RouteResponse> {
  const answer = await client.request(method, path, body);
  if (answer.status >= 500) return { status: 502, body: { error: `${client.name} failed` } };
  return { status: answer.status, body: answer.body };
}
