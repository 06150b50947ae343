import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import { WRITABLE_TMP_PATH } from "../hardening.js";
import { OTLP_HTTP_PORT } from "../tracing-environment.js";
import { localContainerDefaults } from "./container-defaults.js";
import { dockerLabels } from "./labels.js";
import { jaegerContainerName } from "./names.js";
import { Container, Image, type Network } from "./resources.js";

/** Props of {@link LocalTracing}. */
export interface LocalTracingProps {
  readonly environment: DockerEnvironment;
  /** The networks the services export from: each service's own network. */
  readonly serviceNetworks: readonly Network[];
  /** The network through which the UI is published. */
  readonly outsideNetwork: Network;
}

/** The uid the Jaeger image runs as (its Dockerfile's `USER`). */
const JAEGER_USER_ID = 10001;
/** The port of the Jaeger UI in the container. */
const JAEGER_UI_PORT = 16686;
/** Jaeger v2's health endpoint (the collector's healthcheckv2 extension). */
const JAEGER_HEALTH_PORT = 13133;

/**
 * The local tracing backend: the pinned Jaeger v2 image, all in one with its built-in
 * configuration (OTLP receiver, in-memory store, UI), hardened like every container (its
 * image's non-root user, read-only root file system with a tmpfs at /tmp, no
 * capabilities, no-new-privileges, memory and cpu limits, a healthcheck), on every
 * service's own network so that each service reaches its OTLP/HTTP receiver at
 * {@link endpoint} (and no service reaches another through it: a container does not
 * route between its networks), with its UI published on 127.0.0.1 only. Traces live in
 * memory (at most 100000, the built-in configuration's bound): a restart forgets them,
 * which is what a developer's machine wants.
 */
export class LocalTracing extends Construct {
  readonly container: Container;
  /** The OTLP/HTTP base URL the services export to: `http://platform-local-jaeger:4318`. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: LocalTracingProps) {
    super(scope, id);
    const { environment } = props;
    const name = jaegerContainerName(environment);
    this.endpoint = `http://${name}:${OTLP_HTTP_PORT}`;
    const image = new Image(this, "image", { name: environment.docker.jaegerImage, keepLocally: true });
    const uiPort = environment.docker.jaegerUiPort;
    const networks = [...props.serviceNetworks, props.outsideNetwork];
    this.container = new Container(this, "jaeger", {
      name,
      ...localContainerDefaults(),
      image: image.imageId,
      user: `${JAEGER_USER_ID}:${JAEGER_USER_ID}`,
      readOnly: true,
      tmpfs: { [WRITABLE_TMP_PATH]: "rw,noexec,nosuid,nodev,size=64m" },
      memory: 512,
      memorySwap: 512,
      cpus: "0.5",
      healthcheck: {
        // The image is Alpine-based: busybox's wget is there.
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${JAEGER_HEALTH_PORT}/status`],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "10s",
      },
      labels: dockerLabels("jaeger", environment.name),
      networksAdvanced: networks.map((network) => ({ name: network.nameInput! })),
      ports: [{ internal: JAEGER_UI_PORT, external: uiPort, ip: "127.0.0.1", protocol: "tcp" }],
      dependsOn: networks,
    });
  }
}
