import {
  BoundedLoad,
  type LoadSample,
  type LoadSummary,
  latencyMs,
  succeeded,
  summarize,
} from "@platform/service-runtime/testing";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS_CONTRACT } from "../../infra/monitoring/metrics-contract.js";
import { httpGet, runContext, type RunContext } from "./support/run-context.js";
import { StackRunner, type RunnerContainer } from "./support/stack-runner.js";

/**
 * A failing dependency must not take its callers down (issue 18), on the Docker engine:
 * catalog, orders and gateway (every replica) and the backing services they own or use
 * run exactly as the synthesized local stack declares them, with the resilience settings
 * it gives them (their `CATALOG_*` variables). Under a bounded load on gateway's and
 * orders' routes, the catalog container is stopped (`docker stop`: the stop signal, the
 * declared grace period) and started again, then paused (`docker pause`: its calls hang)
 * and unpaused. services/gateway/test/dependency-faults.test.ts is the same test at the
 * process level.
 *
 * Orders is internal (the stack publishes none of its ports): the runner publishes its
 * port on 127.0.0.1 for the test, so that its own answer is seen; through gateway, an
 * answer of orders other than 201, 400 or 422 becomes a 502 (services/gateway/src/application.ts).
 */

/** The services of the chain gateway -> orders -> catalog (and gateway -> catalog). */
const SERVICES = ["catalog", "orders", "gateway"] as const;
/** A product the catalog's first migration seeds (services/catalog/migrations/001_products.sql). */
const PRODUCT_ID = "cup";
/** Successes in a row on a catalog-dependent route that say its traffic recovered. */
const RECOVERED_RUN = 10;
/** Answers of a route read while a breaker is open, for their latency. */
const OPEN_ANSWERS = 10;

const PRODUCT = "GET /api/products/cup (gateway -> catalog)";
const LOOKUP = "GET /api/orders/:id (gateway -> orders -> its database)";
const PLACE = "POST /orders (orders -> catalog), on orders' port";
/** The routes that need catalog, and the service whose breaker on catalog answers them. */
const CATALOG_ROUTES = [
  { route: PRODUCT, caller: "gateway" },
  { route: PLACE, caller: "orders" },
] as const;

/** How a caller calls catalog: the variables the stack declares for its container. */
interface CallSettings {
  readonly timeoutMs: number;
  readonly breakerFailures: number;
  readonly breakerHalfOpenAfterMs: number;
}

/** The figures of one route in one fault, printed at the end. */
interface RouteFigures {
  readonly fault: string;
  readonly route: string;
  readonly during: LoadSummary;
  readonly open?: LoadSummary;
  readonly after: LoadSummary;
  /** From the fault until the first answer at once from an open breaker. */
  readonly breakerOpenMs?: number;
  /** From the recovery's request (start, unpause) until the first 200, and until RECOVERED_RUN in a row. */
  readonly firstSuccessMs?: number;
  readonly recoveredMs?: number;
}

/** Orders' memory, and how long the engine throttled the callers' CPU (their declared `cpus`), in one fault. */
interface MemoryFigures {
  readonly fault: string;
  readonly beforeMiB: number;
  readonly peakMiB: number;
  readonly afterMiB: number;
  readonly limitMiB: number;
  readonly samples: number;
  readonly throttledMs: Readonly<Record<string, number>>;
  /** This machine's 1-minute load average when the fault was injected (the engine shares its cores). */
  readonly loadAverage: number;
  /** How long the engine took to inject the fault (docker stop: the stop signal and catalog's own shutdown). */
  readonly faultTookMs: number;
  /** Gateway-1's longest event-loop delay from the fault until the end, and the CPU seconds it used in that time. */
  readonly gatewayLagMaxMs: number;
  readonly gatewayCpuSeconds: number;
}

