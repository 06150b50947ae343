import { randomUUID } from "node:crypto";
import { DependencyError, HttpError, type Application, manifestOf } from "@platform/service-runtime";
import { contractClient } from "@platform/service-runtime/contract";
import catalogApi from "../../catalog/src/api.js";
import fulfilment from "../../fulfilment/service.js";
import spec from "../service.js";
import api, { type Order } from "./api.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec, { uses: { "fulfilment.queue": fulfilment } });

/** The queue of fulfilment's job queue that an order-placed job goes to. */
export const FULFILMENT_JOBS = "jobs";

/** The job fulfilment gets for each order placed. */
export interface OrderPlaced {
  readonly type: "order-placed";
  readonly orderId: string;
  readonly productId: string;
  readonly quantity: number;
}

const SELECT_ORDER = `SELECT id, product_id AS "productId", quantity, unit_price_cents AS "unitPriceCents",
  total_cents AS "totalCents" FROM orders WHERE id = $1`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The orders service (its API in src/api.ts, which the runtime checks every request
 * against): takes an order, prices it from the catalog, stores it in its
 * PostgreSQL database (every replica sees every order; migrations/ makes the table) and
 * hands it to fulfilment as an order-placed job on fulfilment's queue (`uses` in
 * service.ts). The job is published, and confirmed by the broker, inside the
 * transaction that stores the order: an order the broker refused is not stored (503).
 * An order stored after a job was published can fail only at its commit, which leaves
 * fulfilment a job without an order; a transactional outbox would close that gap.
 */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    contract: api,
    routes(router, context) {
      // Typed from catalog's contract: a path it does not have is a type error, and an
      // answer it does not declare (a status, a field) is a DependencyError (502).
      const catalog = contractClient(catalogApi, context.dependency("catalog"));

      router.implement(api, {
        placeOrder: async ({ body: { productId, quantity }, log }) => {
          const product = await catalog.get("/products/:id", { params: { id: productId } });
          if (product.status === 404)
            return {
              status: 422,
              body: { error: `productId: no product ${JSON.stringify(productId)} in the catalog` },
            };
          // Catalog's own failures (its 500 or 502) and the runtime's refusals (400, 413): a 502.
          if (!product.ok)
            throw new DependencyError(
              "catalog",
              `getProduct answered ${product.status}: ${product.body.error}`,
              product.status,
            );
          const order: Order = {
            id: randomUUID(),
            productId,
            quantity,
            unitPriceCents: product.body.priceCents,
            totalCents: product.body.priceCents * quantity,
          };
          const database = await context.resource("db").connect();
          try {
            await database.query("BEGIN");
            await database.query(
              "INSERT INTO orders (id, product_id, quantity, unit_price_cents, total_cents) VALUES ($1, $2, $3, $4, $5)",
              [order.id, order.productId, order.quantity, order.unitPriceCents, order.totalCents],
            );
            const job: OrderPlaced = { type: "order-placed", orderId: order.id, productId, quantity };
            await context
              .resource("fulfilment.queue")
              .publishJson(FULFILMENT_JOBS, job)
              .catch((error: unknown) => {
                log.error({ err: error, orderId: order.id }, "fulfilment's queue refused the order");
                throw new HttpError(503, "orders cannot hand orders to fulfilment now; try again");
              });
            await database.query("COMMIT");
          } catch (error) {
            await database.query("ROLLBACK").catch(() => undefined);
            throw error;
          } finally {
            database.release();
          }
          log.info({ orderId: order.id, totalCents: order.totalCents }, "order placed");
          return { status: 201, body: order, headers: { location: `/orders/${order.id}` } };
        },
        getOrder: async ({ params: { id } }) => {
          const { rows } = UUID.test(id) ? await context.resource("db").query<Order>(SELECT_ORDER, [id]) : { rows: [] };
          if (!rows[0]) return { status: 404, body: { error: `no order ${JSON.stringify(id)}` } };
          return { status: 200, body: rows[0] };
        },
      });
    },
  };
}
