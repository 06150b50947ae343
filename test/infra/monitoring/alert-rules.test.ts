import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { thrownBy } from "../../support/thrown.js";
import { parse, stringify } from "yaml";
import {
  ALERTS,
  alertTemplateLiteral,
  renderAlertRules,
  renderRecordingRules,
  type AlertingRule,
  type RecordingRule,
} from "../../../infra/monitoring/alert-rules.js";
import { renderMonitoringFiles } from "../../../infra/monitoring/monitoring-files.js";
import { EnvironmentConfigError, loadEnvironments, type Environment } from "../../../infra/environments.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { exampleServices, resourceOf, service, synthPlatform } from "../../support/platform.js";
import { promtool, requirePrometheusTool } from "../../support/prometheus-tools.js";
import { scratchFolders } from "../../support/scratch.js";

const scratch = scratchFolders();

const orders = service({
  name: "orders",
  build: {},
  port: 8080,
  monitoring: { slo: { availability: 99.9, latencyMs: 400 }, owner: "team-orders" },
});

function rulesOf(environmentName: string, services = [orders], variables: Record<string, string> = {}) {
  const environments = loadEnvironments(variables);
  const environment = environments.find((e) => e.name === environmentName)! as Environment;
  const catalogue = resolveCatalogue(
    services,
    environmentName,
    environments.map((e) => e.name),
  );
  const rules = renderAlertRules(catalogue.get("orders"), environment).groups.flatMap((g) => g.rules);
  return {
    alerts: rules.filter((r): r is AlertingRule => "alert" in r),
    recordings: rules.filter((r): r is RecordingRule => "record" in r),
  };
}

