import { randomUUID } from "node:crypto";
import { DependencyError, HttpError, type Application } from "@platform/service-runtime";
import { MANIFEST } from "./manifest.js";

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

/**
 * The orders service: takes an order, prices it from the catalog, and keeps it. It
 * keeps orders in memory, so each replica knows only its own; a real one stores them
 * in its database (its DATABASE_PASSWORD is already set from the secret store).
 */
export function createApplication(): Application {
  const orders = new Map<string, Order>();
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
        orders.set(order.id, order);
        request.log.info({ orderId: order.id, totalCents: order.totalCents }, "order placed");
        return { status: 201, body: order, headers: { location: `/orders/${order.id}` } };
      });

      router.get("/orders/:id", ({ params }) => {
        const order = orders.get(params.id!);
        if (!order) throw new HttpError(404, `no order ${JSON.stringify(params.id)}`);
        return { body: order };
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
