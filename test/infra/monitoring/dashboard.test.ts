import { describe, expect, it } from "vitest";
import { dashboardUid, renderDashboard } from "../../../infra/monitoring/dashboard.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";

function dashboardOf(
  input: Parameters<typeof service>[0],
  environmentName = "staging",
  others: ReadonlyArray<Parameters<typeof service>[0]> = [],
  variables: Record<string, string> = {},
) {
  const environments = loadEnvironments(variables);
  const environment = environments.find((e) => e.name === environmentName)!;
  const spec = resolveCatalogue(
    [service(input), ...others.map((other) => service(other))],
    environmentName,
    environments.map((e) => e.name),
  ).get(input.name);
  return renderDashboard(spec, environment) as ReturnType<typeof renderDashboard> & {
    panels: Array<{ title: string; targets: Array<{ expr: string; legendFormat: string }> }>;
  };
}

describe("Grafana dashboard", () => {
  const orders = {
    name: "orders",
    build: {},
    port: 8080,
    resources: { cpu: "200m", memory: "256Mi" },
    scaling: { min: 2, max: 8 },
    monitoring: { slo: { availability: 99.9, latencyMs: 400 }, owner: "team-orders" },
  } as const;

  it("GIVEN a service WHEN its dashboard is rendered THEN it shows the golden signals, the replicas and the budgets left", () => {
    expect(dashboardOf(orders).panels.map((p) => p.title)).toEqual([
      "Availability budget left (30d)",
      "Latency budget left (30d)",
      "Replicas up",
      "Requests per second",
      "Request rate by status",
      "Error ratio",
      "Latency p50 / p95 / p99",
      "Replicas",
      "CPU against limit",
      "Memory against limit",
      "Requests shed",
    ]);
  });

  it("GIVEN a service with a dependency WHEN its dashboard is rendered THEN it shows the requests shed, each dependency's breaker and its retries", () => {
    const catalog = { name: "catalog", image: "ghcr.io/acme/catalog:2.0.0", port: 8081 } as const;
    const panels = dashboardOf({ ...orders, dependsOn: ["catalog"] }, "staging", [catalog]).panels;
    expect(panels.slice(-3).map((p) => [p.title, p.targets.map((t) => t.expr)])).toEqual([
      [
        "Requests shed",
        ['sum(rate(http_requests_shed_total{service="orders",environment="staging"}[$__rate_interval]))'],
      ],
      [
        "Circuit breakers",
        ['max by (dependency) (dependency_circuit_breaker_state{service="orders",environment="staging"})'],
      ],
      [
        "Dependency retries",
        [
          'sum by (dependency) (rate(dependency_retries_total{service="orders",environment="staging"}[$__rate_interval]))',
        ],
      ],
    ]);
  });

  it("GIVEN a service that owns a database WHEN its dashboard is rendered THEN it also shows, per resource, the replicas that reach it and its pool's connections", () => {
    const panels = dashboardOf({ ...orders, backingServices: { db: { type: "postgres" } } }).panels;
    expect(panels.slice(-3, -1).map((p) => [p.title, p.targets.map((t) => t.expr)])).toEqual([
      ["Backing services up", ['sum by (resource) (backing_service_up{service="orders",environment="staging"})']],
      [
        "Database connections",
        ['sum by (resource, state) (backing_service_pool_connections{service="orders",environment="staging"})'],
      ],
    ]);
  });

  it("THEN every query selects the service and environment, and saturation is measured against the limits of the spec", () => {
    const { panels } = dashboardOf(orders);
    const queries = panels.flatMap((p) => p.targets.map((t) => t.expr)).filter((expr) => !expr.startsWith("vector("));
    for (const expr of queries) expect(expr).toContain('{service="orders",environment="staging"');
    const exprOf = (title: string) => panels.find((p) => p.title === title)!.targets.map((t) => t.expr);
    expect(exprOf("CPU against limit")).toEqual([
      'sum by (instance) (rate(process_cpu_seconds_total{service="orders",environment="staging"}[$__rate_interval])) / 0.4',
    ]);
    expect(exprOf("Memory against limit")).toEqual([
      'sum by (instance) (process_resident_memory_bytes{service="orders",environment="staging"}) / 268435456',
    ]);
    expect(exprOf("Replicas")).toEqual(['sum(up{service="orders",environment="staging"})', "vector(2)", "vector(8)"]);
    expect(exprOf("Latency p50 / p95 / p99")[2]).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="orders",environment="staging"}[$__rate_interval])))',
    );
    expect(exprOf("Availability budget left (30d)")).toEqual([
      '1 - ((sum(increase(http_requests_total{service="orders",environment="staging",status=~"5.."}[30d])) or vector(0)) / sum(increase(http_requests_total{service="orders",environment="staging"}[30d]))) / 0.001',
    ]);
  });

  it("THEN every panel reads the datasource variable and its queries inherit it: no field Grafana fills in by default is repeated per panel", () => {
    const { panels, templating } = dashboardOf(orders) as unknown as {
      panels: Array<Record<string, any>>;
      templating: unknown;
    };
    expect(templating).toEqual({
      list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }],
    });
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: "prometheus", uid: "$datasource" });
      expect(Object.keys(panel.fieldConfig)).toEqual(["defaults"]);
      for (const target of panel.targets) expect(Object.keys(target)).toEqual(["refId", "expr", "legendFormat"]);
    }
  });

  it("GIVEN the local environment WHEN the dashboard is rendered THEN the latency panel links to the service's traces in the local Jaeger, and to those slower than its target", () => {
    const panels = dashboardOf(orders, "local").panels as unknown as Array<Record<string, any>>;
    const latency = panels.find((p) => p.title === "Latency p50 / p95 / p99")!;
    expect(latency.fieldConfig.defaults.links).toEqual([
      {
        title: "Traces of orders (last hour)",
        url: "http://127.0.0.1:16686/search?service=orders&lookback=1h",
        targetBlank: true,
      },
      {
        title: "Traces of orders slower than 400 ms (last hour)",
        url: "http://127.0.0.1:16686/search?service=orders&lookback=1h&minDuration=400ms",
        targetBlank: true,
      },
    ]);
    expect(panels.filter((p) => p.fieldConfig.defaults.links !== undefined)).toEqual([latency]);
  });

  it("GIVEN Kubernetes with PLATFORM_TRACES_URL WHEN rendered THEN the link goes there; without it, no panel links to traces", () => {
    const linked = dashboardOf(orders, "production", [], { PLATFORM_TRACES_URL: "https://jaeger.acme.com/" })
      .panels as unknown as Array<Record<string, any>>;
    expect(linked.find((p) => p.title === "Latency p50 / p95 / p99")!.fieldConfig.defaults.links[0].url).toBe(
      "https://jaeger.acme.com/search?service=orders&lookback=1h",
    );
    const unlinked = dashboardOf(orders, "production").panels as unknown as Array<Record<string, any>>;
    for (const panel of unlinked) expect(panel.fieldConfig.defaults.links).toBeUndefined();
  });

  it("GIVEN a service name of 63 characters WHEN its uid is made THEN it fits Grafana's 40 and stays apart from its neighbours", () => {
    const long = `a${"b".repeat(61)}c`;
    const other = `a${"b".repeat(61)}d`;
    expect(dashboardUid(long, "production")).toHaveLength(40);
    expect(dashboardUid(long, "production")).not.toBe(dashboardUid(other, "production"));
    expect(dashboardUid("orders", "production")).toBe("production-orders");
  });
});
