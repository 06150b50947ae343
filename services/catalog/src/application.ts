import { HttpError, type Application } from "@platform/service-runtime";
import { MANIFEST } from "./manifest.js";

/** A product and its price, in cents to keep sums exact. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

/** The catalogue: a fixed list here; a real catalogue reads a database in onStart. */
export const PRODUCTS: readonly Product[] = [
  { id: "cup", name: "Espresso cup", priceCents: 900 },
  { id: "grinder", name: "Hand grinder", priceCents: 5_900 },
  { id: "beans", name: "Beans, 250 g", priceCents: 1_250 },
];

/** The catalog service: lists products and answers one product's price. */
export function createApplication(): Application {
  return {
    manifest: MANIFEST,
    routes(router) {
      router.get("/products", () => ({ body: { products: PRODUCTS } }));
      router.get("/products/:id", ({ params }) => {
        const product = PRODUCTS.find((p) => p.id === params.id);
        if (!product) throw new HttpError(404, `no product ${JSON.stringify(params.id)}`);
        return { body: product };
      });
    },
  };
}
