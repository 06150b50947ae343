import { type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";
import api, { type Product } from "./api.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/** How long a product stays in the cache: a price changed in the database shows within it. */
export const CACHE_SECONDS = 60;

/** The cache key of a product. */
export function cacheKey(id: string): string {
  return `product:${id}`;
}

const SELECT_PRODUCTS = 'SELECT id, name, price_cents AS "priceCents" FROM products';

/**
 * The catalog service: lists products and answers one product's price, as its contract
 * (src/api.ts) declares; the runtime checks every request against it. The products
 * are in its PostgreSQL database (migrations/ creates and seeds them); one product's
 * answer is cached in its Redis for {@link CACHE_SECONDS}, since orders asks for a price
 * on every order.
 */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    contract: api,
    routes(router, context) {
      router.implement(api, {
        listProducts: async () => {
          const { rows } = await context.resource("db").query<Product>(`${SELECT_PRODUCTS} ORDER BY id`);
          return { status: 200, body: { products: rows } };
        },
        getProduct: async ({ params: { id }, log }) => {
          const cache = context.resource("cache");
          const cached = await cache.get(cacheKey(id));
          if (cached !== null) return { status: 200, body: JSON.parse(cached) as Product };
          const { rows } = await context.resource("db").query<Product>(`${SELECT_PRODUCTS} WHERE id = $1`, [id]);
          const product = rows[0];
          if (!product) return { status: 404, body: { error: `no product ${JSON.stringify(id)}` } };
          await cache.set(cacheKey(id), JSON.stringify(product), { expiration: { type: "EX", value: CACHE_SECONDS } });
          log.debug({ productId: id }, "product cached");
          return { status: 200, body: product };
        },
      });
    },
  };
}
