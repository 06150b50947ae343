import type { Job, Logger } from "@platform/service-runtime";

/** The job orders publishes for each order placed (its OrderPlaced). */
export interface OrderPlaced {
  readonly type: "order-placed";
  readonly orderId: string;
  readonly productId: string;
  readonly quantity: number;
}

/** Whether a payload is an order-placed job. */
export function isOrderPlaced(payload: unknown): payload is OrderPlaced {
  const job = payload as Partial<OrderPlaced> | null;
  return (
    typeof job === "object" &&
    job !== null &&
    job.type === "order-placed" &&
    typeof job.orderId === "string" &&
    typeof job.productId === "string" &&
    Number.isInteger(job.quantity)
  );
}

/**
 * What one job does: an order placed is prepared for shipping (here, logged as ready:
 * a real fulfilment would book the parcel). Orders publishes it to this worker's queue
 * (`uses: ["fulfilment.queue"]` in its service.ts). A payload that is not an order-placed
 * job fails: it is delivered once more, then dropped.
 */
export async function runJob(job: Job, log: Logger): Promise<void> {
  if (!isOrderPlaced(job.payload))
    throw new Error(`not an order-placed job: ${JSON.stringify(job.payload)?.slice(0, 200)}`);
  const { orderId, productId, quantity } = job.payload;
  log.info({ orderId, productId, quantity }, "order ready for shipping");
}