describe("alert rules", () => {
  it("GIVEN a service with an SLO WHEN its rules are rendered THEN it gets the six alerts, each labelled with service, environment, owner and severity", () => {
    const { alerts } = rulesOf("staging");
    expect(alerts.map((a) => [a.alert, a.labels.severity, a.for])).toEqual([
      ["AvailabilityBudgetBurnFast", "page", undefined],
      ["AvailabilityBudgetBurnSlow", "ticket", undefined],
      ["LatencyBudgetBurnFast", "page", undefined],
      ["LatencyBudgetBurnSlow", "ticket", undefined],
      ["TargetDown", "ticket", "5m"],
      ["AllTargetsDown", "page", "2m"],
    ]);
    for (const alert of alerts) {
      expect(alert.labels).toMatchObject({ service: "orders", environment: "staging", owner: "team-orders" });
      expect(Object.keys(alert.annotations)).toEqual(["summary", "description", "dashboard"]);
      expect(alert.annotations.dashboard).toBe("https://grafana.example.com/d/staging-orders");
    }
  });

  it("THEN the page fires on 14.4x the budget over 1h and 5m or 6x over 6h and 30m, and says so", () => {
    const fast = rulesOf("staging").alerts.find((a) => a.alert === ALERTS.availabilityFastBurn)!;
    expect(fast.expr).toBe(
      [
        "(",
        '  service:http_requests_errors:ratio_rate1h{service="orders",environment="staging"} > (14.4 * 0.001)',
        "  and",
        '  service:http_requests_errors:ratio_rate5m{service="orders",environment="staging"} > (14.4 * 0.001)',
        ")",
        "or",
        "(",
        '  service:http_requests_errors:ratio_rate6h{service="orders",environment="staging"} > (6 * 0.001)',
        "  and",
        '  service:http_requests_errors:ratio_rate30m{service="orders",environment="staging"} > (6 * 0.001)',
        ")",
      ].join("\n"),
    );
    expect(fast.annotations.summary).toBe("orders (staging): the 99.9% availability SLO budget burns fast");
    expect(fast.annotations.description).toBe(
      "orders may answer 0.1% of its requests with HTTP 5xx over 30d (99.9% availability SLO). This fires when that rate is exceeded 14.4x over 1h and 5m, or 6x over 6h and 30m, which spends 2% of the 30d budget in 1h or 5% of the 30d budget in 6h.",
    );
  });

  it("THEN the ticket fires on 3x over 1d and 2h or 1x over 3d and 6h, and the latency alerts burn a 1% budget the same way", () => {
    const { alerts } = rulesOf("staging");
    const slow = alerts.find((a) => a.alert === ALERTS.availabilitySlowBurn)!.expr;
    expect(slow).toContain('ratio_rate1d{service="orders",environment="staging"} > (3 * 0.001)');
    expect(slow).toContain('ratio_rate2h{service="orders",environment="staging"} > (3 * 0.001)');
    expect(slow).toContain('ratio_rate3d{service="orders",environment="staging"} > (1 * 0.001)');
    expect(slow).toContain('ratio_rate6h{service="orders",environment="staging"} > (1 * 0.001)');
    const latency = alerts.find((a) => a.alert === ALERTS.latencyFastBurn)!.expr;
    expect(latency).toContain(
      'max without (le) (service_le:http_requests_slow:ratio_rate1h{service="orders",environment="staging",le="0.4"}) > (14.4 * 0.01)',
    );
  });

  it("THEN a service's rules are its alerts only: the ratios they read are the environment's recording rules", () => {
    expect(rulesOf("staging").recordings).toEqual([]);
  });

  it("GIVEN services with different latency thresholds WHEN the environment's recording rules are rendered THEN every window is recorded once for errors and once for slow requests, for every service, from the metrics contract", () => {
    const search = service({ name: "search", build: {}, port: 8081, monitoring: { slo: { latencyMs: 1000 } } });
    const environments = loadEnvironments({});
    const groups = renderRecordingRules(
      environments[0]!,
      resolveCatalogue(
        [orders, search],
        "local",
        environments.map((e) => e.name),
      ),
    ).groups;
    expect(groups.map((g) => g.name)).toEqual(["platform-slo-ratios"]);
    const recordings = groups[0]!.rules as RecordingRule[];
    const windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];
    expect(recordings.map((r) => r.record)).toEqual([
      ...windows.map((w) => `service:http_requests_errors:ratio_rate${w}`),
      ...windows.map((w) => `service_le:http_requests_slow:ratio_rate${w}`),
    ]);
    expect(recordings[0]!.expr).toBe(
      [
        "(",
        '  sum by (service, environment) (rate(http_requests_total{environment="local",status=~"5.."}[5m]))',
        "  or",
        '  0 * sum by (service, environment) (rate(http_requests_total{environment="local"}[5m]))',
        ")",
        "/",
        'sum by (service, environment) (rate(http_requests_total{environment="local"}[5m]))',
      ].join("\n"),
    );
    // Both thresholds in use, the whole second in Prometheus 2's le="1" and Prometheus 3's le="1.0".
    expect(recordings[7]!.expr).toBe(
      [
        "1 - (",
        '  sum by (service, environment, le) (rate(http_request_duration_seconds_bucket{environment="local",le=~"0\\\\.4|1(\\\\.0)?"}[5m]))',
        "  / on (service, environment) group_left",
        '  sum by (service, environment) (rate(http_request_duration_seconds_count{environment="local"}[5m]))',
        ")",
      ].join("\n"),
    );
  });

  it('GIVEN a whole-second latency threshold WHEN rendered THEN the alerts\' bucket matcher accepts Prometheus 2\'s le="1" and Prometheus 3\'s le="1.0"', () => {
    const whole = service({ name: "orders", build: {}, port: 8080, monitoring: { slo: { latencyMs: 1000 } } });
    const { alerts } = rulesOf("local", [whole]);
    expect(alerts.find((a) => a.alert === ALERTS.latencySlowBurn)!.expr).toContain(
      'service_le:http_requests_slow:ratio_rate1d{service="orders",environment="local",le=~"1(\\\\.0)?"}',
    );
  });

  it("GIVEN PLATFORM_GRAFANA_URL WHEN rendered THEN the alerts of staging and production link there, and local links to its own Grafana", () => {
    expect(
      rulesOf("production", [orders], { PLATFORM_GRAFANA_URL: "https://grafana.acme.com/" }).alerts[0]!.annotations
        .dashboard,
    ).toBe("https://grafana.acme.com/d/production-orders");
    expect(
      rulesOf("local", [orders], { PLATFORM_GRAFANA_URL: "https://grafana.acme.com" }).alerts[0]!.annotations.dashboard,
    ).toBe("http://127.0.0.1:3000/d/local-orders");
  });

  it("GIVEN a trace UI WHEN rendered THEN every alert links to the service's traces, the latency alerts to those slower than its target; without one, no alert has the link", () => {
    const local = rulesOf("local").alerts;
    const traces = Object.fromEntries(local.map((alert) => [alert.alert, alert.annotations.traces]));
    expect(Object.keys(traces)).toHaveLength(6);
    for (const [name, link] of Object.entries(traces))
      expect(link, name).toBe(
        name.startsWith("Latency")
          ? "http://127.0.0.1:16686/search?service=orders&lookback=1h&minDuration=400ms"
          : "http://127.0.0.1:16686/search?service=orders&lookback=1h",
      );
    expect(
      rulesOf("staging", [orders], { PLATFORM_TRACES_URL: "https://jaeger.acme.com" }).alerts[0]!.annotations.traces,
    ).toBe("https://jaeger.acme.com/search?service=orders&lookback=1h");
    for (const alert of rulesOf("production").alerts) expect(alert.annotations.traces).toBeUndefined();
  });

  it("GIVEN a PLATFORM_GRAFANA_URL that is not a URL WHEN environments load THEN it is refused with what is accepted", () => {
    const error = thrownBy(() => loadEnvironments({ PLATFORM_GRAFANA_URL: "grafana.acme.com" }));
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    expect(error).toMatchObject({
      code: "ENVIRONMENT_CONFIG_INVALID",
      variable: "PLATFORM_GRAFANA_URL",
      value: "grafana.acme.com",
    });
    expect(() => loadEnvironments({ PLATFORM_GRAFANA_URL: "grafana.acme.com" })).toThrow(
      'environment variable PLATFORM_GRAFANA_URL: "grafana.acme.com" is not accepted; accepted: an http(s) URL without query or fragment, like https://grafana.acme.com',
    );
  });

  it("GIVEN the example catalogue WHEN synthesized THEN the PrometheusRules of Kubernetes and the rules files are the same rules", () => {
    const stacks = synthPlatform(exampleServices());
    const environments = loadEnvironments({});
    const staging = environments.find((e) => e.name === "staging")!;
    const files = renderMonitoringFiles(
      staging,
      resolveCatalogue(
        exampleServices(),
        "staging",
        environments.map((e) => e.name),
      ),
    );
    for (const name of ["catalog", "gateway", "orders"]) {
      const manifest = resourceOf(stacks.staging!, "kubernetes_manifest", name, "prometheus-rule").manifest;
      expect(manifest).toMatchObject({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name, namespace: "platform-staging" },
      });
      expect(manifest.spec).toEqual(parse(files.find((f) => f.path === `rules/${name}.yml`)!.content));
    }
    const platform = resourceOf(stacks.staging!, "kubernetes_manifest", "platform", "prometheus-rule").manifest;
    expect(platform).toMatchObject({
      kind: "PrometheusRule",
      metadata: { name: "platform", namespace: "platform-staging" },
    });
    expect(platform.spec).toEqual(parse(files.find((f) => f.path === "rules/platform.yml")!.content));
  });
});

