import { type Application, manifestOf } from "@platform/service-runtime";
import { contractClient } from "@platform/service-runtime/contract";
import catalogApi from "../../catalog/src/api.js";
import ordersApi from "../../orders/src/api.js";
import spec from "../service.js";
import api from "./api.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/**
 * The gateway: the shop's public API. It owns no data; it passes each call to the
 * service that owns it (products to catalog, orders to orders) through their typed
 * clients, and passes their answer back. Its own API (src/api.ts) takes their shapes, so
 * an order is checked before it is passed on (a 400 names the field). A dependency's
 * server error, or an answer its contract does not declare, becomes a 502, so the shop
 * never shows another service's internals.
 */
export function createApplication(): Application {
  return {
    manifest: MANIFEST,
    contract: api,
    routes(router, context) {
      const catalog = contractClient(catalogApi, context.dependency("catalog"));
      const orders = contractClient(ordersApi, context.dependency("orders"));

      router.implement(api, {
        listProducts: async () => relay("catalog", await catalog.get("/products")),
        getProduct: async ({ params }) => relay("catalog", await catalog.get("/products/:id", { params })),
        placeOrder: async ({ body }) => relay("orders", await orders.post("/orders", { body })),
        getOrder: async ({ params }) => relay("orders", await orders.get("/orders/:id", { params })),
      });
    },
  };
}

/** A dependency's answer, passed back as it is; its server errors (a 503 of orders) as a 502. */
function relay<A extends { readonly status: number; readonly body: unknown }>(
  dependency: string,
  answer: A,
): Exclude<A, { readonly status: 500 | 501 | 502 | 503 | 504 }> | { status: 502; body: { error: string } } {
  if (answer.status >= 500) return { status: 502, body: { error: `${dependency} failed` } };
  return answer as Exclude<A, { readonly status: 500 | 501 | 502 | 503 | 504 }>;
}
