import { createHash } from "node:crypto";
import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import { MONITORING_DIR_FROM_STACK, type RenderedFile } from "../../monitoring/monitoring-files.js";
import { WRITABLE_TMP_PATH } from "../hardening.js";
import { dockerLabels } from "./labels.js";
import { prometheusContainerName } from "./names.js";
import { Container, Image, type Network } from "./resources.js";

/** Props of {@link LocalMonitoring}. */
export interface LocalMonitoringProps {
  readonly environment: DockerEnvironment;
  /** The rendered files of `cdktf.out/monitoring/<env>/` (configuration, rules, Dockerfile). */
  readonly files: readonly RenderedFile[];
  /** The networks Prometheus joins to scrape: each service's own network. */
  readonly scrapeNetworks: readonly Network[];
  /** The network through which its port is published. */
  readonly outsideNetwork: Network;
}

/** The uid of the `nobody` user the Prometheus image runs as. */
const PROMETHEUS_USER_ID = 65534;

/**
 * The local Prometheus: the pinned Prometheus image with the rendered configuration
 * and alert rules baked in (rebuilt when they change), hardened like every container,
 * on every service's own network, with its UI published on 127.0.0.1 only.
 */
export class LocalMonitoring extends Construct {
  readonly container: Container;

  constructor(scope: Construct, id: string, props: LocalMonitoringProps) {
    super(scope, id);
    const { environment } = props;
    const labels = dockerLabels("prometheus", environment.name);
    const contentHash = createHash("sha256");
    for (const file of props.files) contentHash.update(file.path).update("\0").update(file.content).update("\0");

    const image = new Image(this, "image", {
      name: `${environment.namespace}/prometheus:${contentHash.digest("hex").slice(0, 12)}`,
      keepLocally: false,
      buildAttribute: {
        context: `${MONITORING_DIR_FROM_STACK}/${environment.name}`,
        dockerfile: "Dockerfile",
        buildArgs: { PROMETHEUS_IMAGE: environment.docker.prometheusImage },
      },
    });

    const port = environment.docker.prometheusPort;
    const networks = [...props.scrapeNetworks, props.outsideNetwork];
    this.container = new Container(this, "prometheus", {
      name: prometheusContainerName(environment),
      image: image.imageId,
      command: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.retention.time=2d",
        `--web.listen-address=:${port}`,
      ],
      user: `${PROMETHEUS_USER_ID}:${PROMETHEUS_USER_ID}`,
      readOnly: true,
      tmpfs: {
        "/prometheus": "rw,noexec,nosuid,nodev,size=512m",
        [WRITABLE_TMP_PATH]: "rw,noexec,nosuid,nodev,size=16m",
      },
      capabilities: { drop: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      privileged: false,
      memory: 512,
      memorySwap: 512,
      cpus: "0.5",
      restart: "on-failure",
      maxRetryCount: 5,
      mustRun: true,
      healthcheck: {
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${port}/-/ready`],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "10s",
      },
      labels,
      networksAdvanced: networks.map((network) => ({ name: network.nameInput! })),
      ports: [{ internal: port, external: port, ip: "127.0.0.1", protocol: "tcp" }],
      dependsOn: networks,
    });
  }
}
