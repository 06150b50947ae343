import { once } from "node:events";
import { createServer, get, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  ConfigError,
  HttpError,
  currentRequestId,
  defineManifest,
  loadConfig,
  type Application,
  type RunningApplication,
} from "@platform/service-runtime";
import { startBundledService, startForTest } from "@platform/service-runtime/testing";
import { afterEach, describe, expect, it } from "vitest";
import { METRICS_CONTRACT } from "../../../infra/monitoring/metrics-contract.js";
import { manifestWithoutDependencies } from "./manifest-without-dependencies.js";

// The runtime every service shares, tested once, by its package name as services use
// it: through a small application of the test's own, and through the bundle of a
// minimal service (test/fixture-service/) run alone, as in an image.

const fixtureServiceDir = fileURLToPath(new URL("fixture-service", import.meta.url));
const running: RunningApplication[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    }),
  );
});

async function start(
  application: Application,
  variables: Record<string, string> = {},
  logs?: Array<Record<string, unknown>>,
): Promise<RunningApplication> {
  const service = await startForTest(application, { variables, logs });
  running.push(service);
  return service;
}

/** A fake dependency that records what it receives and answers with `answer`. */
async function fakeDependency(
  answer: (path: string) => { status: number; body?: unknown; delayMs?: number },
): Promise<{ url: string; received: Array<{ path: string; headers: IncomingHttpHeaders }> }> {
  const received: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((request, response) => {
    received.push({ path: request.url ?? "", headers: request.headers });
    const { status, body, delayMs } = answer(request.url ?? "");
    setTimeout(
      () => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body ?? {})),
      delayMs ?? 0,
    );
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A GET's status, `connection` header (which fetch does not show) and body. */
async function answerOf(url: string): Promise<{ status?: number; connection?: string; body: string }> {
  const [response] = (await once(get(url), "response")) as [IncomingMessage];
  let body = "";
  for await (const chunk of response.setEncoding("utf8")) body += chunk;
  return { status: response.statusCode, connection: response.headers.connection, body };
}

/** Polls `condition` until it holds (a test's own timeout bounds the wait). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

const manifest = defineManifest({
  name: "probe",
  port: 8080,
  dependencies: ["stock-keeper"],
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});

/** How many times the probe application's `/items/:id` handler ran. */
const itemHandlerRuns = { count: 0 };

/**
 * The probe application's `/slow` handler: how many requests entered it, and what it waits
 * for before it answers. A test that stops the service with a request in flight waits until
 * the handler was entered (not a fixed time, which a busy machine outlasts) and holds it
 * until its assertions on the drain are made.
 */
const slowHandler = { entered: 0, release: Promise.resolve() };

/** Holds `/slow`'s answers until the returned function is called. */
function holdSlowAnswers(): () => void {
  let release = () => {};
  slowHandler.release = new Promise<void>((resolve) => {
    release = resolve;
  });
  return release;
}

/** An application with one route of each kind the runtime must handle. */
function probeApplication(hooks: Pick<Application, "onStart" | "onStop"> = {}): Application {
  return {
    manifest,
    ...hooks,
    routes(router, context) {
      router.get("/items/:id", ({ params }) => {
        itemHandlerRuns.count += 1;
        return { body: { id: params.id } };
      });
      // Destructured, as services write it.
      router.post("/items", async ({ json }) => ({ status: 201, body: { received: await json() } }));
      router.get("/missing", () => {
        throw new HttpError(404, "no such item");
      });
      router.get("/broken", () => {
        throw new Error("a bug");
      });
      router.get("/slow", async () => {
        slowHandler.entered += 1;
        await slowHandler.release;
        return { body: { done: true } };
      });
      router.get("/stock", async () => ({ body: await context.dependency("stock-keeper").getJson("/levels") }));
    },
  };
}

describe("configuration", () => {
  it("GIVEN no variables WHEN loaded THEN the missing dependency URL is named with an example", () => {
    expect(() => loadConfig(manifest, {})).toThrow(ConfigError);
    try {
      loadConfig(manifest, {});
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'STOCK_KEEPER_URL: missing; the URL of the dependency "stock-keeper", like http://stock-keeper:8080 (the platform sets it from dependsOn in service.ts)',
      ]);
    }
  });

  it("GIVEN bad values WHEN loaded THEN every problem is listed with its variable, the value and what is accepted", () => {
    const variables = {
      SERVICE_NAME: "other",
      PORT: "80a",
      LOG_LEVEL: "loud",
      STOCK_KEEPER_URL: "ftp://x",
      SHUTDOWN_DRAIN_MS: "26000",
    };
    let problems: readonly string[] = [];
    try {
      loadConfig(manifest, variables);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'SERVICE_NAME: must be "probe", the name in service.ts (got "other")',
      'PORT: must be a whole number from 0 to 65535 (got "80a")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'STOCK_KEEPER_URL: must be an http:// or https:// URL, like http://stock-keeper:8080 (got "ftp://x")',
      "SHUTDOWN_DRAIN_MS: must be below SHUTDOWN_TIMEOUT_MS (25000), so that requests can finish after the drain (got 26000)",
    ]);
  });

  it("GIVEN the variables the platform sets WHEN loaded THEN they are used, with defaults for the rest", () => {
    const config = loadConfig(manifest, {
      SERVICE_NAME: "probe",
      PORT: "9000",
      PLATFORM_ENVIRONMENT: "staging",
      STOCK_KEEPER_URL: "http://stock-keeper:8080",
    });
    expect(config).toMatchObject({
      serviceName: "probe",
      port: 9000,
      environment: "staging",
      logLevel: "info",
      drainMs: 5000,
      shutdownTimeoutMs: 25000,
      dependencyTimeoutMs: 2000,
    });
    expect(config.dependencyUrls["stock-keeper"]?.href).toBe("http://stock-keeper:8080/");
  });
});

