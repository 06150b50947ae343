import { defineContract, errorBody, z } from "@platform/service-runtime/contract";

/** A product and its price, in cents to keep sums exact. */
export const product = z.object({
  id: z.string().min(1),
  name: z.string(),
  priceCents: z.number().int().nonnegative(),
});

/** A product as the catalog answers it. */
export type Product = z.output<typeof product>;

/**
 * The catalog's API: what it answers, as its callers (orders, the gateway) see it through
 * their typed clients. `npm run synth` writes it as cdktf.out/api/catalog.openapi.json,
 * and infra:diff lists a change that would break a caller.
 */
export default defineContract({
  service: "catalog",
  operations: {
    listProducts: {
      method: "GET",
      path: "/products",
      summary: "Every product, by id.",
      responses: { 200: z.object({ products: z.array(product) }) },
    },
    getProduct: {
      method: "GET",
      path: "/products/:id",
      summary: "One product and its price.",
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: product, 404: errorBody },
    },
  },
});
