import { Construct } from "constructs";
import { PLATFORM_CONSTRUCT_ID } from "../../construct-paths.js";
import type { KubernetesEnvironment } from "../../environments.js";
import type { RenderedMonitoring } from "../../monitoring/monitoring-files.js";
import { PLATFORM_MANAGED_LABELS } from "../hardening.js";
import { PROMETHEUS_RULES_LABEL } from "./monitoring.js";
import { ConfigMapV1, Manifest, type NamespaceV1 } from "./resources.js";

/** Props of {@link RecordingRules}. */
export interface RecordingRulesProps {
  readonly environment: KubernetesEnvironment;
  /** The environment's monitoring, rendered once (its `rules/platform.yml` holds the same rules). */
  readonly rendered: Pick<RenderedMonitoring, "recordingRules" | "recordingRulesFile">;
  /** The environment's namespace, created before the rules. */
  readonly namespace: NamespaceV1;
}

/**
 * The environment's recording rules, once for every service: the error and slow-request
 * ratios over every burn-rate window, which each service's alerts read. A PrometheusRule
 * `platform` with the prometheus-operator, a ConfigMap `platform-prometheus-rules` without
 * it (PLATFORM_SCRAPE=annotations). `platform` is a reserved service name, so neither name
 * can clash with a service's own.
 */
export class RecordingRules extends Construct {
  /** The PrometheusRule, with the operator. */
  readonly prometheusRule?: Manifest;
  /** The rules file as a ConfigMap, without the operator. */
  readonly rulesConfigMap?: ConfigMapV1;

  constructor(scope: Construct, id: string, props: RecordingRulesProps) {
    super(scope, id);
    const { environment, rendered } = props;
    const labels = {
      ...PLATFORM_MANAGED_LABELS,
      "platform.dev/environment": environment.name,
    };
    if (environment.kubernetes.scrape === "servicemonitor") {
      this.prometheusRule = new Manifest(this, "prometheus-rule", {
        manifest: {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: PLATFORM_CONSTRUCT_ID, namespace: environment.namespace, labels },
          spec: rendered.recordingRules,
        },
        dependsOn: [props.namespace],
      });
    } else {
      this.rulesConfigMap = new ConfigMapV1(this, "rules", {
        metadata: {
          name: `${PLATFORM_CONSTRUCT_ID}-prometheus-rules`,
          namespace: environment.namespace,
          labels: { ...labels, ...PROMETHEUS_RULES_LABEL },
        },
        data: { [`${environment.namespace}-${PLATFORM_CONSTRUCT_ID}.yml`]: rendered.recordingRulesFile },
        dependsOn: [props.namespace],
      });
    }
  }
}
