import { randomUUID } from "node:crypto";
import { DependencyError, HttpError, type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";
import fulfilment from "../../fulfilment/service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec, { uses: { "fulfilment.queue": fulfilment } });

/** An accepted order, priced by the catalog when it was placed. */
export interface Order {
  readonly id: string;
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly totalCents: number;
}

/** The largest quantity one order may hold. */
export const MAX_QUANTITY = 100;

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
 * The orders service: takes an order, prices it from the catalog, stores it in its
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
    routes(router, context) {
      const catalog = context.dependency("catalog");

      router.post("/orders", async (request) => {
        const { productId, quantity } = parseOrder(await request.json());
        const product = await catalog.request<{ priceCents: number }>(
          "GET",
          `/products/${encodeURIComponent(productId)}`,
        );
        if (product.status === 404)
          throw new HttpError(422, `productId: no product ${JSON.stringify(productId)} in the catalog`);
        if (!product.ok || typeof product.body?.priceCents !== "number")
          throw new DependencyError(
            "catalog",
            `GET /products/${productId}: answered ${product.status}`,
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
              request.log.error({ err: error, orderId: order.id }, "fulfilment's queue refused the order");
              throw new HttpError(503, "orders cannot hand orders to fulfilment now; try again");
            });
          await database.query("COMMIT");
        } catch (error) {
          await database.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          database.release();
        }
        request.log.info({ orderId: order.id, totalCents: order.totalCents }, "order placed");
        return { status: 201, body: order, headers: { location: `/orders/${order.id}` } };
      });

      router.get("/orders/:id", async ({ params }) => {
        const id = params.id!;
        const { rows } = UUID.test(id) ? await context.resource("db").query<Order>(SELECT_ORDER, [id]) : { rows: [] };
        if (!rows[0]) throw new HttpError(404, `no order ${JSON.stringify(id)}`);
        return { body: rows[0] };
      });
    },
  };
}

function parseOrder(body: unknown): { productId: string; quantity: number } {
  const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof input.productId !== "string" || input.productId === "") {
    throw new HttpError(
      400,
      `productId: must be a product id, like "cup" (got ${JSON.stringify(input.productId) ?? "nothing"})`,
    );
  }
  const quantity = input.quantity ?? 1;
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new HttpError(
      400,
      `quantity: must be a whole number from 1 to ${MAX_QUANTITY} (got ${JSON.stringify(quantity)})`,
    );
  }
  return { productId: input.productId, quantity };
}
