import type { KubernetesEnvironment } from "../environments.js";
import type { AlertmanagerConfig } from "../monitoring/alertmanager-config.js";
import { PART_OF_PLATFORM_LABEL } from "../targets/hardening.js";
import {
  ISTIO_SCRAPE_CERTIFICATES,
  PROMETHEUS_CERTIFICATES_FOLDER,
} from "../targets/kubernetes/mesh/mesh-injection.js";
import { GRAFANA_DASHBOARD_LABEL } from "../targets/kubernetes/monitoring.js";

/** The label by which the Prometheus of the add-ons finds each namespace's objects. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * The values of kube-prometheus-stack in `environment`'s monitoring namespace: a
 * Prometheus that loads the ServiceMonitors and PrometheusRules the service stack writes
 * (labelled {@link PART_OF_PLATFORM_LABEL}, in the environment's namespace) and nothing
 * else, a Grafana whose dashboard sidecar loads the ConfigMaps labelled
 * {@link GRAFANA_DASHBOARD_LABEL} in that namespace, and Alertmanager.
 *
 * The chart's own monitors and rules of the cluster's components (kubelet, API server,
 * node exporter, kube-state-metrics) and its default dashboards are off: this Prometheus
 * selects the platform's objects alone, so they would run for nothing.
 *
 * With a mesh (`kubernetes.mesh`), Prometheus scrapes the services through it (see
 * {@link prometheusMeshSpec}).
 * @param alertmanager its configuration (`alertmanager.config` of the chart: routes and
 * receivers) and the Secrets its receivers read their credentials from, which the chart
 * mounts at `/etc/alertmanager/secrets/<secret>/` (`alertmanagerSpec.secrets`)
 */
export function monitoringStackValues(
  environment: KubernetesEnvironment,
  alertmanager: { readonly config: AlertmanagerConfig; readonly secrets: readonly string[] },
): Record<string, unknown> {
  const platformObjects = { matchLabels: { ...PART_OF_PLATFORM_LABEL } };
  const environmentNamespace = { matchLabels: { [NAMESPACE_NAME_LABEL]: environment.namespace } };
  const [[dashboardLabel, dashboardLabelValue]] = Object.entries(GRAFANA_DASHBOARD_LABEL) as [[string, string]];
  return {
    defaultRules: { create: false },
    kubeApiServer: { enabled: false },
    kubelet: { enabled: false },
    kubeControllerManager: { enabled: false },
    coreDns: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubeStateMetrics: { enabled: false },
    nodeExporter: { enabled: false },
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelector: platformObjects,
        serviceMonitorNamespaceSelector: environmentNamespace,
        ruleSelector: platformObjects,
        ruleNamespaceSelector: environmentNamespace,
        ...prometheusMeshSpec(environment),
      },
    },
    alertmanager: {
      enabled: true,
      config: alertmanager.config,
      alertmanagerSpec: { secrets: [...alertmanager.secrets] },
    },
    grafana: {
      defaultDashboardsEnabled: false,
      sidecar: {
        dashboards: {
          enabled: true,
          label: dashboardLabel,
          labelValue: dashboardLabelValue,
          searchNamespace: [environment.namespace],
        },
      },
    },
  };
}

/** The volume the Istio sidecar writes the workload certificate to, and Prometheus reads it from. */
const ISTIO_CERTIFICATES_VOLUME = "istio-certs";
/** Where the sidecar writes it. */
const ISTIO_OUTPUT_CERTIFICATES = "/etc/istio-output-certs";

/**
 * The `prometheusSpec` fields that let Prometheus scrape the services of a meshed
 * namespace whose mutual TLS is STRICT; none without a mesh.
 * - Istio, as its Prometheus integration documents it: Prometheus gets a sidecar (pod label
 *   `sidecar.istio.io/inject`) that intercepts nothing, inbound or outbound, and only writes
 *   the workload certificate of Prometheus's identity (`OUTPUT_CERTS` in the proxy's
 *   metadata) to a shared in-memory volume; Prometheus reads it at
 *   {@link ISTIO_SCRAPE_CERTIFICATES} and opens the mutual TLS itself.
 * - Linkerd: Prometheus gets the proxy (`linkerd.io/inject: enabled`), which does the mutual
 *   TLS of each scrape with the identity of its service account in the monitoring namespace.
 */
export function prometheusMeshSpec(environment: KubernetesEnvironment): Record<string, unknown> {
  const { mesh } = environment.kubernetes;
  if (mesh === "none") return {};
  if (mesh === "linkerd") return { podMetadata: { annotations: { "linkerd.io/inject": "enabled" } } };
  return {
    podMetadata: {
      labels: { "sidecar.istio.io/inject": "true" },
      annotations: {
        "traffic.sidecar.istio.io/includeInboundPorts": "",
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "",
        "proxy.istio.io/config": `proxyMetadata:\n  OUTPUT_CERTS: ${ISTIO_OUTPUT_CERTIFICATES}\n`,
        "sidecar.istio.io/userVolumeMount": JSON.stringify([
          { name: ISTIO_CERTIFICATES_VOLUME, mountPath: ISTIO_OUTPUT_CERTIFICATES },
        ]),
      },
    },
    volumes: [{ name: ISTIO_CERTIFICATES_VOLUME, emptyDir: { medium: "Memory" } }],
    volumeMounts: [{ name: ISTIO_CERTIFICATES_VOLUME, mountPath: PROMETHEUS_CERTIFICATES_FOLDER }],
  };
}
