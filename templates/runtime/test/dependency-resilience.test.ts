import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BreakerState,
  DependencyClient,
  DependencyError,
  DependencyResilience,
  type DependencySettings,
  type ResilienceObserver,
  RetryBudget,
} from "@platform/service-runtime";
import { afterEach, describe, expect, it, vi } from "vitest";

// The resilience of calls to a dependency (src/dependency-resilience.ts, through the
// DependencyClient that uses it): against a fake dependency on loopback that answers, or
// drops the connection without an answer, as the test says.

const servers: Server[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    }),
  );
});

/** A dependency that drops each connection while `dropping` says so, else answers 200; it counts what reaches it. */
async function flakyDependency(dropping: (hit: number) => boolean) {
  const state = { hits: 0, methods: [] as string[] };
  const server = createServer((request, response) => {
    state.hits += 1;
    state.methods.push(request.method ?? "");
    if (dropping(state.hits)) request.socket.destroy();
    else response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), state };
}

/** An observer that records the retries and breaker states, and lets a test wait for a state. */
function recorder() {
  const seen = { retries: 0, states: [] as BreakerState[] };
  const waiting: Array<{ state: BreakerState; resolve: () => void }> = [];
  const observer: ResilienceObserver = {
    retried: () => {
      seen.retries += 1;
    },
    breakerChanged: (_dependency, state) => {
      seen.states.push(state);
      for (const w of waiting.filter((w) => w.state === state)) w.resolve();
    },
  };
  const reached = (state: BreakerState) =>
    seen.states.includes(state) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ state, resolve }));
  return { seen, observer, reached };
}

const settings = (overrides: Partial<DependencySettings>): DependencySettings => ({
  timeoutMs: 5_000,
  retryAttempts: 0,
  retryMethods: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"],
  breakerFailures: 1_000,
  breakerHalfOpenAfterMs: 60_000,
  ...overrides,
});

async function failureOf(call: Promise<unknown>): Promise<DependencyError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DependencyError)) throw new Error(`expected a DependencyError, got ${String(error)}`);
  return error;
}

