import type { DockerEnvironment, Environment, KubernetesEnvironment } from "../environments.js";
import type { Catalogue, ServiceSpec } from "../spec/model.js";
import { prometheusContainerName } from "../targets/docker/names.js";
import { alertReceiversVariable, defaultAlertReceiverVariable } from "../alert-routing-settings.js";
import { renderAlertRules, renderRecordingRules, type RuleGroups } from "./alert-rules.js";
import { alertmanagerConfigYaml, renderAlertmanagerConfig } from "./alertmanager-config.js";
import { renderDashboard, type GrafanaDashboard } from "./dashboard.js";
import { renderRuleTests } from "./rule-tests.js";
import { annotationScrapeConfig, localPrometheusConfig, serviceMonitorManifest } from "./scrape-config.js";
import { emitYaml } from "./yaml-emitter.js";

/** A file rendered for an environment's monitoring, relative to `cdktf.out/monitoring/<env>/`. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/** Where the rendered monitoring files of an environment live, relative to its stack folder. */
export const MONITORING_DIR_FROM_STACK = "../../monitoring";

/**
 * Where the rendered files go in a local Grafana container (mounted, or copied into its
 * image like the Prometheus one): the provisioning folder, and the dashboards folder the
 * provisioning points at.
 */
export const LOCAL_GRAFANA_MOUNTS = {
  provisioning: { from: "grafana/provisioning", to: "/etc/grafana/provisioning" },
  dashboards: { from: "dashboards", to: "/var/lib/grafana/dashboards" },
} as const;

/**
 * The rules file of the environment's recording rules, relative to its monitoring folder.
 * `platform` is a reserved service name, so no service's rules file can take this path.
 */
export const RECORDING_RULES_FILE = "rules/platform.yml";

/** The Alertmanager configuration of a Kubernetes environment, relative to its monitoring folder. */
export const ALERTMANAGER_CONFIG_FILE = "alertmanager.yml";

/** The rules file of a service, relative to the environment's monitoring folder. */
export function rulesFilePath(service: string): string {
  return `rules/${service}.yml`;
}

/** The `promtool test rules` file of a service, relative to the environment's monitoring folder. */
export function ruleTestsFilePath(service: string): string {
  return `rule-tests/${service}.yml`;
}

/** Renders an object as YAML under a header that says where it comes from. */
export function toYaml(value: unknown, header: string): string {
  return `# ${header}\n${emitYaml(value)}`;
}

/** One service's monitoring in one environment, rendered once for its files and its Kubernetes resources. */
export interface RenderedServiceMonitoring {
  readonly spec: ServiceSpec;
  /** Its alerts: the `spec` of its PrometheusRule. */
  readonly alertRules: RuleGroups;
  /** The same alerts as a rules file: `rules/<service>.yml`, and the rules ConfigMap without the operator. */
  readonly alertRulesFile: string;
  readonly dashboard: GrafanaDashboard;
  /** The dashboard as compact JSON, the value of its ConfigMap (which escapes it for Terraform). */
  readonly dashboardJson: string;
  /**
   * Its ServiceMonitor, on Kubernetes with PLATFORM_SCRAPE=servicemonitor.
   * @default undefined - locally, and with PLATFORM_SCRAPE=annotations
   */
  readonly serviceMonitor?: Record<string, unknown>;
}

/**
 * An environment's monitoring, rendered once: the files of `cdktf.out/monitoring/<env>/`, and what the targets make
 * resources of.
 */
export interface RenderedMonitoring {
  /** The recording rules every service's alerts read: the `spec` of the platform's PrometheusRule. */
  readonly recordingRules: RuleGroups;
  /** The same as a rules file: `rules/platform.yml`, and the platform's rules ConfigMap without the operator. */
  readonly recordingRulesFile: string;
  /** Each service's, by service name. */
  readonly services: ReadonlyMap<string, RenderedServiceMonitoring>;
  /** The files of `cdktf.out/monitoring/<env>/`, sorted by path. */
  readonly files: readonly RenderedFile[];
}

/**
 * The monitoring of one environment, for reviewers, tools, the Kubernetes target and (on
 * Docker) the local Prometheus, whose image holds the folder at /etc/prometheus:
 * - every environment: `rules/platform.yml` (the recording rules), `rules/<service>.yml`
 *   (the alerts; the same rules the PrometheusRules of Kubernetes hold) and
 *   `dashboards/<service>.json`;
 * - local: `prometheus.yml`, the `Dockerfile` of the Prometheus image, the Grafana
 *   provisioning under `grafana/provisioning/`, and `rule-tests/<service>.yml`
 *   (`promtool test rules` input; see {@link ruleTestFiles});
 * - Kubernetes: `alertmanager.yml` (each owner's alerts to its team's receiver; see
 *   alertmanager-config.ts), and `servicemonitors/<service>.yml`, or with
 *   PLATFORM_SCRAPE=annotations, `scrape-config.yml`, the job to add to the cluster's Prometheus.
 */
