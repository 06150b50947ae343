import { DependencyResilience, ServiceMetrics } from "@platform/service-runtime";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { METRICS_CONTRACT } from "../../../infra/monitoring/metrics-contract.js";

// The service's metrics (src/metrics.ts) as Prometheus scrapes them.

const BREAKER_STATE = METRICS_CONTRACT.dependencyBreakerState.name;

async function breakerStateOf(metrics: ServiceMetrics, dependency: string): Promise<string | undefined> {
  const { body } = await metrics.render();
  return body.split("\n").find((line) => line.startsWith(`${BREAKER_STATE}{dependency="${dependency}"}`));
}

describe("circuit breaker state", () => {
  it("GIVEN an open breaker WHEN scraped before its half-open time THEN it is 2, open", async () => {
    const metrics = new ServiceMetrics();
    metrics.breakerChanged("catalog", "open", Date.now() + 60_000);
    expect(await breakerStateOf(metrics, "catalog")).toBe(`${BREAKER_STATE}{dependency="catalog"} 2`);
  });

  it("GIVEN a breaker that opened WHEN scraped after its half-open time with no call since THEN it is 1, half-open: the next call is its trial", async () => {
    const metrics = new ServiceMetrics();
    metrics.breakerChanged("catalog", "closed");
    const resilience = new DependencyResilience(
      "catalog",
      { timeoutMs: 1_000, retryAttempts: 0, retryMethods: [], breakerFailures: 1, breakerHalfOpenAfterMs: 1 },
      metrics,
    );
    await resilience.call("GET", () => Promise.reject(new Error("connection refused"))).catch(() => undefined);
    expect(resilience.state).toBe("open");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await breakerStateOf(metrics, "catalog")).toBe(`${BREAKER_STATE}{dependency="catalog"} 1`);
    expect(resilience.state).toBe("open");
  });
});

describe("requests", () => {
  it("GIVEN requests observed between two scrapes WHEN scraped THEN each series' counter equals its latency count, counted once", async () => {
    const metrics = new ServiceMetrics();
    const { requests, duration } = METRICS_CONTRACT;
    const lineOf = (body: string, name: string, series: string) =>
      body.split("\n").find((line) => line.startsWith(`${name}{${series}}`));
    const ok = 'route="/items/:id",method="GET",status="200"';
    const failed = 'route="/items/:id",method="GET",status="503"';
    metrics.observeRequest("/items/:id", "GET", 200, 0.01);
    metrics.observeRequest("/items/:id", "GET", 200, 0.02);
    const first = (await metrics.render()).body;
    metrics.observeRequest("/items/:id", "GET", 200, 0.03);
    metrics.observeRequest("/items/:id", "GET", 503, 0.5);
    const second = (await metrics.render()).body;
    expect([
      lineOf(first, requests.name, ok),
      lineOf(first, `${duration.name}_count`, ok),
      lineOf(second, requests.name, ok),
      lineOf(second, `${duration.name}_count`, ok),
      lineOf(second, requests.name, failed),
    ]).toEqual([
      `${requests.name}{${ok}} 2`,
      `${duration.name}_count{${ok}} 2`,
      `${requests.name}{${ok}} 3`,
      `${duration.name}_count{${ok}} 3`,
      `${requests.name}{${failed}} 1`,
    ]);
  });

  it("GIVEN the same requests observed by prom-client's own Histogram WHEN both are scraped THEN the latency histogram's exposition is the same, byte for byte", async () => {
    const { duration } = METRICS_CONTRACT;
    const registry = new Registry();
    const reference = new Histogram({
      name: duration.name,
      help: duration.help,
      labelNames: duration.labels,
      buckets: [...duration.buckets],
      registers: [registry],
    });
    const metrics = new ServiceMetrics();
    // Every bucket, a bound exactly, above the last bound, and series first seen in another order.
    const requests: Array<[string, string, number, number]> = [
      ["/items/:id", "GET", 200, 0.001],
      ["/orders", "POST", 201, 0.005],
      ["/items/:id", "GET", 404, 0.3],
      ["/items/:id", "GET", 200, 12],
      ["unmatched", "OTHER", 404, 0.0049],
      ...duration.buckets.map((seconds): [string, string, number, number] => ["/orders", "POST", 201, seconds * 0.9]),
      ["/items/:id", "HEAD", 200, 0.25],
      ["/orders", "POST", 503, 10],
    ];
    for (const [route, method, status, seconds] of requests) {
      reference.observe({ route, method, status: String(status) }, seconds);
      metrics.observeRequest(route, method, status, seconds);
    }
    const block = (body: string) => {
      const start = body.indexOf(`# HELP ${duration.name} `);
      return body.slice(start, body.indexOf("\n\n", start));
    };
    const ours = block((await metrics.render()).body);
    expect(ours.split("\n")).toHaveLength(2 + 6 * (duration.buckets.length + 3));
    expect(ours).toBe(block(await registry.metrics()));
  });

  it("GIVEN a duration that is not a finite number WHEN observed THEN it is refused as prom-client's Histogram refuses it, and nothing is counted", async () => {
    const metrics = new ServiceMetrics();
    expect(() => metrics.observeRequest("/items/:id", "GET", 200, Number.NaN)).toThrow(TypeError);
    expect(() => metrics.observeRequest("/items/:id", "GET", 200, Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect((await metrics.render()).body).not.toContain('route="/items/:id"');
  });
});