describe("health, readiness and metrics", () => {
  it("GIVEN a started service WHEN probed THEN it is alive and ready, and metrics use the contract's names", async () => {
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
    await fetch(`${service.url}/items/a%20b`);
    await fetch(`${service.url}/nowhere`);
    await fetch(`${service.url}/items/a`, { method: "HEAD" });
    await fetch(`${service.url}/items/a`, { method: "DELETE" });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain(`${METRICS_CONTRACT.requests.name}{route="/items/:id",method="GET",status="200"} 1`);
    expect(metrics).toContain(`${METRICS_CONTRACT.requests.name}{route="unmatched",method="GET",status="404"} 1`);
    // Fastify's HEAD route of a GET route, and the 405 answer of a path, count under the route's pattern too.
    expect(metrics).toContain(`${METRICS_CONTRACT.requests.name}{route="/items/:id",method="HEAD",status="200"} 1`);
    expect(metrics).toContain(`${METRICS_CONTRACT.requests.name}{route="/items/:id",method="DELETE",status="405"} 1`);
    expect(metrics).toContain(
      `${METRICS_CONTRACT.duration.name}_bucket{le="0.005",route="/items/:id",method="GET",status="200"}`,
    );
    expect(metrics).toContain("process_cpu_seconds_total");
    expect(metrics).not.toContain('route="/healthz"');
  });

  it("GIVEN a service whose start takes time WHEN probed meanwhile THEN it is alive but not ready", async () => {
    const port = await freePort();
    let finishStart: () => void = () => undefined;
    const starting = start(
      probeApplication({ onStart: () => new Promise<void>((resolve) => (finishStart = resolve)) }),
      { STOCK_KEEPER_URL: "http://127.0.0.1:9", PORT: String(port) },
    );
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200);
    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([readiness.status, await readiness.json()]).toEqual([503, { status: "starting" }]);
    finishStart();
    const service = await starting;
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});

describe("a failed start", () => {
  it("GIVEN onStart throws WHEN started THEN the start rejects with its error and the port is free again", async () => {
    const port = await freePort();
    const starting = startForTest(probeApplication({ onStart: () => Promise.reject(new Error("no database")) }), {
      variables: { STOCK_KEEPER_URL: "http://127.0.0.1:9", PORT: String(port) },
    });
    await expect(starting).rejects.toThrow("no database");
    const server = createServer().listen(port, "127.0.0.1");
    await once(server, "listening");
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("routes", () => {
  it("GIVEN routes WHEN called THEN params, JSON bodies, errors and the request id are handled", async () => {
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" });
    const item = await fetch(`${service.url}/items/a%20b`, { headers: { "x-request-id": "req-1" } });
    expect([item.status, await item.json(), item.headers.get("x-request-id")]).toEqual([200, { id: "a b" }, "req-1"]);
    const created = await fetch(`${service.url}/items`, {
      method: "POST",
      body: JSON.stringify({ n: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect([created.status, await created.json()]).toEqual([201, { received: { n: 1 } }]);
    const notJson = await fetch(`${service.url}/items`, { method: "POST", body: "{" });
    expect([notJson.status, await notJson.json()]).toEqual([
      400,
      { error: "the body is not valid JSON", problems: ["the body is not valid JSON"] },
    ]);
    const missing = await fetch(`${service.url}/missing`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: "no such item" }]);
    const broken = await fetch(`${service.url}/broken`);
    expect([broken.status, await broken.json()]).toEqual([500, { error: "internal error" }]);
    const wrongMethod = await fetch(`${service.url}/items`, { method: "DELETE" });
    expect([wrongMethod.status, wrongMethod.headers.get("allow")]).toEqual([405, "POST"]);
  });
});

describe("requests", () => {
  it("GIVEN a body over 1 MiB, an empty body and a HEAD request WHEN served THEN 413, 400 and GET's headers without a body", async () => {
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" });
    const tooLarge = await fetch(`${service.url}/items`, {
      method: "POST",
      body: JSON.stringify({ text: "x".repeat(1024 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect([tooLarge.status, await tooLarge.json()]).toEqual([413, { error: "the body is larger than 1048576 bytes" }]);
    const empty = await fetch(`${service.url}/items`, { method: "POST" });
    expect([empty.status, await empty.json()]).toEqual([
      400,
      { error: "the body is empty; expected JSON", problems: ["the body is empty; expected JSON"] },
    ]);
    const head = await fetch(`${service.url}/items/a`, { method: "HEAD" });
    expect([head.status, head.headers.get("content-type"), await head.text()]).toEqual([
      200,
      "application/json; charset=utf-8",
      "",
    ]);
  });

  it("GIVEN requests WHEN served THEN each has one request log line with its id, and an unusable caller id is replaced", async () => {
    const logs: Array<Record<string, unknown>> = [];
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" }, logs);
    await fetch(`${service.url}/items/a`, { headers: { "x-request-id": "req-7" } });
    const replaced = await fetch(`${service.url}/missing`, { headers: { "x-request-id": "no spaces allowed" } });
    const newId = replaced.headers.get("x-request-id");
    expect(newId).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    await fetch(`${service.url}/healthz`);
    await fetch(`${service.url}/stock`, { headers: { "x-request-id": "req-8" } });
    // A line the request writes itself carries its id too.
    expect(logs.find((line) => line.msg === "dependency failed")).toMatchObject({ level: "warn", requestId: "req-8" });
    const requests = logs.filter((line) => line.msg === "request");
    expect(requests).toEqual([
      expect.objectContaining({ level: "info", requestId: "req-7", method: "GET", route: "/items/:id", status: 200 }),
      expect.objectContaining({ level: "info", requestId: newId, method: "GET", route: "/missing", status: 404 }),
      expect.objectContaining({ level: "error", requestId: "req-8", method: "GET", route: "/stock", status: 503 }),
    ]);
    expect(requests.map((line) => typeof line.durationMs)).toEqual(["number", "number", "number"]);
  });
});

describe("dependencies", () => {
  it("GIVEN a dependency WHEN a route calls it THEN the call reaches its URL with the caller's request id", async () => {
    const stock = await fakeDependency(() => ({ status: 200, body: { widgets: 4 } }));
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: stock.url });
    const response = await fetch(`${service.url}/stock`, { headers: { "x-request-id": "trace-42" } });
    expect([response.status, await response.json()]).toEqual([200, { widgets: 4 }]);
    expect(stock.received.map((r) => [r.path, r.headers["x-request-id"]])).toEqual([["/levels", "trace-42"]]);
  });

  it("GIVEN a service without dependencies WHEN a handler runs THEN it runs in no request context, which only dependency calls read (entering one turns Node's async hooks on)", async () => {
    const seen: Array<string | undefined> = [];
    const service = await start({
      manifest: manifestWithoutDependencies("leaf"),
      routes(router) {
        router.get("/seen", () => {
          seen.push(currentRequestId());
          return { body: {} };
        });
      },
    });
    const response = await fetch(`${service.url}/seen`, { headers: { "x-request-id": "req-leaf" } });
    expect([response.status, response.headers.get("x-request-id"), seen]).toEqual([200, "req-leaf", [undefined]]);
  });

  it("GIVEN a dependency that answers with an error WHEN called THEN the caller answers 502", async () => {
    const failing = await fakeDependency(() => ({ status: 503 }));
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: failing.url });
    const response = await fetch(`${service.url}/stock`);
    expect([response.status, await response.json()]).toEqual([502, { error: "stock-keeper failed" }]);
  });

  it("GIVEN a slow and an unreachable dependency WHEN called THEN the caller answers 503 with Retry-After, naming it", async () => {
    const slow = await fakeDependency(() => ({ status: 200, delayMs: 1_000 }));
    for (const url of [slow.url, "http://127.0.0.1:9"]) {
      const service = await start(probeApplication(), { STOCK_KEEPER_URL: url, DEPENDENCY_TIMEOUT_MS: "200" });
      const response = await fetch(`${service.url}/stock`);
      expect([response.status, response.headers.get("retry-after"), await response.json()]).toEqual([
        503,
        "1",
        { error: "stock-keeper is unavailable; try again later" },
      ]);
    }
  });
});

describe("dependency resilience", () => {
  it("GIVEN an unreachable dependency WHEN its breaker opens THEN the caller answers 503 at once with Retry-After, and the metrics say open", async () => {
    const logs: Array<Record<string, unknown>> = [];
    const service = await start(
      probeApplication(),
      {
        STOCK_KEEPER_URL: "http://127.0.0.1:9",
        STOCK_KEEPER_BREAKER_FAILURES: "2",
        STOCK_KEEPER_BREAKER_HALF_OPEN_MS: "30000",
      },
      logs,
    );
    const before = await (await fetch(`${service.url}/metrics`)).text();
    expect(before).toContain(`${METRICS_CONTRACT.dependencyBreakerState.name}{dependency="stock-keeper"} 0`);
    // The first call's attempt and its retry get no answer: two in a row open the breaker.
    expect((await fetch(`${service.url}/stock`)).status).toBe(503);
    const response = await fetch(`${service.url}/stock`);
    expect([response.status, response.headers.get("retry-after"), await response.json()]).toEqual([
      503,
      "30",
      { error: "stock-keeper is unavailable; try again later" },
    ]);
    expect(logs.filter((line) => line.msg === "dependency failed").at(-1)?.err).toMatchObject({
      message:
        "stock-keeper: GET /levels: is unavailable: its circuit breaker is open after attempts that got no answer; no call was made",
    });
    const after = await (await fetch(`${service.url}/metrics`)).text();
    expect(after).toContain(`${METRICS_CONTRACT.dependencyBreakerState.name}{dependency="stock-keeper"} 2`);
    // The second call was not retried: the breaker refused it at once.
    expect(after).toContain(`${METRICS_CONTRACT.dependencyRetries.name}{dependency="stock-keeper"} 1`);
  });

  it("GIVEN retry methods set but empty WHEN the configuration is loaded THEN no method is retried; unset, the defaults are", () => {
    const url = { STOCK_KEEPER_URL: "http://127.0.0.1:9" };
    const none = loadConfig(manifest, { ...url, STOCK_KEEPER_RETRY_METHODS: "" });
    expect(none.dependencies["stock-keeper"]?.retryMethods).toEqual([]);
    expect(loadConfig(manifest, url).dependencies["stock-keeper"]?.retryMethods).toEqual([
      "GET",
      "HEAD",
      "PUT",
      "DELETE",
      "OPTIONS",
    ]);
  });

  it("GIVEN a retry method that is not idempotent WHEN the configuration is loaded THEN it is refused, naming the variable", () => {
    expect(() =>
      loadConfig(manifest, { STOCK_KEEPER_URL: "http://127.0.0.1:9", STOCK_KEEPER_RETRY_METHODS: "GET,POST" }),
    ).toThrow(
      'STOCK_KEEPER_RETRY_METHODS: POST cannot be retried, only idempotent methods: GET, HEAD, PUT, DELETE, OPTIONS (got "GET,POST")',
    );
  });
});

describe("load shedding", () => {
  it("GIVEN a saturated event loop WHEN requests come THEN they are answered 503 with Retry-After, readiness is 503, health and metrics answer", async () => {
    const service = await start(probeApplication(), {
      STOCK_KEEPER_URL: "http://127.0.0.1:9",
      LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: "50",
      LOAD_SHEDDING_SAMPLE_INTERVAL_MS: "100",
    });
    // GIVEN it answers 200 (the worker's loop is shared with other tests: on a loaded machine
    // its delay may be over the limit at first, and the service rightly sheds until it is not)
    while ((await fetch(`${service.url}/items/a`)).status !== 200) await new Promise((r) => setTimeout(r, 50));
    const runsBefore = itemHandlerRuns.count;
    let itemsAnswered = 0;
    // A saturated loop: turns of 100 ms, one after the other, until the test has its answers;
    // requests are read between them. Every sample then has a mean delay over the limit.
    let saturating = true;
    const turn = () => {
      const until = performance.now() + 100;
      while (performance.now() < until);
      if (saturating) setTimeout(turn, 0);
    };
    setTimeout(turn, 0);
    const batch = () =>
      Promise.all(["/readyz", "/items/a", "/healthz", "/metrics"].map((path) => fetch(`${service.url}${path}`)));
    let answers: Response[] = [];
    try {
      // Twice in a row not ready: the batch after is wholly within the overload, not at its start.
      let overloaded = 0;
      while (overloaded < 2) {
        answers = await batch();
        if (answers[1]?.status === 200) itemsAnswered += 1;
        overloaded = answers[0]?.status === 503 ? overloaded + 1 : 0;
      }
    } finally {
      saturating = false;
    }
    const [readiness, item, health, metrics] = answers as [Response, Response, Response, Response];
    expect(await readiness.json()).toEqual({ status: "overloaded" });
    expect([item.status, item.headers.get("retry-after"), await item.json()]).toEqual([
      503,
      "1",
      { error: "probe is overloaded; try again later" },
    ]);
    expect([health.status, metrics.status]).toEqual([200, 200]);
    expect(await metrics.text()).toMatch(new RegExp(`^${METRICS_CONTRACT.shedRequests.name} [1-9]`, "m"));
    // A shed request never reached its handler: it ran once per request answered 200.
    expect(itemHandlerRuns.count - runsBefore).toBe(itemsAnswered);
    // Once the load drops, the service answers again.
    let after = await fetch(`${service.url}/items/a`);
    while (after.status === 503) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await fetch(`${service.url}/items/a`);
    }
    expect([after.status, await after.json()]).toEqual([200, { id: "a" }]);
  });

  it("GIVEN a calm event loop WHEN requests come THEN none is shed", async () => {
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await fetch(`${service.url}/items/a`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});

describe("backing services", () => {
  it("GIVEN a service that declares none WHEN it asks for one THEN the error says none is declared", async () => {
    const service = await start(probeApplication(), { STOCK_KEEPER_URL: "http://127.0.0.1:9" });
    expect(() => service.context.resource("db")).toThrow(
      'backing service "db" is not in backingServices or uses of service.ts; declared: (none)',
    );
  });
});

describe("graceful shutdown", () => {
  it("GIVEN a request in flight WHEN the service stops THEN readiness turns false, the request completes and the stop is clean", async () => {
    const logs: Array<Record<string, unknown>> = [];
    // The drain is the time the readiness and liveness questions below have to be answered
    // in (the server accepts no connection after it): seconds, for a machine so busy that
    // a request to this process waits its turn; the test takes that long.
    const service = await start(
      probeApplication(),
      { STOCK_KEEPER_URL: "http://127.0.0.1:9", SHUTDOWN_DRAIN_MS: "2000" },
      logs,
    );
    const release = holdSlowAnswers();
    const entered = slowHandler.entered;
    const inFlight = answerOf(`${service.url}/slow`);
    await waitFor(async () => slowHandler.entered > entered);
    const stopped = service.stop();
    const readiness = await fetch(`${service.url}/readyz`);
    expect([readiness.status, await readiness.json()]).toEqual([503, { status: "draining" }]);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    release();
    // Asked before the drain, answered during it: its connection closes, so the client goes elsewhere next.
    expect(await inFlight).toEqual({ status: 200, connection: "close", body: '{"done":true}' });
    expect(await stopped).toEqual({ clean: true });
    expect(service.state).toBe("stopped");
    expect(logs.map((line) => line.msg)).toEqual(expect.arrayContaining(["listening", "ready", "draining", "stopped"]));
  });

  it("GIVEN a request that outlasts the shutdown timeout WHEN the service stops THEN its connection is cut and the stop is not clean", async () => {
    const service = await start(probeApplication(), {
      STOCK_KEEPER_URL: "http://127.0.0.1:9",
      SHUTDOWN_TIMEOUT_MS: "100",
    });
    // Held past the shutdown timeout, whatever the machine's speed.
    const release = holdSlowAnswers();
    const entered = slowHandler.entered;
    const inFlight = fetch(`${service.url}/slow`).then(
      (response) => response.status,
      () => "cut",
    );
    await waitFor(async () => slowHandler.entered > entered);
    const stopped = await service.stop();
    // Released once the stop is over: a connection the stop did not cut would answer now.
    release();
    expect(stopped).toEqual({ clean: false });
    expect(await inFlight).toBe("cut");
  });

  it("GIVEN background work WHEN the service stops THEN onStop runs after the drain and before exit", async () => {
    const order: string[] = [];
    const service = await start(probeApplication({ onStop: () => void order.push("onStop") }), {
      STOCK_KEEPER_URL: "http://127.0.0.1:9",
    });
    await service.stop().then(() => order.push("stopped"));
    expect(order).toEqual(["onStop", "stopped"]);
  });
});

describe("the bundled service", () => {
  it("GIVEN the bundle alone in a folder WHEN run with node and sent SIGTERM THEN it serves health and metrics and exits 0", async () => {
    const bundle = await startBundledService(fixtureServiceDir, {
      SERVICE_NAME: "fixture",
      PLATFORM_ENVIRONMENT: "test",
      STOCK_KEEPER_URL: "http://127.0.0.1:9",
    });
    try {
      // Only the bundle, as in the image: no node_modules anywhere above it.
      expect(bundle.files).toEqual(["main.mjs", "main.mjs.map"]);
      expect((await fetch(`${bundle.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${bundle.url}/metrics`)).text()).toContain("process_cpu_seconds_total");
      expect(await bundle.terminate()).toEqual([0, null]);
      expect(bundle.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["stop requested", "draining", "stopped"]));
      expect(bundle.lines[0]).toMatchObject({ level: "info", service: "fixture", environment: "test" });
    } finally {
      bundle.remove();
    }
  });

  it("GIVEN a folder without src/main.ts WHEN bundled THEN the bundler refuses and names the missing entry point", async () => {
    const folder = fileURLToPath(new URL(".", import.meta.url));
    await expect(startBundledService(folder)).rejects.toThrow(
      `bundle-service in ${folder}: exited 2: bundle-service: ${folder}src/main.ts: missing; run it from a service folder, whose src/main.ts is the entry point`,
    );
  });
});