describe("circuit breaker", () => {
  it("GIVEN a dependency that never answers WHEN 3 calls in a row fail THEN the breaker opens and the next calls fail at once, without a call", async () => {
    const dependency = await flakyDependency(() => true);
    const { seen, observer, reached } = recorder();
    const client = new DependencyClient("catalog", dependency.url, settings({ breakerFailures: 3 }), observer);
    for (let i = 0; i < 3; i++) await failureOf(client.request("GET", "/products"));
    await reached("open");
    expect(dependency.state.hits).toBe(3);

    const refused = await failureOf(client.request("GET", "/products"));
    const alsoRefused = await failureOf(client.request("POST", "/products", { name: "cup" }));
    expect(dependency.state.hits).toBe(3);
    expect(refused.message).toBe(
      "catalog: GET /products: is unavailable: its circuit breaker is open after attempts that got no answer; no call was made",
    );
    expect(refused.retryAfterSeconds).toBe(60);
    expect(alsoRefused.retryAfterSeconds).toBeGreaterThan(0);
    expect(client.resilience.state).toBe("open");
    expect(seen.states).toEqual(["open"]);
  });

  it("GIVEN an open breaker WHEN the half-open time has passed and the dependency is back THEN one trial call goes through and the breaker closes", async () => {
    let down = true;
    const dependency = await flakyDependency(() => down);
    const { seen, observer, reached } = recorder();
    const client = new DependencyClient(
      "catalog",
      dependency.url,
      settings({ breakerFailures: 2, breakerHalfOpenAfterMs: 100 }),
      observer,
    );
    for (let i = 0; i < 2; i++) await failureOf(client.request("GET", "/products"));
    await reached("open");
    down = false;
    // Until the half-open time has passed, each call is refused without reaching the dependency.
    let answer = await client.request("GET", "/products").catch(() => undefined);
    while (answer === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await client.request("GET", "/products").catch(() => undefined);
    }
    expect(answer).toEqual({ status: 200, ok: true, body: { ok: true } });
    expect(dependency.state.hits).toBe(3);
    expect(seen.states).toEqual(["open", "half-open", "closed"]);
  });

  it("GIVEN an open breaker WHEN the trial call fails too THEN it opens again", async () => {
    const dependency = await flakyDependency(() => true);
    const { seen, observer, reached } = recorder();
    const client = new DependencyClient(
      "catalog",
      dependency.url,
      settings({ breakerFailures: 1, breakerHalfOpenAfterMs: 50 }),
      observer,
    );
    await failureOf(client.request("GET", "/products"));
    await reached("open");
    while (dependency.state.hits < 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await failureOf(client.request("GET", "/products"));
    }
    expect(seen.states).toEqual(["open", "half-open", "open"]);
  });

  it("GIVEN a half-open breaker WHEN a call arrives while the trial call is in flight THEN it is refused at once, without a call", async () => {
    let down = true;
    let holding = true;
    const held: Array<() => void> = [];
    const server = createServer((request, response) => {
      const answer = () => response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      if (down) request.socket.destroy();
      else if (holding) held.push(answer);
      else answer();
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const { observer, reached } = recorder();
    const client = new DependencyClient(
      "catalog",
      url,
      settings({ breakerFailures: 1, breakerHalfOpenAfterMs: 1 }),
      observer,
    );
    await failureOf(client.request("GET", "/products"));
    await reached("open");
    down = false;
    // The first call after the half-open time is the trial; the dependency holds its answer.
    let trial = client.request("GET", "/products").catch((e: unknown) => e);
    while ((await Promise.race([trial, reached("half-open").then(() => "half-open")])) !== "half-open") {
      await new Promise((resolve) => setTimeout(resolve, 5));
      trial = client.request("GET", "/products").catch((e: unknown) => e);
    }
    const queued = client.request("GET", "/products").then(
      () => "answered",
      (e: unknown) => (e instanceof DependencyError ? e.message : String(e)),
    );
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    holding = false;
    for (const answer of held.splice(0)) answer();
    expect(await trial).toEqual({ status: 200, ok: true, body: { ok: true } });
    expect(await queued).toBe(
      "catalog: GET /products: is unavailable: its circuit breaker is open after attempts that got no answer; no call was made",
    );
    expect(client.resilience.state).toBe("closed");
  });

  it("GIVEN a retry whose call ran out of time during its backoff WHEN the breaker is open and due for a trial THEN no trial is made and the breaker stays open", async () => {
    // A backoff of about 70 ms (the jitter at its top), longer than the 30 ms timeout.
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const states: BreakerState[] = [];
    let retrying: () => void = () => undefined;
    const retryGranted = new Promise<void>((resolve) => {
      retrying = resolve;
    });
    const resilience = new DependencyResilience(
      "catalog",
      settings({ timeoutMs: 30, retryAttempts: 1, breakerFailures: 2, breakerHalfOpenAfterMs: 1 }),
      { retried: () => retrying(), breakerChanged: (_dependency, state) => states.push(state) },
    );
    const refused = () => Promise.reject(new Error("connection refused"));
    const retried = resilience.call("GET", refused).catch((e: unknown) => e);
    // The retry is granted and waits for its backoff (or, its backoff past the deadline, the call gives up).
    await Promise.race([retryGranted, retried]);
    // A second failure then opens the breaker.
    await resilience.call("POST", refused).catch(() => undefined);
    expect(resilience.state).toBe("open");
    await retried;
    expect(resilience.state).toBe("open");
    expect(states).toEqual(["open"]);
  });

  it("GIVEN a dependency that answers 503 WHEN called many times THEN the breaker stays closed: an answer is not a failure", async () => {
    const server = createServer((_request, response) => response.writeHead(503).end());
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const client = new DependencyClient("catalog", url, settings({ breakerFailures: 2, retryAttempts: 2 }));
    for (let i = 0; i < 4; i++) expect((await client.request("GET", "/products")).status).toBe(503);
    expect(client.resilience.state).toBe("closed");
  });
});

describe("retries", () => {
  it("GIVEN a first attempt that gets no answer WHEN a GET is made THEN it is retried and answers", async () => {
    const dependency = await flakyDependency((hit) => hit === 1);
    const { seen, observer } = recorder();
    const client = new DependencyClient("catalog", dependency.url, settings({ retryAttempts: 2 }), observer);
    expect(await client.getJson("/products")).toEqual({ ok: true });
    expect([dependency.state.hits, seen.retries]).toEqual([2, 1]);
  });

  it("GIVEN a first attempt that gets no answer WHEN a POST or a PATCH is made THEN it is never retried", async () => {
    const dependency = await flakyDependency(() => true);
    const { seen, observer } = recorder();
    const client = new DependencyClient("orders", dependency.url, settings({ retryAttempts: 3 }), observer);
    const error = await failureOf(client.postJson("/orders", { productId: "cup" }));
    await failureOf(client.request("PATCH", "/orders/1", { quantity: 2 }));
    expect(error.retryAfterSeconds).toBe(1);
    expect(error.message).toMatch(/^orders: POST \/orders: cannot be reached at http:\/\/127\.0\.0\.1:\d+ \(/);
    expect([dependency.state.methods, seen.retries]).toEqual([["POST", "PATCH"], 0]);
  });

  it("GIVEN retry methods without DELETE WHEN a DELETE gets no answer THEN it is not retried", async () => {
    const dependency = await flakyDependency(() => true);
    const client = new DependencyClient(
      "catalog",
      dependency.url,
      settings({ retryAttempts: 2, retryMethods: ["GET"] }),
    );
    await failureOf(client.request("DELETE", "/products/cup"));
    expect(dependency.state.hits).toBe(1);
  });

  it("GIVEN a dependency that never answers WHEN many GETs are made THEN the retries stay within the budget", async () => {
    const dependency = await flakyDependency(() => true);
    const { seen, observer } = recorder();
    const client = new DependencyClient("catalog", dependency.url, settings({ retryAttempts: 2 }), observer);
    const calls = 30;
    for (let i = 0; i < calls; i++) await failureOf(client.getJson("/products"));
    const budget = new RetryBudget();
    // Without a budget: 2 retries a call, 60; with it, the reserve and a fifth of the calls at most.
    expect(seen.retries).toBeLessThanOrEqual(budget.reserve + budget.ratio * calls);
    expect(seen.retries).toBeGreaterThanOrEqual(budget.reserve);
    expect(dependency.state.hits).toBe(calls + seen.retries);
  });

  it("GIVEN a call's timeout WHEN the dependency does not answer in time THEN the call gives up at its timeout, retries included", async () => {
    const server = createServer(() => undefined);
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const { seen, observer } = recorder();
    const client = new DependencyClient("catalog", url, settings({ timeoutMs: 100, retryAttempts: 3 }), observer);
    const error = await failureOf(client.getJson("/products"));
    expect(error.message).toBe("catalog: GET /products: did not answer within 100 ms");
    expect(error.retryAfterSeconds).toBe(1);
    // The attempt that timed out used up the call's time: no retry after it.
    expect(seen.retries).toBe(0);
  });
});

describe("timeout", () => {
  it("GIVEN retries whose backoff would end past the call's deadline WHEN a GET gets no answer THEN no backoff waits beyond the deadline and the call gives up", async () => {
    // Backoffs of about 68 then 72 ms (the jitter at its top): the second would end past the 100 ms timeout.
    vi.spyOn(Math, "random").mockReturnValue(0.99);
    const waits: number[] = [];
    const setTimer = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((handler: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      return setTimer(handler, ms);
    }) as typeof setTimeout);
    const resilience = new DependencyResilience("catalog", settings({ timeoutMs: 100, retryAttempts: 3 }));
    const error = await resilience.call("GET", () => Promise.reject(new Error("connection refused"))).catch((e) => e);
    expect(error).toMatchObject({ reason: "no-answer", lastAttempt: { kind: "not-made" } });
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(100);
  });
});

describe("retry budget", () => {
  it("GIVEN a reserve of 2 and a ratio of 0.5 WHEN retries are taken THEN two are, then one per two calls", () => {
    const budget = new RetryBudget(0.5, 2);
    expect([budget.withdraw(), budget.withdraw(), budget.withdraw()]).toEqual([true, true, false]);
    budget.deposit();
    expect(budget.withdraw()).toBe(false);
    budget.deposit();
    expect([budget.withdraw(), budget.withdraw()]).toEqual([true, false]);
  });

  it("GIVEN many calls without a retry WHEN deposited THEN the budget holds no more than its reserve", () => {
    const budget = new RetryBudget(0.2, 3);
    for (let i = 0; i < 100; i++) budget.deposit();
    expect([budget.withdraw(), budget.withdraw(), budget.withdraw(), budget.withdraw()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
