import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderMonitoringFiles } from "../../../infra/monitoring/monitoring-files.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { exampleServices } from "../../support/platform.js";

function filesOf(environmentName: string, variables: Record<string, string> = {}) {
  const environments = loadEnvironments(variables);
  const environment = environments.find((e) => e.name === environmentName)!;
  return renderMonitoringFiles(
    environment,
    resolveCatalogue(
      exampleServices(),
      environmentName,
      environments.map((e) => e.name),
    ),
  );
}

describe("monitoring files", () => {
  it("GIVEN the local environment WHEN its files are rendered THEN there are the Prometheus configuration and image, the recording rules, each service's alerts, rule tests and dashboard, and Grafana provisioning", () => {
    expect(filesOf("local").map((f) => f.path)).toEqual([
      "Dockerfile",
      "dashboards/catalog.json",
      "dashboards/gateway.json",
      "dashboards/orders.json",
      "grafana/provisioning/dashboards/platform.yml",
      "grafana/provisioning/datasources/prometheus.yml",
      "prometheus.yml",
      "rule-tests/catalog.yml",
      "rule-tests/gateway.yml",
      "rule-tests/orders.yml",
      "rules/catalog.yml",
      "rules/gateway.yml",
      "rules/orders.yml",
      "rules/platform.yml",
    ]);
  });

  it("THEN prometheus.yml loads the rules relative to itself and scrapes every replica container with the target labels", () => {
    const config = parse(filesOf("local").find((f) => f.path === "prometheus.yml")!.content);
    expect(config.rule_files).toEqual(["rules/*.yml"]);
    expect(config.scrape_configs.find((job: { job_name: string }) => job.job_name === "orders")).toEqual({
      job_name: "orders",
      metrics_path: "/metrics",
      static_configs: [
        {
          targets: ["platform-local-orders-1:8081", "platform-local-orders-2:8081"],
          labels: { service: "orders", environment: "local" },
        },
      ],
    });
  });

  it("THEN the local Grafana reads the local Prometheus container by its name and the dashboards from their folder", () => {
    const files = filesOf("local");
    expect(parse(files.find((f) => f.path.endsWith("datasources/prometheus.yml"))!.content).datasources[0].url).toBe(
      "http://platform-local-prometheus:9090",
    );
    expect(files.find((f) => f.path === "Dockerfile")!.content).toContain(
      "COPY --chown=65534:65534 . /etc/prometheus/",
    );
    expect(
      parse(files.find((f) => f.path.endsWith("dashboards/platform.yml"))!.content).providers[0].options.path,
    ).toBe("/var/lib/grafana/dashboards");
  });

  it("GIVEN a Kubernetes environment WHEN rendered THEN there are its Alertmanager configuration and its scrape configuration, the ServiceMonitors, or with PLATFORM_SCRAPE=annotations the job for the cluster's Prometheus, and there are no rule tests (local has them)", () => {
    expect(
      filesOf("production")
        .filter((f) => f.path.startsWith("rules/"))
        .map((f) => f.path),
    ).toEqual(["rules/catalog.yml", "rules/gateway.yml", "rules/orders.yml", "rules/platform.yml"]);
    expect(
      filesOf("production")
        .map((f) => f.path)
        .filter((p) => !/^(rules|dashboards)\//.test(p)),
    ).toEqual([
      "alertmanager.yml",
      "servicemonitors/catalog.yml",
      "servicemonitors/gateway.yml",
      "servicemonitors/orders.yml",
    ]);
    const annotations = filesOf("production", { PLATFORM_SCRAPE: "annotations" });
    expect(annotations.map((f) => f.path).filter((p) => !/^(rules|dashboards)\//.test(p))).toEqual([
      "alertmanager.yml",
      "scrape-config.yml",
    ]);
    const job = parse(annotations.find((f) => f.path === "scrape-config.yml")!.content).scrape_configs[0];
    expect(job.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["platform-production"] } }]);
    expect(job.relabel_configs).toContainEqual({
      source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
      target_label: "service",
      action: "replace",
    });
    expect(job.relabel_configs).toContainEqual({
      target_label: "environment",
      replacement: "production",
      action: "replace",
    });
  });
});
