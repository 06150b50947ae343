import type { Environment } from "../environments.js";
import type { Catalogue } from "../spec/index.js";
import { containerName } from "../targets/docker/names.js";

/** A file rendered for an environment's monitoring, relative to `cdktf.out/monitoring/<env>/`. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/** Where the rendered monitoring files of an environment live, relative to its stack folder. */
export const MONITORING_DIR_FROM_STACK = "../../monitoring";

/**
 * The monitoring files of one environment, for reviewers, tools and (on Docker) the
 * local Prometheus, which mounts them read-only.
 */
export function renderMonitoringFiles(environment: Environment, catalogue: Catalogue): RenderedFile[] {
  if (environment.target !== "docker") return [];
  const scrapeConfigs = catalogue.services.map((spec) => ({
    job_name: spec.name,
    metrics_path: spec.monitoring.metricsPath,
    static_configs: [
      {
        targets: Array.from({ length: spec.scaling.min }, (_, i) => `${containerName(environment, spec.name, i + 1)}:${spec.monitoring.metricsPort}`),
        labels: { service: spec.name, environment: environment.name },
      },
    ],
  }));
  const config = { global: { scrape_interval: "15s", evaluation_interval: "15s" }, scrape_configs: scrapeConfigs };
  return [
    { path: "prometheus.yml", content: `${JSON.stringify(config, null, 2)}\n` },
    // The local Prometheus image is this folder on top of the pinned Prometheus image,
    // so the container needs no bind mount and keeps a read-only root file system.
    {
      path: "Dockerfile",
      content: `ARG PROMETHEUS_IMAGE=${environment.docker.prometheusImage}\nFROM \${PROMETHEUS_IMAGE}\nCOPY --chown=65534:65534 . /etc/prometheus/\n`,
    },
  ];
}
