import { defineContract, errorBody, invalidRequestBody, z } from "@platform/service-runtime/contract";

/** The largest quantity one order may hold. */
export const MAX_QUANTITY = 100;

/** An accepted order, priced by the catalog when it was placed. */
export const order = z.object({
  id: z.uuid(),
  productId: z.string().min(1),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  unitPriceCents: z.number().int().nonnegative(),
  totalCents: z.number().int().nonnegative(),
});

/** An order as orders answers it. */
export type Order = z.output<typeof order>;

/** What placing an order takes: a product id and a quantity (1 when left out). */
export const newOrder = z.object({
  productId: z.string().min(1),
  quantity: z.number().int().min(1).max(MAX_QUANTITY).default(1),
});

/**
 * The orders API, as the gateway calls it through its typed client. `npm run synth`
 * writes it as cdktf.out/api/orders.openapi.json.
 */
export default defineContract({
  service: "orders",
  operations: {
    placeOrder: {
      method: "POST",
      path: "/orders",
      summary: "Prices an order from the catalog, stores it and hands it to fulfilment.",
      body: newOrder,
      responses: { 201: order, 400: invalidRequestBody, 422: errorBody, 503: errorBody },
    },
    getOrder: {
      method: "GET",
      path: "/orders/:id",
      summary: "One order, as it was placed.",
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: order, 404: errorBody },
    },
  },
});
