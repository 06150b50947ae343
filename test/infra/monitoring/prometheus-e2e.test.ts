import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { PrometheusConfig } from "../../../infra/monitoring/scrape-config.js";
import { startMetricsFixtureServer, type MetricsFixtureServer } from "../../support/metrics-fixture-server.js";
import { service } from "../../support/platform.js";
import {
  instantQuery,
  renderMonitoringTree,
  requirePrometheusTool,
  startPrometheus,
  waitFor,
  type RunningPrometheus,
} from "../../support/prometheus-tools.js";

/**
 * Upper bound of each wait on Prometheus, which scrapes every second: a ceiling for a
 * Prometheus that never gets there (it names what was awaited), not a measure of speed.
 * Prometheus answers within seconds on a quiet machine; on a shared 2-core machine at load
 * average 15 a scrape or a rule evaluation can be late by more than that. Two waits in one
 * test stay within the suite's test budget (testTimeout, 120 s).
 */
const WAIT_MS = 55_000;

describe("GIVEN a service and a real Prometheus running the generated local configuration", () => {
  let fixture: MetricsFixtureServer;
  let prometheus: RunningPrometheus | undefined;
  let tree: string;
  const selector = '{service="orders",environment="local"}';
  const call = async (route: string, times: number) => {
    for (let i = 0; i < times; i++) await (await fetch(`${fixture.url}${route}`)).text();
  };
  const requestCount = async () =>
    Number((await instantQuery(prometheus!.url, `sum(http_requests_total${selector})`))[0]?.value[1] ?? "NaN");

  beforeAll(async () => {
    requirePrometheusTool("prometheus");
    fixture = await startMetricsFixtureServer("/metrics");
    tree = renderMonitoringTree([
      service({
        name: "orders",
        build: {},
        port: 8080,
        scaling: { min: 1, max: 1 },
        monitoring: { owner: "team-orders" },
      }),
    ]);
    const configFile = path.join(tree, "local", "prometheus.yml");
    const config = parse(readFileSync(configFile, "utf8")) as Omit<PrometheusConfig, "scrape_configs"> & {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    // The generated job as it is, but pointed at the fixture (the container name only
    // resolves on the Docker network), and scraped every second to keep the test short.
    expect(config.scrape_configs.map((job) => job.static_configs[0]!.targets)).toEqual([
      ["platform-local-orders-1:8080"],
    ]);
    config.scrape_configs[0]!.static_configs[0]!.targets = [`127.0.0.1:${fixture.port}`];
    writeFileSync(configFile, stringify({ ...config, global: { scrape_interval: "1s", evaluation_interval: "1s" } }));
    prometheus = await startPrometheus(configFile);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await fixture?.close();
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  it("THEN the target is up, with the service and environment labels the rules select on", async () => {
    const up = await waitFor("the orders target to be up", WAIT_MS, async () => {
      const result = await instantQuery(prometheus!.url, `up${selector} == 1`);
      return result.length === 1 ? result[0] : undefined;
    });
    expect(up.metric).toEqual({
      __name__: "up",
      service: "orders",
      environment: "local",
      job: "orders",
      instance: `127.0.0.1:${fixture.port}`,
    });
  });

  it("WHEN real HTTP calls are made THEN the request counter rises in Prometheus", async () => {
    await call("/", 5);
    const first = await waitFor("5 requests counted", WAIT_MS, async () =>
      (await requestCount()) >= 5 ? requestCount() : undefined,
    );
    await call("/", 7);
    const second = await waitFor("7 more requests counted", WAIT_MS, async () => {
      const count = await requestCount();
      return count >= first + 7 ? count : undefined;
    });
    expect(second - first).toBeGreaterThanOrEqual(7);
  });

  it("WHEN some calls fail THEN the recorded error ratio of the loaded rules sees them", async () => {
    // A counter's first sample is its start, not an increase: the first failure makes the
    // series, the next ones raise it.
    await call("/fail", 1);
    await waitFor("the failure series", WAIT_MS, async () =>
      (await instantQuery(prometheus!.url, `http_requests_total{service="orders",status="500"}`)).length === 1
        ? true
        : undefined,
    );
    await call("/fail", 3);
    const ratio = await waitFor("a recorded error ratio above 0", WAIT_MS, async () => {
      const [sample] = await instantQuery(prometheus!.url, `service:http_requests_errors:ratio_rate5m${selector}`);
      return sample && Number(sample.value[1]) > 0 ? Number(sample.value[1]) : undefined;
    });
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    const rules = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ name: string; rules: Array<{ name: string; health: string }> }> };
    };
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(["orders-slo", "platform-slo-ratios"]);
    for (const group of rules.data.groups)
      expect(
        group.rules.filter((r) => r.health === "err"),
        group.name,
      ).toEqual([]);
    expect(rules.data.groups.find((g) => g.name === "orders-slo")?.rules.map((r) => r.name)).toContain(
      "AvailabilityBudgetBurnFast",
    );
  });

  it("THEN every query of the generated dashboard is accepted by Prometheus", async () => {
    const dashboard = JSON.parse(readFileSync(path.join(tree, "local", "dashboards", "orders.json"), "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const queries = dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ panel: panel.title, expr: target.expr.replaceAll("$__rate_interval", "1m") })),
    );
    expect(queries.length).toBeGreaterThan(10);
    for (const query of queries) {
      await expect(instantQuery(prometheus!.url, query.expr), `${query.panel}: ${query.expr}`).resolves.toBeDefined();
    }
    const [memory] = await instantQuery(prometheus!.url, queries.find((q) => q.panel === "Memory against limit")!.expr);
    expect(Number(memory?.value[1])).toBeGreaterThan(0);
  });
});
