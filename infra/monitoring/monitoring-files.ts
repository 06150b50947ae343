import { stringify } from "yaml";
import type { DockerEnvironment, Environment, KubernetesEnvironment } from "../environments.js";
import type { Catalogue, ServiceSpec } from "../spec/index.js";
import { prometheusContainerName } from "../targets/docker/names.js";
import { renderAlertRules } from "./alert-rules.js";
import { renderDashboard } from "./dashboard.js";
import { renderRuleTests } from "./rule-tests.js";
import { annotationScrapeConfig, localPrometheusConfig, serviceMonitorManifest } from "./scrape-config.js";

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
  // lineWidth 0: PromQL stays on the lines it was written on, never folded.
  return `# ${header}\n${stringify(value, { lineWidth: 0 })}`;
}

/** A service's rules file, exactly as the local Prometheus and the tests read it. */
export function renderRulesFile(spec: ServiceSpec, environment: Environment): string {
  return toYaml(renderAlertRules(spec, environment), `Alert rules of ${spec.name} in ${environment.name}, rendered by npm run synth from services/${spec.name}/service.ts.`);
}

/**
 * The monitoring files of one environment, for reviewers, tools and (on Docker) the
 * local Prometheus, whose image holds the folder at /etc/prometheus:
 * - every environment: `rules/<service>.yml` (the same rules the PrometheusRule of
 *   Kubernetes holds), `rule-tests/<service>.yml` (`promtool test rules` input) and
 *   `dashboards/<service>.json`;
 * - local: `prometheus.yml`, the `Dockerfile` of the Prometheus image, and the Grafana
 *   provisioning under `grafana/provisioning/`;
 * - Kubernetes: `servicemonitors/<service>.yml`, or with PLATFORM_SCRAPE=annotations,
 *   `scrape-config.yml`, the job to add to the cluster's Prometheus.
 */
export function renderMonitoringFiles(environment: Environment, catalogue: Catalogue): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const spec of catalogue.services) {
    files.push({ path: rulesFilePath(spec.name), content: renderRulesFile(spec, environment) });
    files.push({
      path: ruleTestsFilePath(spec.name),
      content: toYaml(renderRuleTests(spec, environment, `../${rulesFilePath(spec.name)}`), `promtool test rules input for ${spec.name} in ${environment.name}: run promtool test rules ${ruleTestsFilePath(spec.name)}`),
    });
    files.push({ path: `dashboards/${spec.name}.json`, content: `${JSON.stringify(renderDashboard(spec, environment), null, 2)}\n` });
  }
  if (environment.target === "docker") files.push(...localFiles(environment, catalogue));
  else files.push(...kubernetesFiles(environment, catalogue));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
            { name: "Prometheus", type: "prometheus", uid: "prometheus", access: "proxy", url: `http://${prometheusContainerName(environment)}:${environment.docker.prometheusPort}`, isDefault: true, editable: false },
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
          providers: [{ name: "platform", folder: "Platform", type: "file", disableDeletion: true, allowUiUpdates: false, options: { path: LOCAL_GRAFANA_MOUNTS.dashboards.to } }],
        },
        header,
      ),
    },
  ];
}

function kubernetesFiles(environment: KubernetesEnvironment, catalogue: Catalogue): RenderedFile[] {
  const header = `Rendered by npm run synth for the ${environment.name} environment; applied by Terraform, do not apply by hand.`;
  if (environment.kubernetes.scrape === "annotations") {
    return [{ path: "scrape-config.yml", content: toYaml(annotationScrapeConfig(environment), `Add this job to the Prometheus of the ${environment.name} cluster (PLATFORM_SCRAPE=annotations).`) }];
  }
  return catalogue.services.map((spec) => ({
    path: `servicemonitors/${spec.name}.yml`,
    content: toYaml(serviceMonitorManifest(spec, environment), header),
  }));
}
