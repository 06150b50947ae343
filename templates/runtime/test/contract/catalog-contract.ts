import { defineContract, errorBody, noBody } from "@platform/service-runtime/contract";
import { z } from "zod";

/** A product, as the test catalog answers it. */
export const product = z.object({ id: z.string(), name: z.string(), priceCents: z.number().int().min(0) });

/** A small contract of a catalog, the tests' dependency. */
export const catalogContract = defineContract({
  service: "catalog",
  operations: {
    getProduct: {
      method: "GET",
      path: "/products/:id",
      summary: "One product by its id",
      params: z.object({ id: z.string().min(1) }),
      responses: { 200: product, 404: errorBody },
    },
    listProducts: {
      method: "GET",
      path: "/products",
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
      responses: { 200: z.object({ products: z.array(product) }) },
    },
    createProduct: {
      method: "POST",
      path: "/products",
      body: z.object({ name: z.string().min(1), priceCents: z.number().int().min(0) }),
      responses: { 201: product, 409: errorBody },
    },
    deleteProduct: {
      method: "DELETE",
      path: "/products/:id",
      params: z.object({ id: z.string() }),
      responses: { 204: noBody, 404: errorBody },
    },
  },
});
