import { HttpError, type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/** A product and its price, in cents to keep sums exact. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
}

/** How long a product stays in the cache: a price changed in the database shows within it. */
export const CACHE_SECONDS = 60;

/** The cache key of a product. */
export function cacheKey(id: string): string {
  return `product:${id}`;
}

const SELECT_PRODUCTS = 'SELECT id, name, price_cents AS "priceCents" FROM products';

/**
 * The catalog service: lists products and answers one product's price. The products
 * are in its PostgreSQL database (migrations/ creates and seeds them); one product's
 * answer is cached in its Redis for {@link CACHE_SECONDS}, since orders asks for a price
 * on every order.
 */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    routes(router, context) {
      router.get("/products", async () => {
        const { rows } = await context.resource("db").query<Product>(`${SELECT_PRODUCTS} ORDER BY id`);
        return { body: { products: rows } };
      });
      router.get("/products/:id", async ({ params, log }) => {
        const id = params.id!;
        const cache = context.resource("cache");
        const cached = await cache.get(cacheKey(id));
        if (cached !== null) return { body: JSON.parse(cached) as Product };
        const { rows } = await context.resource("db").query<Product>(`${SELECT_PRODUCTS} WHERE id = $1`, [id]);
        const product = rows[0];
        if (!product) throw new HttpError(404, `no product ${JSON.stringify(id)}`);
        await cache.set(cacheKey(id), JSON.stringify(product), { expiration: { type: "EX", value: CACHE_SECONDS } });
        log.debug({ productId: id }, "product cached");
        return { body: product };
      });
    },
  };
}
