import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAlertRules, renderRecordingRules } from "../../../../infra/monitoring/alert-rules.js";
import { loadEnvironments, type KubernetesEnvironment } from "../../../../infra/environments.js";
import { resolveCatalogue } from "../../../../infra/spec/model.js";
import { resourceOf, resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const services = () => [
  service({
    name: "orders",
    build: {},
    port: 8080,
    description: "Orders, ${currency} at 100%{off}",
    monitoring: { owner: "team-orders" },
  }),
  service({
    name: "search",
    build: {},
    port: 8081,
    monitoring: { metricsPort: 9100, metricsPath: "/internal/metrics" },
  }),
];

describe("Kubernetes monitoring", () => {
  describe("GIVEN the default PLATFORM_SCRAPE=servicemonitor WHEN synthesized", () => {
    let staging: StackJson;
    beforeAll(() => {
      staging = synthPlatform(services()).staging!;
    });

    it("THEN each service gets a ServiceMonitor on its Service's metrics port and path that sets the service and environment labels", () => {
      const monitor = resourceOf(staging, "kubernetes_manifest", "orders", "service-monitor");
      expect(monitor["//"].metadata.path).toBe("staging/kubernetes/orders/monitoring/service-monitor");
      expect(monitor.manifest).toEqual({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
          name: "orders",
          namespace: "platform-staging",
          labels: {
            "app.kubernetes.io/name": "orders",
            "app.kubernetes.io/part-of": "platform",
            "app.kubernetes.io/managed-by": "cdktf",
            "platform.dev/environment": "staging",
          },
        },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": "orders" } },
          namespaceSelector: { matchNames: ["platform-staging"] },
          endpoints: [
            {
              port: "http",
              path: "/metrics",
              interval: "15s",
              relabelings: [
                { action: "replace", targetLabel: "service", replacement: "orders" },
                { action: "replace", targetLabel: "environment", replacement: "staging" },
              ],
            },
          ],
        },
      });
    });

    it("THEN a service with its own metrics port is scraped on the Service port of that name", () => {
      const endpoint = resourceOf(staging, "kubernetes_manifest", "search", "service-monitor").manifest.spec
        .endpoints[0];
      expect(endpoint).toMatchObject({ port: "metrics", path: "/internal/metrics" });
      const ports = resourceOf(staging, "kubernetes_service_v1", "search").spec.port;
      expect(ports).toContainEqual({ name: "metrics", port: 9100, target_port: "metrics", protocol: "TCP" });
    });

    it("THEN each service gets a PrometheusRule, and its pods carry no scrape annotations", () => {
      expect(resourceOf(staging, "kubernetes_manifest", "orders", "prometheus-rule").manifest.kind).toBe(
        "PrometheusRule",
      );
      expect(
        resourceOf(staging, "kubernetes_deployment_v1", "orders").spec.template.metadata.annotations,
      ).toBeUndefined();
      expect(resourcesOfType(staging, "kubernetes_config_map_v1").map((c) => c.values.metadata.name)).toEqual([
        "orders-dashboard",
        "search-dashboard",
      ]);
    });

    it("THEN the environment's recording rules are one PrometheusRule of the platform, which every service's alerts read", () => {
      const rule = resourceOf(staging, "kubernetes_manifest", "platform", "prometheus-rule");
      expect(rule["//"].metadata.path).toBe("staging/kubernetes/platform/monitoring/prometheus-rule");
      expect(rule.depends_on).toEqual(resourcesOfType(staging, "kubernetes_namespace_v1").map((n) => n.address));
      const environments = loadEnvironments({});
      const environment = environments.find((e) => e.name === "staging") as KubernetesEnvironment;
      expect(rule.manifest).toEqual({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: "platform",
          namespace: "platform-staging",
          labels: {
            "app.kubernetes.io/part-of": "platform",
            "app.kubernetes.io/managed-by": "cdktf",
            "platform.dev/environment": "staging",
          },
        },
        spec: renderRecordingRules(
          environment,
          resolveCatalogue(
            services(),
            "staging",
            environments.map((e) => e.name),
          ),
        ),
      });
      const serviceRules = resourcesOfType(staging, "kubernetes_manifest").filter(
        (r) => r.values.manifest.kind === "PrometheusRule" && r.values.manifest.metadata.name !== "platform",
      );
      expect(serviceRules.map((r) => r.values.manifest.metadata.name)).toEqual(["orders", "search"]);
      for (const { values } of serviceRules)
        expect(values.manifest.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => "record" in r)).toEqual([]);
    });

    it("THEN no dashboard, rule or ServiceMonitor holds ${ or %{ unescaped, which Terraform would read as an interpolation or a directive (the dashboards say $datasource)", () => {
      const values = [
        ...resourcesOfType(staging, "kubernetes_config_map_v1").map((c) => c.values.data),
        ...resourcesOfType(staging, "kubernetes_manifest").map((m) => m.values.manifest),
      ];
      // Two ConfigMaps; two ServiceMonitors, two PrometheusRules, the recording rules and the ClusterIssuer.
      expect(values).toHaveLength(2 + 6);
      expect(JSON.stringify(values).match(/.{0,40}(?<![$%])[$%]\{.{0,20}/g)).toBeNull();
      // The spec's description, escaped for Terraform, which reads it back as written.
      expect(
        resourceOf(staging, "kubernetes_config_map_v1", "orders", "dashboard").data["staging-orders.json"],
      ).toContain('"description":"Orders, $${currency} at 100%%{off}"');
    });

    it("THEN each service's dashboard is a ConfigMap with the Grafana sidecar label", () => {
      const configMap = resourceOf(staging, "kubernetes_config_map_v1", "orders", "dashboard");
      expect(configMap.metadata).toMatchObject({
        name: "orders-dashboard",
        namespace: "platform-staging",
        labels: { grafana_dashboard: "1" },
      });
      const dashboard = JSON.parse(
        configMap.data["staging-orders.json"].replaceAll("$${", "${").replaceAll("%%{", "%{"),
      );
      expect(dashboard).toMatchObject({ uid: "staging-orders", title: "orders (staging)" });
      // Compact: the value is written into the Terraform JSON once per service and environment.
      expect(configMap.data["staging-orders.json"]).not.toContain("\n");
    });
  });

  describe("GIVEN PLATFORM_SCRAPE=annotations WHEN synthesized", () => {
    let staging: StackJson;
    beforeAll(() => {
      staging = synthPlatform(services(), { PLATFORM_SCRAPE: "annotations" }).staging!;
    });

    it("THEN no monitoring object is a kubernetes_manifest, so the plan needs none of the operator's CRDs (the one manifest is the ClusterIssuer of the add-ons' cert-manager)", () => {
      expect(resourcesOfType(staging, "kubernetes_manifest").map((m) => m.values.manifest.kind)).toEqual([
        "ClusterIssuer",
      ]);
    });

    it("THEN the pods carry the prometheus.io scrape annotations of their metrics port and path", () => {
      expect(resourceOf(staging, "kubernetes_deployment_v1", "search").spec.template.metadata.annotations).toEqual({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9100",
        "prometheus.io/path": "/internal/metrics",
      });
    });

    it("THEN the rules go into a ConfigMap, the same rules a PrometheusRule would hold", () => {
      const configMap = resourceOf(staging, "kubernetes_config_map_v1", "orders", "rules");
      expect(configMap.metadata).toMatchObject({ name: "orders-prometheus-rules", labels: { prometheus_rule: "1" } });
      const environments = loadEnvironments({ PLATFORM_SCRAPE: "annotations" });
      const environment = environments.find((e) => e.name === "staging") as KubernetesEnvironment;
      const spec = resolveCatalogue(
        services(),
        "staging",
        environments.map((e) => e.name),
      ).get("orders");
      expect(parse(configMap.data["platform-staging-orders.yml"])).toEqual(renderAlertRules(spec, environment));
    });

    it("THEN the environment's recording rules go into a ConfigMap of the platform with the same label", () => {
      const configMap = resourceOf(staging, "kubernetes_config_map_v1", "platform", "rules");
      expect(configMap["//"].metadata.path).toBe("staging/kubernetes/platform/monitoring/rules");
      expect(configMap.metadata).toMatchObject({
        name: "platform-prometheus-rules",
        namespace: "platform-staging",
        labels: { prometheus_rule: "1" },
      });
      const environments = loadEnvironments({ PLATFORM_SCRAPE: "annotations" });
      const environment = environments.find((e) => e.name === "staging") as KubernetesEnvironment;
      const catalogue = resolveCatalogue(
        services(),
        "staging",
        environments.map((e) => e.name),
      );
      expect(parse(configMap.data["platform-staging-platform.yml"])).toEqual(
        renderRecordingRules(environment, catalogue),
      );
    });
  });
});
