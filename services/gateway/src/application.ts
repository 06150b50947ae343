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
        listProducts: async () => relay("catalog", await catalog.get("/products"), [200]),
        getProduct: async ({ params }) => relay("catalog", await catalog.get("/products/:id", { params }), [200, 404]),
        placeOrder: async ({ body }) => relay("orders", await orders.post("/orders", { body }), [201, 400, 422]),
        getOrder: async ({ params }) => relay("orders", await orders.get("/orders/:id", { params }), [200, 404]),
      });
    },
  };
}

/**
 * A dependency's answer with one of the `passed` statuses, passed back as it is; any other
 * (its server errors, a 503 of orders, and the runtime's own 400 or 413 to a request it
 * refused, which the gateway's checks should have caught) as a 502.
 */
function relay<A extends { readonly status: number; readonly body: unknown }, S extends A["status"]>(
  dependency: string,
  answer: A,
  passed: readonly S[],
): Extract<A, { readonly status: S }> | { status: 502; body: { error: string } } {
  if (!(passed as readonly number[]).includes(answer.status))
    return { status: 502, body: { error: `${dependency} failed` } };
  return answer as Extract<A, { readonly status: S }>;
}