export function renderMonitoring(environment: Environment, catalogue: Catalogue): RenderedMonitoring {
  const recordingRules = renderRecordingRules(environment, catalogue);
  const recordingRulesFile = toYaml(
    recordingRules,
    `Recording rules of every service in ${environment.name}, rendered by npm run synth from services/*/service.ts.`,
  );
  const services = new Map<string, RenderedServiceMonitoring>();
  const files: RenderedFile[] = [{ path: RECORDING_RULES_FILE, content: recordingRulesFile }];
  for (const spec of catalogue.services) {
    const alertRules = renderAlertRules(spec, environment);
    const alertRulesFile = toYaml(
      alertRules,
      `Alert rules of ${spec.name} in ${environment.name}, rendered by npm run synth from services/${spec.name}/service.ts; they read the ratios of ${RECORDING_RULES_FILE}.`,
    );
    const dashboard = renderDashboard(spec, environment);
    const serviceMonitor =
      environment.target === "kubernetes" && environment.kubernetes.scrape === "servicemonitor"
        ? serviceMonitorManifest(spec, environment)
        : undefined;
    services.set(spec.name, {
      spec,
      alertRules,
      alertRulesFile,
      dashboard,
      dashboardJson: JSON.stringify(dashboard),
      serviceMonitor,
    });
    files.push({ path: rulesFilePath(spec.name), content: alertRulesFile });
    files.push({ path: `dashboards/${spec.name}.json`, content: `${JSON.stringify(dashboard, null, 2)}\n` });
  }
  const rendered = { recordingRules, recordingRulesFile, services, files };
  if (environment.target === "docker")
    files.push(...localFiles(environment, catalogue), ...ruleTestFiles(environment, rendered));
  else files.push(...kubernetesFiles(environment, catalogue, services));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return rendered;
}

/** The files of {@link renderMonitoring}: what `npm run synth` writes to `cdktf.out/monitoring/<env>/`. */
export function renderMonitoringFiles(environment: Environment, catalogue: Catalogue): RenderedFile[] {
  return [...renderMonitoring(environment, catalogue).files];
}

/**
 * The `promtool test rules` files of an environment's services: `rule-tests/<service>.yml`,
 * each loading the recording rules and the service's alerts. Synth writes them for `local`
 * only: the rules of staging and production differ from local's in the environment label
 * and the dashboard link alone, and the test suite runs these tests on them.
 */
export function ruleTestFiles(
  environment: Environment,
  monitoring: Pick<RenderedMonitoring, "services">,
): RenderedFile[] {
  return [...monitoring.services.values()].map(({ spec, alertRules }) => ({
    path: ruleTestsFilePath(spec.name),
    content: toYaml(
      renderRuleTests(spec, environment, [`../${RECORDING_RULES_FILE}`, `../${rulesFilePath(spec.name)}`], alertRules),
      `promtool test rules input for ${spec.name} in ${environment.name}: run promtool test rules ${ruleTestsFilePath(spec.name)}`,
    ),
  }));
}

function localFiles(environment: DockerEnvironment, catalogue: Catalogue): RenderedFile[] {
  const header = `Rendered by npm run synth for the ${environment.name} environment; do not edit.`;
  return [
    { path: "prometheus.yml", content: toYaml(localPrometheusConfig(environment, catalogue), header) },
    // The local Prometheus image is this folder on top of the pinned Prometheus image,
    // so the container needs no bind mount and keeps a read-only root file system.
    {
      path: "Dockerfile",
      content: `ARG PROMETHEUS_IMAGE=${environment.docker.prometheusImage}\nFROM \${PROMETHEUS_IMAGE}\nCOPY --chown=65534:65534 . /etc/prometheus/\n`,
    },
    {
      path: `${LOCAL_GRAFANA_MOUNTS.provisioning.from}/datasources/prometheus.yml`,
      content: toYaml(
        {
          apiVersion: 1,
          datasources: [
            {
              name: "Prometheus",
              type: "prometheus",
              uid: "prometheus",
              access: "proxy",
              url: `http://${prometheusContainerName(environment)}:${environment.docker.prometheusPort}`,
              isDefault: true,
              editable: false,
            },
          ],
        },
        header,
      ),
    },
    {
      path: `${LOCAL_GRAFANA_MOUNTS.provisioning.from}/dashboards/platform.yml`,
      content: toYaml(
        {
          apiVersion: 1,
          providers: [
            {
              name: "platform",
              folder: "Platform",
              type: "file",
              disableDeletion: true,
              allowUiUpdates: false,
              options: { path: LOCAL_GRAFANA_MOUNTS.dashboards.to },
            },
          ],
        },
        header,
      ),
    },
  ];
}

function kubernetesFiles(
  environment: KubernetesEnvironment,
  catalogue: Catalogue,
  services: ReadonlyMap<string, RenderedServiceMonitoring>,
): RenderedFile[] {
  const header = `Rendered by npm run synth for the ${environment.name} environment; applied by Terraform, do not apply by hand.`;
  const alertmanager: RenderedFile = {
    path: ALERTMANAGER_CONFIG_FILE,
    content: alertmanagerConfigYaml(
      renderAlertmanagerConfig(environment, catalogue),
      `Alertmanager configuration of ${environment.name}, rendered by npm run synth from ${alertReceiversVariable(environment.name)}, ${defaultAlertReceiverVariable(environment.name)} and the owners in services/*/service.ts; do not edit.`,
    ),
  };
  if (environment.kubernetes.scrape === "annotations") {
    return [
      alertmanager,
      {
        path: "scrape-config.yml",
        content: toYaml(
          annotationScrapeConfig(environment),
          `Add this job to the Prometheus of the ${environment.name} cluster (PLATFORM_SCRAPE=annotations).`,
        ),
      },
    ];
  }
  return [
    alertmanager,
    ...[...services.values()].map(({ spec, serviceMonitor }) => ({
      path: `servicemonitors/${spec.name}.yml`,
      content: toYaml(serviceMonitor, header),
    })),
  ];
}
