import { defineContract, errorBody, invalidRequestBody, z } from "@platform/service-runtime/contract";
import { product } from "../../catalog/src/api.js";
import { newOrder, order } from "../../orders/src/api.js";

/**
 * The shop's public API, as the gateway serves it: catalog's products and orders' orders
 * under /api, with the same shapes as theirs (their schemas, imported), and a 502 when
 * the service behind fails. `npm run synth` writes it as cdktf.out/api/gateway.openapi.json.
 */
export default defineContract({
  service: "gateway",
  operations: {
    listProducts: {
      method: "GET",
      path: "/api/products",
      summary: "Every product, by id (from catalog).",
      responses: { 200: z.object({ products: z.array(product) }), 502: errorBody },
    },
    getProduct: {
      method: "GET",
      path: "/api/products/:id",
      summary: "One product and its price (from catalog).",
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: product, 404: errorBody, 502: errorBody },
    },
    placeOrder: {
      method: "POST",
      path: "/api/orders",
      summary: "Places an order (with orders).",
      body: newOrder,
      responses: { 201: order, 400: invalidRequestBody, 422: errorBody, 502: errorBody },
    },
    getOrder: {
      method: "GET",
      path: "/api/orders/:id",
      summary: "One order, as it was placed (from orders).",
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: order, 404: errorBody, 502: errorBody },
    },
  },
});
