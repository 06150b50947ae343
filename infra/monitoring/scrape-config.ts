import { ISTIO_SCRAPE_CERTIFICATES } from "../targets/kubernetes/mesh/mesh-injection.js";
import type { DockerEnvironment, Environment, KubernetesEnvironment } from "../environments.js";
import type { Catalogue, ServiceSpec } from "../spec/model.js";
import { containerName } from "../targets/docker/names.js";
import { ownershipLabels, selectorLabels } from "../targets/hardening.js";
import { TARGET_LABELS } from "./metrics-contract.js";

/**
 * How Prometheus finds each service and labels its series with the target labels
 * `service` and `environment`, which every rule and dashboard selects on:
 * - local: a static scrape job per service, its targets the replica containers;
 * - Kubernetes with the prometheus-operator: a ServiceMonitor per service;
 * - Kubernetes without it: `prometheus.io/*` pod annotations, and one scrape job for
 *   the cluster's Prometheus that keeps the annotated pods and sets the two labels.
 */

/** How often Prometheus scrapes the services and evaluates the rules. */
export const SCRAPE_INTERVAL = "15s";

/** Where the rules files are, relative to the local prometheus.yml (Prometheus resolves them from there). */
export const LOCAL_RULE_FILES = "rules/*.yml";

/** A Prometheus configuration file, as an object. */
export interface PrometheusConfig {
  readonly global?: Readonly<Record<string, unknown>>;
  readonly rule_files?: readonly string[];
  readonly scrape_configs: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** The scrape job of one service in the local environment: one target per replica container. */
export function localScrapeJob(spec: ServiceSpec, environment: DockerEnvironment): Record<string, unknown> {
  return {
    job_name: spec.name,
    metrics_path: spec.monitoring.metricsPath,
    static_configs: [
      {
        targets: Array.from(
          { length: spec.scaling.min },
          (_, i) => `${containerName(environment, spec.name, i + 1)}:${spec.monitoring.metricsPort}`,
        ),
        labels: targetLabels(spec, environment),
      },
    ],
  };
}

/** The local Prometheus' configuration: every service's job and the rules next to it. */
export function localPrometheusConfig(environment: DockerEnvironment, catalogue: Catalogue): PrometheusConfig {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    rule_files: [LOCAL_RULE_FILES],
    scrape_configs: catalogue.services.map((spec) => localScrapeJob(spec, environment)),
  };
}

/**
 * The name of the Service port Prometheus scrapes, as `targets/kubernetes/exposure.ts`
 * names them: `metrics` when the metrics port is a port of its own, else `http`.
 */
export function metricsPortName(spec: ServiceSpec): string {
  return spec.monitoring.metricsPort === spec.port ? "http" : "metrics";
}

/**
 * The ServiceMonitor of one service: its Service's metrics port and path, with the
 * target labels set by relabeling. Applied with `kubernetes_manifest`.
 */
export function serviceMonitorManifest(spec: ServiceSpec, environment: KubernetesEnvironment): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: spec.name,
      namespace: environment.namespace,
      labels: ownershipLabels(spec.name, environment.name),
    },
    spec: {
      selector: { matchLabels: selectorLabels(spec.name) },
      namespaceSelector: { matchNames: [environment.namespace] },
      endpoints: [
        {
          port: metricsPortName(spec),
          path: spec.monitoring.metricsPath,
          interval: SCRAPE_INTERVAL,
          ...meshScrape(environment),
          relabelings: Object.entries(targetLabels(spec, environment)).map(([targetLabel, replacement]) => ({
            action: "replace",
            targetLabel,
            replacement,
          })),
        },
      ],
    },
  };
}

/**
 * How Prometheus scrapes a service in the environment's mesh. With Istio's STRICT mutual
 * TLS it scrapes over TLS itself, with the workload certificate its sidecar writes
 * (ISTIO_SCRAPE_CERTIFICATES, the add-ons' Prometheus), and does not check the name in the
 * service's certificate: Istio's certificates carry a SPIFFE identity, not a host name (as
 * Istio's Prometheus integration does). With Linkerd, Prometheus's own proxy does the mutual
 * TLS: plain HTTP, as without a mesh.
 */
function meshScrape(environment: KubernetesEnvironment): Record<string, unknown> {
  if (environment.kubernetes.mesh !== "istio") return {};
  return { scheme: "https", tlsConfig: { ...ISTIO_SCRAPE_CERTIFICATES, insecureSkipVerify: true } };
}

/** The pod annotations a Prometheus without the operator scrapes by (PLATFORM_SCRAPE=annotations). */
export function podScrapeAnnotations(spec: ServiceSpec): Record<string, string> {
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(spec.monitoring.metricsPort),
    "prometheus.io/path": spec.monitoring.metricsPath,
  };
}

/**
 * The scrape job the cluster's Prometheus needs when the pods are found by annotations:
 * it keeps the annotated pods of the environment's namespace, scrapes their annotated
 * port and path, and sets `service` (from the pod label `app.kubernetes.io/name`) and
 * `environment`, without which no rule or dashboard of the platform matches.
 */
export function annotationScrapeConfig(environment: KubernetesEnvironment): PrometheusConfig {
  const metaLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
  const [serviceLabel] = Object.keys(selectorLabels("x"));
  return {
    scrape_configs: [
      {
        job_name: `${environment.namespace}-pods`,
        scrape_interval: SCRAPE_INTERVAL,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [environment.namespace] } }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "true", action: "keep" },
          {
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
            regex: "(.+)",
            target_label: "__metrics_path__",
            action: "replace",
          },
          {
            source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
            regex: "([^:]+)(?::\\d+)?;(\\d+)",
            replacement: "$1:$2",
            target_label: "__address__",
            action: "replace",
          },
          { source_labels: [metaLabel(serviceLabel!)], target_label: TARGET_LABELS.service, action: "replace" },
          { target_label: TARGET_LABELS.environment, replacement: environment.name, action: "replace" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod", action: "replace" },
        ],
      },
    ],
  };
}

function targetLabels(spec: ServiceSpec, environment: Environment): Record<string, string> {
  return { [TARGET_LABELS.service]: spec.name, [TARGET_LABELS.environment]: environment.name };
}
