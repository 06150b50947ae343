import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RuleTestFile } from "../../../infra/monitoring/rule-tests.js";
import { exampleServices, service } from "../../support/platform.js";
import { promtool, renderMonitoringTree, requirePrometheusTool } from "../../support/prometheus-tools.js";

/**
 * The example catalogue, plus the SLO extremes: a whole-second threshold and the lowest
 * accepted availability; search also owns a database (its alerts include BackingServiceDown).
 */
function monitoredServices() {
  return [
    ...exampleServices(),
    service({
      name: "search",
      build: {},
      port: 8083,
      backingServices: { db: { type: "postgres" } },
      monitoring: {
        metricsPort: 9100,
        metricsPath: "/internal/metrics",
        slo: { availability: 99.99, latencyMs: 1000 },
        owner: "team-search",
      },
    }),
    service({
      name: "reports",
      build: {},
      port: 8084,
      monitoring: { slo: { availability: 93.1, latencyMs: 5 }, owner: "team-reports" },
    }),
  ];
}

describe("monitoring files checked by promtool", () => {
  let tree: string;
  let annotationsTree: string;
  const ruleFilesOf = (environment: string) =>
    readdirSync(path.join(tree, environment, "rules")).map((f) => `rules/${f}`);

  beforeAll(() => {
    requirePrometheusTool("promtool");
    // GIVEN five services (SLOs from 93.1% to 99.99%, thresholds from 5 ms to 1 s) WHEN rendered for every environment
    tree = renderMonitoringTree(monitoredServices(), {}, { ruleTestsEverywhere: true });
    annotationsTree = renderMonitoringTree(monitoredServices(), { PLATFORM_SCRAPE: "annotations" });
  });
  afterAll(() => {
    rmSync(tree, { recursive: true, force: true });
    rmSync(annotationsTree, { recursive: true, force: true });
  });

  it.each(["local", "staging", "production"])(
    "THEN promtool check rules accepts every rules file of %s",
    async (environment) => {
      const files = ruleFilesOf(environment);
      expect(files).toEqual([
        "rules/catalog.yml",
        "rules/gateway.yml",
        "rules/orders.yml",
        "rules/platform.yml",
        "rules/reports.yml",
        "rules/search.yml",
      ]);
      const run = await promtool(["check", "rules", ...files], path.join(tree, environment));
      // Six alerts per service, seven for search with its database and for gateway and orders
      // with their dependencies (DependencyCircuitOpen); two ratios over seven windows for the environment.
      expect(run.output.match(/SUCCESS: 6 rules found/g), run.output).toHaveLength(2);
      for (const name of ["gateway", "orders", "search"])
        expect(run.output).toMatch(new RegExp(`Checking rules/${name}\\.yml\\s+SUCCESS: 7 rules found`));
      expect(run.output.match(/SUCCESS: 14 rules found/g), run.output).toHaveLength(1);
      expect(run.code, run.output).toBe(0);
    },
  );

  it("THEN promtool check config accepts the local prometheus.yml and finds the rules through its relative rule_files", async () => {
    const run = await promtool(["check", "config", "prometheus.yml"], path.join(tree, "local"));
    expect(run.output).toContain("SUCCESS: 6 rule files found");
    expect(run.output).toContain("SUCCESS: prometheus.yml is valid prometheus config file syntax");
    expect(run.code, run.output).toBe(0);
  });

  it("THEN with PLATFORM_SCRAPE=annotations, the scrape job for the cluster's Prometheus is the only scrape file (beside Alertmanager's configuration), and promtool reads it as far as Debian's build can", async () => {
    expect(readdirSync(path.join(annotationsTree, "staging")).sort()).toEqual([
      "alertmanager.yml",
      "dashboards",
      "rules",
      "scrape-config.yml",
    ]);
    const run = await promtool(["check", "config", "scrape-config.yml"], path.join(annotationsTree, "staging"));
    // Debian builds Prometheus without Kubernetes discovery: its promtool reads every
    // field of the job but kubernetes_sd_configs, and fails on that one alone.
    expect(run.output).toContain("line 5: field kubernetes_sd_configs not found in type config.ScrapeConfig");
    expect(run.output.match(/not found in type/g)).toHaveLength(1);
  });

  it("THEN promtool test rules passes every generated scenario in every environment: spike pages, slow burn tickets, healthy is quiet, dead targets alert", async () => {
    // The example services share one SLO; these three cover the default, the tightest and the loosest, one per
    // environment.
    const cases = [
      ["local", "orders"],
      ["staging", "search"],
      ["production", "reports"],
    ] as const;
    // One process per file: promtool tests one file after the other, and the machine has cores to spare.
    const runs = await Promise.all(
      cases.map(([environment, name]) =>
        promtool(["test", "rules", `rule-tests/${name}.yml`], path.join(tree, environment)),
      ),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.output, cases[i]!.join(" ")).toContain("SUCCESS");
      expect(run.code, run.output).toBe(0);
    }
    // Three promtool processes of about 2 s each alone; past 30 s on a loaded 2-core machine.
  }, 120_000);

  it("GIVEN two services sharing the recording rules, one failing and one healthy WHEN tested together THEN only the failing one pages", async () => {
    const dir = path.join(tree, "staging");
    const orders = parse(readFileSync(path.join(dir, "rule-tests", "orders.yml"), "utf8")) as RuleTestFile;
    const catalog = parse(readFileSync(path.join(dir, "rule-tests", "catalog.yml"), "utf8")) as RuleTestFile;
    const spike = orders.tests.find((t) => /error spike/.test(t.name))!;
    const healthy = catalog.tests.find((t) => /healthy/.test(t.name))!;
    expect(
      spike.alert_rule_test
        .filter((t) => t.exp_alerts.length > 0)
        .map((t) => t.exp_alerts.map((a) => a.exp_labels.service)),
    ).toEqual([["orders"]]);
    const together: RuleTestFile = {
      ...orders,
      rule_files: ["../rules/platform.yml", "../rules/orders.yml", "../rules/catalog.yml"],
      // Each expectation names an alert and lists every alert of that name: catalog's must stay silent.
      tests: [
        {
          ...spike,
          name: "orders spikes while catalog is healthy",
          input_series: [...spike.input_series, ...healthy.input_series],
        },
      ],
    };
    writeFileSync(path.join(dir, "rule-tests", "together.yml"), stringify(together, { lineWidth: 0 }));
    const run = await promtool(["test", "rules", "rule-tests/together.yml"], dir);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });

  it("GIVEN rules whose availability thresholds are ten times too lax WHEN the generated tests run THEN promtool names the alerts that did not fire", async () => {
    const run = await runRuleTestsAfterEdit(
      path.join(tree, "staging"),
      "orders",
      (rules) => rules.replace(/\* 0\.001\)/g, "* 0.01)"),
      /error spike|open a ticket/,
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain("FAILED:");
    expect(run.output).toMatch(/alertname: AvailabilityBudgetBurnFast, time: 1h9m,[\s\S]*?got:\[\]/);
    expect(run.output).toMatch(/alertname: AvailabilityBudgetBurnSlow, time: 2h,[\s\S]*?got:\[\]/);
  });

  it("GIVEN BackingServiceDown made to fire when one replica finds the database down (min instead of max) WHEN the generated test runs THEN promtool names the alert that fired too early", async () => {
    const run = await runRuleTestsAfterEdit(
      path.join(tree, "local"),
      "search",
      (rules) =>
        rules.replace(
          "max by (service, environment, resource) (backing_service_up",
          "min by (service, environment, resource) (backing_service_up",
        ),
      /finding db down/,
    );
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/alertname: BackingServiceDown, time: 17m,[\s\S]*?exp:\[\]/);
  });

  it("GIVEN DependencyCircuitOpen made to fire when one replica's breaker is open (max instead of min) WHEN the generated test runs THEN promtool names the alert that fired too early", async () => {
    const run = await runRuleTestsAfterEdit(
      path.join(tree, "local"),
      "gateway",
      (rules) =>
        rules.replace(
          "min by (service, environment, dependency) (dependency_circuit_breaker_state",
          "max by (service, environment, dependency) (dependency_circuit_breaker_state",
        ),
      /breaker of catalog open/,
    );
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/alertname: DependencyCircuitOpen, time: 20m,[\s\S]*?exp:\[\]/);
  });

  it('GIVEN Prometheus 3 spells a whole-second bucket bound le="1.0" WHEN the 1000 ms service\'s tests use that spelling THEN its latency alerts still fire', async () => {
    const dir = path.join(tree, "production");
    const testsFile = path.join(dir, "rule-tests", "search.yml");
    keepScenarios(testsFile, /slower than/);
    const tests = readFileSync(testsFile, "utf8");
    const normalized = tests.replaceAll('le="1"', 'le="1.0"');
    expect(normalized.match(/le="1\.0"/g)).toHaveLength(2);
    writeFileSync(testsFile, normalized);
    const run = await promtool(["test", "rules", "rule-tests/search.yml"], dir);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });
});

/**
 * Rewrites a service's rules in an environment's tree with `edit` (which must change them),
 * keeps the scenarios of its rule tests whose name matches, and runs those tests.
 */
async function runRuleTestsAfterEdit(
  dir: string,
  serviceName: string,
  edit: (rules: string) => string,
  scenarios: RegExp,
) {
  const rulesFile = path.join(dir, "rules", `${serviceName}.yml`);
  const rules = readFileSync(rulesFile, "utf8");
  const edited = edit(rules);
  expect(edited).not.toBe(rules);
  writeFileSync(rulesFile, edited);
  keepScenarios(path.join(dir, "rule-tests", `${serviceName}.yml`), scenarios);
  return promtool(["test", "rules", `rule-tests/${serviceName}.yml`], dir);
}

/** Keeps the scenarios whose name matches (so promtool spends its time on the ones a test is about). */
function keepScenarios(file: string, names: RegExp): void {
  const tests = parse(readFileSync(file, "utf8")) as RuleTestFile;
  const kept = tests.tests.filter((t) => names.test(t.name));
  expect(kept.length).toBeGreaterThan(0);
  writeFileSync(file, stringify({ ...tests, tests: kept }, { lineWidth: 0 }));
}
