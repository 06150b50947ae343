import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import { USES_LABEL, usesLabelValue } from "../../spec/backing-services.js";
import type { ServiceSpec } from "../../spec/model.js";
import {
  CONTAINER_USER_ID,
  HEALTH_CHECK,
  TERMINATION_GRACE_SECONDS,
  WRITABLE_TMP_MIB,
  WRITABLE_TMP_PATH,
} from "../hardening.js";
import { localContainerDefaults } from "./container-defaults.js";
import { dockerLabels } from "./labels.js";
import { containerName } from "./names.js";
import { Container, type ContainerNetworksAdvanced, type Image, type Network } from "./resources.js";

/** A network a container joins, and the names it answers to there. */
export interface NetworkAttachment {
  readonly network: Network;
  /** @default [] - reachable by container name only */
  readonly aliases?: readonly string[];
}

/** Props of {@link ServiceContainers}. */
export interface ServiceContainersProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
  readonly image: Image;
  /** Every variable the container gets; secret values are Terraform variable references. */
  readonly variables: Readonly<Record<string, string>>;
  /** The networks each replica joins. */
  readonly networks: readonly NetworkAttachment[];
  /**
   * The host port the first replica publishes on 127.0.0.1.
   * @default undefined - nothing is published
   */
  readonly publishedPort?: number;
  /**
   * Containers that must be created (and, with `wait`, healthy) before the replicas:
   * the service's databases.
   * @default [] - none
   */
  readonly after?: readonly Container[];
}

/**
 * The service's replicas on the local engine: `scaling.min` hardened containers that
 * share the service's alias on each network (Docker's DNS answers with every replica,
 * so callers spread over them). Docker has no autoscaler: the count is fixed at min.
 * Each container runs as uid 10001 with a read-only root file system and a tmpfs at
 * /tmp, no capabilities, no-new-privileges, memory and cpu limits from the spec, a
 * healthcheck that needs only `node` in the image (or the spec's `health.dockerCheck`),
 * and restarts on failure at most 5 times. A service that reads others' backing services
 * says which on its containers (`platform.dev/uses`), for the guardrails (DATA-04).
 */
export class ServiceContainers extends Construct {
  readonly containers: readonly Container[];

  constructor(scope: Construct, id: string, props: ServiceContainersProps) {
    super(scope, id);
    const { spec, environment } = props;
    const env = Object.entries(props.variables).map(([name, value]) => `${name}=${value}`);
    const healthUrl = `http://127.0.0.1:${spec.port}${spec.health.liveness}`;
    const uses = usesLabelValue(spec.uses);
    const networksAdvanced: ContainerNetworksAdvanced[] = props.networks.map(({ network, aliases }) => ({
      // Named, not referenced, to keep the JSON checkable; dependsOn orders creation.
      name: network.nameInput!,
      aliases: aliases && aliases.length > 0 ? [...aliases] : undefined,
    }));

    this.containers = Array.from({ length: spec.scaling.min }, (_, index) => {
      const replica = index + 1;
      return new Container(this, `replica-${replica}`, {
        name: containerName(environment, spec.name, replica),
        ...localContainerDefaults(),
        image: props.image.imageId,
        env,
        user: `${CONTAINER_USER_ID}:${CONTAINER_USER_ID}`,
        readOnly: true,
        tmpfs: { [WRITABLE_TMP_PATH]: `rw,noexec,nosuid,nodev,size=${WRITABLE_TMP_MIB}m` },
        memory: Math.ceil(spec.resources.limits.memoryMiB),
        memorySwap: Math.ceil(spec.resources.limits.memoryMiB),
        cpus: String(spec.resources.limits.cpuMillis / 1000),
        init: true,
        stopSignal: "SIGTERM",
        stopTimeout: TERMINATION_GRACE_SECONDS,
        destroyGraceSeconds: TERMINATION_GRACE_SECONDS,
        healthcheck: {
          test: [
            "CMD",
            // node:http, not fetch: fetch loads undici, which doubles the check's memory
            // (about 84 MB against 44 MB); with the service's own, in the same cgroup, that
            // went past a 128 MiB limit and the check thrashed past its timeout.
            ...(spec.health.dockerCheck ?? [
              "node",
              "-e",
              `require('node:http').get('${healthUrl}',r=>process.exit(r.statusCode>=200&&r.statusCode<300?0:1)).on('error',()=>process.exit(1))`,
            ]),
          ],
          interval: `${HEALTH_CHECK.intervalSeconds}s`,
          timeout: `${HEALTH_CHECK.timeoutSeconds}s`,
          retries: HEALTH_CHECK.failureThreshold,
          startPeriod: `${HEALTH_CHECK.startPeriodSeconds}s`,
        },
        labels: [
          ...dockerLabels(spec.name, environment.name),
          { label: "platform.dev/replica", value: String(replica) },
          ...(uses === undefined ? [] : [{ label: USES_LABEL, value: uses }]),
        ],
        networksAdvanced,
        ports:
          props.publishedPort !== undefined && replica === 1
            ? [{ internal: spec.port, external: props.publishedPort, ip: "127.0.0.1", protocol: "tcp" }]
            : undefined,
        dependsOn: [...props.networks.map(({ network }) => network), ...(props.after ?? [])],
      });
    });
  }
}