describe("alertTemplateLiteral", () => {
  it("GIVEN text with Prometheus template actions WHEN an alert carries it as a label and an annotation THEN promtool's rule test sees the very text, not what the actions print", async () => {
    requirePrometheusTool("promtool");
    const texts = ["{{ .ExternalURL }}", '{{ $labels.instance }} {{- "x" }}', "{{{{ $value }}}}", "}} plain {"];
    const dir = scratch.folder("alert-template-literal-");
    const rule = (text: string, index: number) => ({
      alert: `Hostile${index}`,
      expr: "vector(1)",
      labels: { owner: alertTemplateLiteral(text) },
      annotations: { summary: alertTemplateLiteral(text) },
    });
    writeFileSync(path.join(dir, "rules.yml"), stringify({ groups: [{ name: "hostile", rules: texts.map(rule) }] }));
    writeFileSync(
      path.join(dir, "tests.yml"),
      stringify({
        rule_files: ["rules.yml"],
        tests: [
          {
            interval: "1m",
            input_series: [],
            alert_rule_test: texts.map((text, index) => ({
              eval_time: "1m",
              alertname: `Hostile${index}`,
              exp_alerts: [{ exp_labels: { owner: text }, exp_annotations: { summary: text } }],
            })),
          },
        ],
      }),
    );
    const run = await promtool(["test", "rules", "tests.yml"], dir);
    expect(run.output).toContain("SUCCESS");
    expect(run.code).toBe(0);
  });
});