let context: RunContext;
let runner: StackRunner;
const running = new Map<string, RunnerContainer[]>();
let catalog: RunnerContainer;
let ordersContainer: RunnerContainer;
let gatewayContainer: RunnerContainer;
let gatewayUrl: string;
let ordersUrl: string;
/** An order placed through gateway before any fault: the lookup route reads it. */
let orderId: string | undefined;
/** How gateway and orders call catalog, from their declared containers. */
const settings = new Map<string, CallSettings>();
const routeFigures: RouteFigures[] = [];
const memoryFigures: MemoryFigures[] = [];

/** How a container calls `dependency`, read from the variables it was created with (`CATALOG_TIMEOUT_MS`, ...). */
function callSettingsOf(container: RunnerContainer, dependency: string): CallSettings {
  const env = new Map(
    ((container.request.body.Env ?? []) as string[]).map((entry) => [
      entry.slice(0, entry.indexOf("=")),
      entry.slice(entry.indexOf("=") + 1),
    ]),
  );
  const prefix = dependency.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  const read = (suffix: string): number => {
    const name = `${prefix}_${suffix}`;
    const value = Number(env.get(name));
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(
        `${container.request.address}: env ${name} is ${JSON.stringify(env.get(name))}; expected a positive whole number, as the platform sets for a caller of ${dependency}`,
      );
    return value;
  };
  return {
    timeoutMs: read("TIMEOUT_MS"),
    breakerFailures: read("BREAKER_FAILURES"),
    breakerHalfOpenAfterMs: read("BREAKER_HALF_OPEN_MS"),
  };
}

/** Slack over a configured timeout for a loaded 2-core machine: half the timeout again. */
const answerWithinMs = (s: CallSettings) => s.timeoutMs * 1.5;
/** An answer "at once" from an open breaker: a quarter of the timeout (the machine may be loaded). */
const atOnceMs = (s: CallSettings) => s.timeoutMs / 4;

/**
 * A container's memory in MiB as `docker stats` shows it (usage less the inactive file
 * cache; cgroup v1 `memory.usage_in_bytes` or v2 `memory.current`), its limit, and how long
 * the engine has throttled its CPU so far (its declared `cpus`), from the engine's stats.
 */
async function statsOf(
  container: RunnerContainer,
): Promise<{ usedMiB: number; limitMiB: number; throttledMs: number }> {
  const stats = await context.engine.request<{
    memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
    cpu_stats?: { throttling_data?: { throttled_time?: number } };
  }>("GET", `/containers/${container.id}/stats?stream=false&one-shot=true`);
  const memory = stats.memory_stats;
  if (memory.usage === undefined)
    throw new Error(`${container.name}: the engine reports no memory usage: ${JSON.stringify(memory)}`);
  const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  return {
    usedMiB: (memory.usage - inactive) / 2 ** 20,
    limitMiB: (memory.limit ?? 0) / 2 ** 20,
    throttledMs: (stats.cpu_stats?.throttling_data?.throttled_time ?? 0) / 1e6,
  };
}

/** Samples a container's memory until stopped, one reading after the other; keeps the peak. */
function sampleMemory(container: RunnerContainer) {
  const seen = { peakMiB: 0, samples: 0, error: undefined as Error | undefined };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { usedMiB } = await statsOf(container);
        seen.peakMiB = Math.max(seen.peakMiB, usedMiB);
        seen.samples++;
      } catch (error) {
        seen.error = error as Error;
        return;
      }
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The value of a service's breaker on `dependency` in its metrics (0 closed, 1 half-open, 2 open). */
async function breakerStateAt(
  baseUrl: string,
  dependency: string,
): Promise<{ state: number | string; eventLoopLagMaxMs: number }> {
  const metrics = await httpGet(`${baseUrl}/metrics`);
  if (!("body" in metrics)) return { state: metrics.error, eventLoopLagMaxMs: Number.NaN };
  const name = METRICS_CONTRACT.dependencyBreakerState.name;
  const line = metrics.body.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(`"${dependency}"`));
  // (a scrape starts the longest event-loop delay anew: kept for the figures)
  const lag = metrics.body.split("\n").find((l) => l.startsWith("nodejs_eventloop_lag_max_seconds "));
  return {
    state: line === undefined ? `no ${name} for ${dependency}` : Number(line.split(" ").at(-1)),
    eventLoopLagMaxMs: lag === undefined ? Number.NaN : Number(lag.split(" ")[1]) * 1000,
  };
}

