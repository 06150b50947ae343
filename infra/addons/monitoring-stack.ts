import type { KubernetesEnvironment } from "../environments.js";
import type { AlertmanagerConfig } from "../monitoring/alertmanager-config.js";
import { PART_OF_PLATFORM_LABEL } from "../targets/hardening.js";
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
