import { Construct } from "constructs";
import { dashboardFileName } from "../../monitoring/dashboard.js";
import type { RenderedServiceMonitoring } from "../../monitoring/monitoring-files.js";
import { podScrapeAnnotations } from "../../monitoring/scrape-config.js";
import { ownershipLabels } from "../hardening.js";
import { ConfigMapV1, Manifest } from "./resources.js";
import type { KubernetesServicePartProps } from "./workload.js";

/** Props of {@link Monitoring}. */
export interface MonitoringProps extends Omit<KubernetesServicePartProps, "variables"> {
  /** The service's monitoring, rendered once for the environment (its files hold the same). */
  readonly rendered: RenderedServiceMonitoring;
}

/** The label the Grafana sidecar loads dashboards by. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The label a rules-loading sidecar can select the rules ConfigMap by, without the operator. */
export const PROMETHEUS_RULES_LABEL = { prometheus_rule: "1" } as const;

/**
 * The pod annotations of a service on Kubernetes: Prometheus scrape annotations when
 * the environment finds pods by annotations (PLATFORM_SCRAPE=annotations), none with
 * ServiceMonitors.
 */
export function monitoringPodAnnotations(
  props: Omit<KubernetesServicePartProps, "variables">,
): Record<string, string> | undefined {
  return props.environment.kubernetes.scrape === "annotations" ? podScrapeAnnotations(props.spec) : undefined;
}

/**
 * How a service is watched on Kubernetes, from its `monitoring` spec:
 * - with the prometheus-operator (PLATFORM_SCRAPE=servicemonitor, the default): a
 *   ServiceMonitor and a PrometheusRule with its alerts, both `kubernetes_manifest`
 *   resources, which need the operator's CRDs in the cluster and cluster access at plan time;
 * - without it (PLATFORM_SCRAPE=annotations): no custom resource at all; the pods carry
 *   scrape annotations (see {@link monitoringPodAnnotations}) and the alerts go into a
 *   ConfigMap, the same rules file the local Prometheus loads;
 * - always: the Grafana dashboard as a ConfigMap the Grafana sidecar picks up.
 * The alerts read the environment's recording rules (see `RecordingRules`).
 */
export class Monitoring extends Construct {
  /** The ServiceMonitor, with the operator. */
  readonly serviceMonitor?: Manifest;
  /** The PrometheusRule, with the operator. */
  readonly prometheusRule?: Manifest;
  /** The rules file as a ConfigMap, without the operator. */
  readonly rulesConfigMap?: ConfigMapV1;
  readonly dashboard: ConfigMapV1;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { spec, environment, rendered } = props;
    const labels = ownershipLabels(spec.name, environment.name);

    if (environment.kubernetes.scrape === "servicemonitor") {
      this.serviceMonitor = new Manifest(this, "service-monitor", { manifest: rendered.serviceMonitor! });
      this.prometheusRule = new Manifest(this, "prometheus-rule", {
        manifest: {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: spec.name, namespace: environment.namespace, labels },
          spec: rendered.alertRules,
        },
      });
    } else {
      this.rulesConfigMap = new ConfigMapV1(this, "rules", {
        metadata: {
          name: `${spec.name}-prometheus-rules`,
          namespace: environment.namespace,
          labels: { ...labels, ...PROMETHEUS_RULES_LABEL },
        },
        data: { [`${environment.namespace}-${spec.name}.yml`]: rendered.alertRulesFile },
      });
    }

    this.dashboard = new ConfigMapV1(this, "dashboard", {
      metadata: {
        name: `${spec.name}-dashboard`,
        namespace: environment.namespace,
        labels: { ...labels, ...GRAFANA_DASHBOARD_LABEL },
      },
      data: { [dashboardFileName(spec.name, environment.name)]: rendered.dashboardJson },
    });
  }
}
