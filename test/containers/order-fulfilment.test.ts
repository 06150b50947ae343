import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runContext, type RunContext } from "./support/run-context.js";
import { StackRunner, type RunnerContainer } from "./support/stack-runner.js";

/**
 * An order's way from orders to fulfilment on the local stack, for real: catalog, orders
 * and fulfilment, and the backing services they own or use, run exactly as the
 * synthesized stack declares them (every replica, on the declared networks, with the
 * declared variables). An order placed through orders' HTTP API is priced by catalog,
 * stored in orders' database and published as an order-placed job to fulfilment's
 * queue, which orders reaches over a network of its own to the queue (`uses`); the
 * worker in fulfilment takes the job and logs the order as ready for shipping
 * (services/fulfilment/src/jobs.ts), then the job's end with its outcome.
 *
 * The data containers run the run's stand-in images (PostgreSQL 15, Redis 7.0, RabbitMQ
 * 3.10 from Debian's packages) under the names the stack pins.
 */

/** The services the order passes through: orders calls catalog and publishes to fulfilment's queue. */
const SERVICES = ["catalog", "fulfilment", "orders"] as const;
/** A product the catalog's first migration seeds (services/catalog/migrations/001_products.sql), and its price. */
const PRODUCT = { id: "cup", priceCents: 900 };
/** How long fulfilment may take to log the job: generous, since the wait ends at the line. */
const JOB_DEADLINE_MS = 180_000;

/** One line of a service's JSON log (pino), as the runtime writes it. */
interface LogLine {
  readonly msg?: string;
  readonly level?: string;
  readonly service?: string;
  readonly jobId?: string;
  readonly orderId?: string;
  readonly productId?: string;
  readonly quantity?: number;
  readonly outcome?: string;
}

let context: RunContext;
let runner: StackRunner;
const running = new Map<string, RunnerContainer[]>();
/** Orders' HTTP API on 127.0.0.1, through the port the runner publishes for the test. */
let ordersUrl: string | undefined;
/** The order the test placed, as orders answered it. */
let placed: { id: string; productId: string; quantity: number; totalCents: number } | undefined;

/** The JSON lines of a container's log so far (other lines, if any, left out). */
async function logLinesOf(container: RunnerContainer): Promise<LogLine[]> {
  const logs = await context.engine.cli(["logs", container.id], { timeoutMs: 30_000, check: false });
  return `${logs.stdout}\n${logs.stderr}`
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/**
 * Reads fulfilment's logs until `found` picks a line from them, or the deadline passes
 * (then undefined): the wait ends with the event, not after a fixed time.
 */
async function waitForFulfilmentLog<T>(found: (lines: readonly LogLine[]) => T | undefined): Promise<T | undefined> {
  const deadline = performance.now() + JOB_DEADLINE_MS;
  while (performance.now() < deadline) {
    for (const container of running.get("fulfilment") ?? []) {
      const result = found(await logLinesOf(container));
      if (result !== undefined) return result;
    }
    await sleep(250);
  }
  return undefined;
}

beforeAll(async () => {
  context = await runContext();
  runner = new StackRunner(context.engine, context.stack, context.run, "orders-flow", context.images, context.standIns);
  const declared = SERVICES.flatMap((service) => context.stack.serviceContainers(service));
  for (const service of SERVICES)
    expect(context.stack.serviceContainers(service), `the local stack runs no ${service}`).not.toEqual([]);
  // Their runtimes connect to their backing services (their own, and those they use) at start:
  // those run first, healthy, as the stack's depends_on and `wait` have it.
  const data = new Map(
    declared.flatMap((c) => context.stack.backingServiceContainersOf(c)).map((d) => [d.address, d] as const),
  );
  await runner.startHealthy([...data.values()]);
  // Orders' first replica publishes its port on 127.0.0.1 for the test (orders is internal: the stack publishes nothing).
  const firstOrders = context.stack.serviceContainers("orders")[0]!;
  const orders = context.catalogue.get("orders");
  for (const service of SERVICES) {
    const containers = await runner.startHealthy(context.stack.serviceContainers(service), (c) =>
      c === firstOrders ? { port: orders.port } : undefined,
    );
    running.set(service, containers);
  }
  const first = running.get("orders")!.find((c) => c.request.address === firstOrders.address)!;
  const { hostPort } = await runner.publishedPort(first, orders.port);
  ordersUrl = `http://127.0.0.1:${hostPort}`;
});

afterAll(async () => {
  await runner?.removeAll();
});

describe("an order placed with orders reaches fulfilment through its queue, on the local stack", () => {
  it("GIVEN catalog, orders and fulfilment running as declared WHEN an order for 2 cups is posted to orders' HTTP API THEN orders stores it, priced by catalog, and serves it back", async () => {
    expect(ordersUrl, "orders did not start").toBeDefined();
    const response = await fetch(`${ordersUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: PRODUCT.id, quantity: 2 }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as typeof placed;
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ productId: PRODUCT.id, quantity: 2, totalCents: 2 * PRODUCT.priceCents });
    expect(body!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    placed = body;
    const stored = await fetch(`${ordersUrl}/orders/${placed!.id}`, { signal: AbortSignal.timeout(30_000) });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual(placed);
  });

  it("THEN fulfilment's worker consumes the order-placed job orders published: it logs the order ready for shipping, and the job's success", async () => {
    expect(placed, "no order was placed").toBeDefined();
    const ready = await waitForFulfilmentLog((lines) =>
      lines.find((line) => line.msg === "order ready for shipping" && line.orderId === placed!.id),
    );
    const fulfilmentLogs = async () =>
      (await Promise.all((running.get("fulfilment") ?? []).map((c) => runner.describe(c)))).join("\n");
    expect(
      ready,
      ready === undefined
        ? `fulfilment logged no "order ready for shipping" for order ${placed!.id} within ${JOB_DEADLINE_MS / 1000}s:\n${await fulfilmentLogs()}`
        : "",
    ).toMatchObject({ service: "fulfilment", productId: PRODUCT.id, quantity: 2 });
    const finished = await waitForFulfilmentLog((lines) =>
      lines.find((line) => line.msg === "job finished" && line.jobId === ready!.jobId),
    );
    expect(finished, `no "job finished" for job ${ready!.jobId}`).toMatchObject({ outcome: "success" });
  });
});