/**
 * From a service's metrics (prom-client's process metrics): the CPU seconds it used so far,
 * and the longest event-loop delay since the last scrape, in ms (each scrape starts it anew).
 */
async function processFiguresAt(baseUrl: string): Promise<{ cpuSeconds: number; eventLoopLagMaxMs: number }> {
  const metrics = await httpGet(`${baseUrl}/metrics`);
  if (!("body" in metrics)) throw new Error(`${baseUrl}/metrics: ${metrics.error}`);
  const value = (name: string) => {
    const line = metrics.body.split("\n").find((l) => l.startsWith(`${name} `));
    if (line === undefined) throw new Error(`${baseUrl}/metrics has no ${name}`);
    return Number(line.split(" ")[1]);
  };
  return {
    cpuSeconds: value("process_cpu_seconds_total"),
    eventLoopLagMaxMs: value("nodejs_eventloop_lag_max_seconds") * 1000,
  };
}

/** RestartCount and StartedAt of every container of the chain, by container name. */
async function restartsAndStarts(): Promise<Record<string, { restarts: number; startedAt: string }>> {
  const entries = await Promise.all(
    [...running.values()].flat().map(async (c) => {
      const info = await runner.inspect(c);
      return [c.name, { restarts: info.RestartCount as number, startedAt: info.State.StartedAt as string }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Events of a fault and failed answers, in milliseconds from the fault, for failure messages. */
function timeline(events: ReadonlyMap<string, number>, faultAt: number, failed: readonly LoadSample[] = []): string {
  const at = (t: number) => `${((t - faultAt) / 1000).toFixed(2)}s`;
  return [
    ...[...events].map(([what, t]) => [t, `${at(t)} ${what}`] as const),
    ...failed.map(
      (s) => [s.startedAt, `${at(s.startedAt)}..${at(s.endedAt)} ${s.route}: ${s.status} ${s.body}`] as const,
    ),
  ]
    .sort(([a], [b]) => a - b)
    .map(([, line]) => `  ${line}`)
    .join("\n");
}

/** Whether `samples` (in order) end in `run` successes in a row. */
function endsInSuccesses(samples: readonly LoadSample[], run: number): boolean {
  return samples.length >= run && samples.slice(-run).every(succeeded);
}

/**
 * A bounded load on the three routes, kept low: the callers run on their declared CPU
 * (gateway: 0.2 of a core locally), and the figures report how long the engine throttled them.
 */
function startLoad(): BoundedLoad {
  const longest = Math.max(...[...settings.values()].map((s) => s.timeoutMs));
  return BoundedLoad.start(
    [
      { name: PRODUCT, connections: 2, request: () => ({ url: `${gatewayUrl}/api/products/${PRODUCT_ID}` }) },
      { name: LOOKUP, connections: 2, request: () => ({ url: `${gatewayUrl}/api/orders/${orderId}` }) },
      {
        name: PLACE,
        connections: 1,
        request: () => ({ url: `${ordersUrl}/orders`, method: "POST", json: { productId: PRODUCT_ID, quantity: 1 } }),
      },
    ],
    // A request unanswered after five timeouts is a hang, recorded as no answer (status 0).
    { ratePerConnection: 5, maxRequests: 20_000, answerTimeoutMs: longest * 5 },
  );
}

/**
 * Runs one fault under load: `inject` it once the load succeeds on every route, wait
 * until both callers' breakers answer at once, `recover`, and wait until the
 * catalog-dependent routes are back to 200; then checks what the callers saw and keeps
 * the figures.
 */
async function underFault(
  fault: string,
  inject: () => Promise<void>,
  recover: () => Promise<void>,
  /** Bound of the wait for recovery after `recover` returned: catalog's own start, then the breakers' half-open time. */
  recoversWithinMs: number,
): Promise<void> {
  const before = await restartsAndStarts();
  const load = startLoad();
  const memory = sampleMemory(ordersContainer);
  try {
    const gateway = settings.get("gateway")!;
    const orders = settings.get("orders")!;
    const of = (caller: string) => (caller === "gateway" ? gateway : orders);
    await load.waitFor("the load succeeds on every route before the fault", 60_000, (samples) =>
      [PRODUCT, LOOKUP, PLACE].every((route) =>
        endsInSuccesses(
          samples.filter((s) => s.route === route),
          3,
        ),
      ),
    );
    const memoryBefore = (await statsOf(ordersContainer)).usedMiB;
    const throttledBefore = { gateway: await statsOf(gatewayContainer), orders: await statsOf(ordersContainer) };
    const loadAverage = os.loadavg()[0]!;
    const gatewayBefore = await processFiguresAt(gatewayUrl);

    // WHEN catalog fails
    const faultAt = performance.now();
    const events = new Map<string, number>([[`${fault} requested`, faultAt]]);
    await inject();
    events.set(`${fault} done`, performance.now());

    // THEN once each caller's breaker has opened, it answers 503 at once, with Retry-After
    const fromOpenBreaker =
      (route: string, caller: string) =>
      (x: LoadSample): boolean =>
        x.route === route &&
        x.startedAt > faultAt &&
        x.status === 503 &&
        latencyMs(x) < atOnceMs(of(caller)) &&
        x.retryAfter !== null;
    // Each failed attempt takes at most the timeout; a breaker opens after breakerFailures of them (retries count).
    // The docker stop itself may take the grace period first: the bound starts after inject returned.
    const slowest = Math.max(
      ...CATALOG_ROUTES.map(({ caller }) => (of(caller).breakerFailures + 2) * answerWithinMs(of(caller))),
    );
    await load.waitFor("an answer at once from each caller's open breaker", slowest * 2, (samples) =>
      CATALOG_ROUTES.every(({ route, caller }) => samples.some(fromOpenBreaker(route, caller))),
    );
    // (read at once: an open breaker turns half-open for a trial call after its half-open time)
    const breakers = {
      gateway: await breakerStateAt(gatewayUrl, "catalog"),
      orders: await breakerStateAt(ordersUrl, "catalog"),
    };
    const gatewayLagUntilOpen = breakers.gateway.eventLoopLagMaxMs;
    const openAt = new Map<string, number>();
    for (const { route, caller } of CATALOG_ROUTES) {
      openAt.set(route, load.of(route).find(fromOpenBreaker(route, caller))!.endedAt);
      events.set(`first answer at once on ${route}`, openAt.get(route)!);
    }
    const openSince = performance.now();
    await load.waitFor(`${OPEN_ANSWERS} answers on each catalog route while the breakers are open`, 30_000, () =>
      CATALOG_ROUTES.every(({ route }) => load.of(route, openSince).length >= OPEN_ANSWERS),
    );

    // WHEN catalog is back
    const recoverAt = performance.now();
    events.set("recovery requested", recoverAt);
    await recover();
    const backAt = performance.now();
    events.set("catalog back", backAt);
    const firstSuccessAt = new Map<string, number>();
    const recoveredAt = new Map<string, number>();
    for (const { route } of CATALOG_ROUTES) {
      firstSuccessAt.set(
        route,
        await load.waitFor(`the first 200 on ${route} after catalog is back`, recoversWithinMs, () =>
          load.of(route, backAt).some(succeeded),
        ),
      );
    }
    for (const { route } of CATALOG_ROUTES) {
      recoveredAt.set(
        route,
        await load.waitFor(`${RECOVERED_RUN} successes in a row on ${route}`, recoversWithinMs, () =>
          endsInSuccesses(load.of(route, backAt), RECOVERED_RUN),
        ),
      );
    }
    const allRecoveredAt = Math.max(...recoveredAt.values());
    await load.waitFor("20 more answers on each catalog route after the recovery", 30_000, () =>
      CATALOG_ROUTES.every(({ route }) => load.of(route, allRecoveredAt).length >= 20),
    );
    await load.stop();
    await memory.stop();
    const memoryAfter = await statsOf(ordersContainer);
    const gatewayAfter = await processFiguresAt(gatewayUrl);
    const throttledAfter = { gateway: await statsOf(gatewayContainer), orders: await statsOf(ordersContainer) };
    const after = await restartsAndStarts();

    // (during the fault: from the fault until catalog is back, its start included)
    const duringFault = (route: string) => load.of(route, faultAt).filter((s) => s.startedAt < backAt);
    const whileOpen = (route: string) => summarize(load.of(route, openSince).filter((s) => s.startedAt < recoverAt));
    for (const route of [PRODUCT, LOOKUP, PLACE]) {
      const catalogRoute = CATALOG_ROUTES.find((r) => r.route === route);
      routeFigures.push({
        fault,
        route,
        during: summarize(duringFault(route)),
        open: catalogRoute ? whileOpen(route) : undefined,
        after: summarize(load.of(route, allRecoveredAt)),
        breakerOpenMs: catalogRoute ? openAt.get(route)! - faultAt : undefined,
        firstSuccessMs: catalogRoute ? firstSuccessAt.get(route)! - recoverAt : undefined,
        recoveredMs: catalogRoute ? recoveredAt.get(route)! - recoverAt : undefined,
      });
    }
    memoryFigures.push({
      fault,
      beforeMiB: memoryBefore,
      peakMiB: Math.max(memory.seen.peakMiB, memoryBefore, memoryAfter.usedMiB),
      afterMiB: memoryAfter.usedMiB,
      limitMiB: memoryAfter.limitMiB,
      samples: memory.seen.samples,
      throttledMs: {
        gateway: throttledAfter.gateway.throttledMs - throttledBefore.gateway.throttledMs,
        orders: throttledAfter.orders.throttledMs - throttledBefore.orders.throttledMs,
      },
      loadAverage,
      faultTookMs: events.get(`${fault} done`)! - faultAt,
      gatewayLagMaxMs: Math.max(gatewayLagUntilOpen, gatewayAfter.eventLoopLagMaxMs),
      gatewayCpuSeconds: gatewayAfter.cpuSeconds - gatewayBefore.cpuSeconds,
    });
    const failed = [PRODUCT, LOOKUP, PLACE].flatMap((route) => duringFault(route).filter((s) => !succeeded(s)));
    const told = () => `what happened, from the fault:\n${timeline(events, faultAt, failed)}`;

    // (soft: a run reports every claim that did not hold, not the first one only)
    // THEN the fast answers were the breakers' own: both callers' breakers on catalog had opened
    // (2 open, or 1 half-open: the trial call an open breaker lets through after its half-open time)
    for (const [caller, { state }] of Object.entries(breakers))
      expect
        .soft([1, 2], `${caller}'s breaker on catalog (metrics) when its answers came at once; ${told()}`)
        .toContain(state);
    // AND no container of the chain was restarted (catalog: only its own stop and start, by the test)
    for (const [name, was] of Object.entries(before)) {
      expect.soft(after[name]!.restarts, `${name}: RestartCount`).toBe(was.restarts);
      if (name !== catalog.name || fault.startsWith("pause"))
        expect.soft(after[name]!.startedAt, `${name}: StartedAt`).toBe(was.startedAt);
    }
    // AND the order lookup, which does not need catalog, answered 200 throughout
    expect
      .soft(
        duringFault(LOOKUP).filter((s) => !succeeded(s)),
        told(),
      )
      .toEqual([]);
    // AND every failed catalog-dependent request was a 503 naming catalog with Retry-After (or a 502
    // naming it, for an answer of a catalog shutting down or still starting), within the timeout and a margin
    const brief = (x: LoadSample) =>
      `${latencyMs(x).toFixed(0)} ms: ${x.status} ${x.body} (Retry-After ${x.retryAfter})`;
    for (const { route, caller } of CATALOG_ROUTES) {
      const failedHere = duringFault(route).filter((x) => !succeeded(x));
      const unclear = failedHere.filter(
        (x) => !((x.status === 502 || (x.status === 503 && x.retryAfter !== null)) && x.body.includes("catalog")),
      );
      expect
        .soft(unclear.map(brief), `${route}: failures other than a 503 (Retry-After) or 502 naming catalog`)
        .toEqual([]);
      const late = failedHere.filter((x) => latencyMs(x) >= answerWithinMs(of(caller)));
      expect
        .soft(late.map(brief), `${route}: failures answered after ${answerWithinMs(of(caller))} ms; ${told()}`)
        .toEqual([]);
      // AND while the breaker was open, its answers came at once
      expect
        .soft(whileOpen(route).p99Ms, `${route}: p99 while ${caller}'s breaker was open`)
        .toBeLessThan(atOnceMs(of(caller)));
    }
    // AND orders' memory stayed bounded
    expect.soft(memory.seen.error).toBeUndefined();
    expect
      .soft(memory.seen.peakMiB, `orders' peak memory (MiB), ${memoryBefore.toFixed(1)} MiB before the fault`)
      .toBeLessThan(memoryBefore * 1.5 + 32);
  } finally {
    await load.stop();
    await memory.stop();
  }
}

beforeAll(async () => {
  context = await runContext();
  runner = new StackRunner(context.engine, context.stack, context.run, "faults", context.images, context.standIns);
  for (const service of SERVICES)
    expect(context.stack.serviceContainers(service), `the local stack runs no ${service}`).not.toEqual([]);
  const declared = SERVICES.flatMap((service) => context.stack.serviceContainers(service));
  // Their runtimes connect to their backing services (their own, and those they use) at start:
  // those run first, healthy, as the stack's depends_on and `wait` have it.
  const data = new Map(
    declared.flatMap((c) => context.stack.backingServiceContainersOf(c)).map((d) => [d.address, d] as const),
  );
  await runner.startHealthy([...data.values()]);
  // Orders' first replica publishes its port on 127.0.0.1 for the test; gateway's first publishes its own, as declared.
  const firstOrders = context.stack.serviceContainers("orders")[0]!;
  const ordersPort = context.catalogue.get("orders").port;
  for (const service of SERVICES)
    running.set(
      service,
      await runner.startHealthy(context.stack.serviceContainers(service), (c) =>
        c === firstOrders ? { port: ordersPort } : undefined,
      ),
    );
  ordersContainer = running.get("orders")!.find((c) => c.request.address === firstOrders.address)!;
  ordersUrl = `http://127.0.0.1:${(await runner.publishedPort(ordersContainer, ordersPort)).hostPort}`;
  const gatewayPort = context.catalogue.get("gateway").port;
  const published = running.get("gateway")!.find((c) => c.request.publishedPorts.length > 0);
  expect(published, "the local stack publishes no port of gateway").toBeDefined();
  gatewayContainer = published!;
  gatewayUrl = `http://127.0.0.1:${(await runner.publishedPort(published!, gatewayPort)).hostPort}`;
  [catalog] = running.get("catalog")!;
  expect(running.get("catalog"), "the fault stops the one catalog the local stack runs").toHaveLength(1);
  settings.set("gateway", callSettingsOf(published!, "catalog"));
  settings.set("orders", callSettingsOf(ordersContainer, "catalog"));

  // An order placed through gateway -> orders -> catalog before any fault; the lookup route reads it.
  const placed = await fetch(`${gatewayUrl}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productId: PRODUCT_ID, quantity: 1 }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await placed.json()) as { id?: string };
  expect(placed.status, JSON.stringify(body)).toBe(201);
  orderId = body.id;
});

afterAll(async () => {
  const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "-" : value.toFixed(0));
  console.table(
    routeFigures.map((f) => ({
      fault: f.fault,
      route: f.route,
      "requests during": f.during.requests,
      "error rate during": `${(f.during.errorRate * 100).toFixed(1)}%`,
      "p99 during ms": ms(f.during.p99Ms),
      "max during ms": ms(f.during.maxMs),
      "breaker open after ms": ms(f.breakerOpenMs),
      "p99 while open ms": ms(f.open?.p99Ms),
      "first 200 after ms": ms(f.firstSuccessMs),
      [`${RECOVERED_RUN} in a row after ms`]: ms(f.recoveredMs),
      "error rate after": `${(f.after.errorRate * 100).toFixed(1)}%`,
      "p99 after ms": ms(f.after.p99Ms),
    })),
  );
  console.table(
    memoryFigures.map((m) => ({
      fault: m.fault,
      "fault took ms": m.faultTookMs.toFixed(0),
      "orders MiB before": m.beforeMiB.toFixed(1),
      "orders peak MiB": m.peakMiB.toFixed(1),
      "orders MiB after": m.afterMiB.toFixed(1),
      "limit MiB": m.limitMiB.toFixed(0),
      "memory samples": m.samples,
      "gateway-1 CPU throttled ms": m.throttledMs.gateway!.toFixed(0),
      "orders-1 CPU throttled ms": m.throttledMs.orders!.toFixed(0),
      "load average at fault": m.loadAverage.toFixed(1),
      "gateway-1 event loop delay max ms": m.gatewayLagMaxMs.toFixed(0),
      "gateway-1 CPU s": m.gatewayCpuSeconds.toFixed(1),
    })),
  );
  await runner?.removeAll();
});

describe("a failing catalog container does not take its callers down, on the local stack", () => {
  it("GIVEN gateway -> orders -> catalog running as declared, under a bounded load WHEN catalog is stopped (docker stop), and later started again THEN gateway's order lookups stay 200, catalog's routes answer 503 within the timeout then at once, orders' memory stays bounded, and the traffic recovers without a restart of anything", async () => {
    expect(orderId, "no order was placed before the fault").toBeDefined();
    const healthcheck = catalog.request.body.Healthcheck as { StartPeriod?: number; Interval?: number };
    const halfOpen = Math.max(...[...settings.values()].map((s) => s.breakerHalfOpenAfterMs));
    let startedAt = 0;
    await underFault(
      "stop",
      async () => {
        const stopped = await runner.stop(catalog);
        expect(stopped, "catalog's own stop").toMatchObject({ exitCode: 0, oomKilled: false });
      },
      async () => {
        startedAt = performance.now();
        await runner.start(catalog);
      },
      // catalog's start (bounded by its healthcheck's start period and a few intervals), then a half-open trial
      ((healthcheck.StartPeriod ?? 0) + 6 * (healthcheck.Interval ?? 10e9)) / 1e6 + 2 * halfOpen,
    );
    // (catalog is healthy again before the next fault)
    await runner.waitUntilHealthy(catalog, startedAt);
  });

  it("WHEN catalog is paused (docker pause: its calls hang), and later unpaused THEN the same holds: 503 within the timeout, then at once, lookups 200, memory bounded, recovery without a restart", async () => {
    expect(orderId, "no order was placed before the fault").toBeDefined();
    const halfOpen = Math.max(...[...settings.values()].map((s) => s.breakerHalfOpenAfterMs));
    const longest = Math.max(...[...settings.values()].map((s) => s.timeoutMs));
    await underFault(
      "pause",
      async () => {
        await context.engine.request("POST", `/containers/${catalog.id}/pause`);
        expect((await runner.inspect(catalog)).State.Paused).toBe(true);
      },
      async () => {
        await context.engine.request("POST", `/containers/${catalog.id}/unpause`);
        expect((await runner.inspect(catalog)).State).toMatchObject({ Paused: false, Running: true });
      },
      2 * halfOpen + 4 * longest,
    );
  });
});
