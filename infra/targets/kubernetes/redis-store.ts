import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { BACKING_SERVICE_PORTS, dataResourceName } from "../../spec/backing-services.js";
import { kubernetesQuantities, type RedisBackingService, type ServiceSpec } from "../../spec/model.js";
import { formatCpu, formatMemory } from "../../spec/quantity.js";
import {
  KUBERNETES_CONTAINER_SECURITY_CONTEXT,
  HEALTH_CHECK,
  READINESS_PERIOD_SECONDS,
  WRITABLE_TMP_MIB,
  WRITABLE_TMP_PATH,
  selectorLabels,
  backingServiceLabels,
} from "../hardening.js";
import {
  REDIS_DATA_PATH,
  REDIS_HEALTH_COMMAND,
  REDIS_IMAGE,
  REDIS_PASSWORD_VARIABLE,
  REDIS_USER,
  REDIS_USER_ID,
  redisServerCommand,
} from "../redis-server.js";
import { CONNECTION_SECRET_KEYS, connectionSecretName } from "./connection-environment.js";
import { dataNetworkPolicy } from "./data-network-policy.js";
import { meshDataPodMetadata, withMeshAnnotations } from "./mesh/mesh-injection.js";
import { type NetworkPolicyV1, Password, SecretV1, ServiceAccountV1, ServiceV1, StatefulSetV1 } from "./resources.js";

/** Props of {@link RedisStore}. */
export interface RedisStoreProps {
  /** The service that owns the store: its pods alone may connect. */
  readonly owner: ServiceSpec;
  readonly resource: RedisBackingService;
  readonly environment: KubernetesEnvironment;
  /**
   * The services that read it (`uses`): its NetworkPolicy lets their pods in too.
   * @default [] - the owner alone
   */
  readonly users?: readonly string[];
}

/**
 * A Redis store a service owns, on Kubernetes: one instance in a StatefulSet
 * (`<service>-<name>`, which Terraform refuses to destroy: `prevent_destroy`) with a
 * PersistentVolumeClaim of the spec's storage for /data, a headless Service of the same
 * name, a password Terraform makes (`random_password`) in the Secret `<name>-connection`
 * (keys host, port, user, password, uri: the owner reads them by reference), and a
 * NetworkPolicy: ingress on 6379 from the owner's pods only, no egress. The pod meets the
 * Pod Security Standard "restricted": the image's `redis` user (uid 999), a read-only
 * root file system (an emptyDir at /tmp; Redis writes only to /data), no privilege
 * escalation, all capabilities dropped, seccomp RuntimeDefault, no service account
 * token; probes run `redis-cli ping`, authenticated by `REDISCLI_AUTH` from the Secret.
 * One instance: Redis replication and failover (Sentinel) are not set up.
 */
export class RedisStore extends Construct {
  readonly name: string;
  readonly statefulSet: StatefulSetV1;
  readonly service: ServiceV1;
  readonly secret: SecretV1;
  readonly networkPolicy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: RedisStoreProps) {
    super(scope, id);
    const { owner, resource, environment } = props;
    const namespace = environment.namespace;
    const port = BACKING_SERVICE_PORTS.redis;
    this.name = dataResourceName(owner.name, resource.name);
    // Its own app.kubernetes.io/name, not the owner's: the owner's Service and policies select pods by it.
    const labels = backingServiceLabels(this.name, owner.name, environment.name, "cache");

    // Letters and digits only (about 190 bits): the URL holds it without escaping.
    const password = new Password(this, "password", { length: 32, special: false });
    const secretName = connectionSecretName(owner.name, resource);
    const keys = CONNECTION_SECRET_KEYS.redis;
    this.secret = new SecretV1(this, "secret", {
      metadata: { name: secretName, namespace, labels },
      data: {
        [keys.HOST!]: this.name,
        [keys.PORT!]: String(port),
        [keys.USER!]: REDIS_USER,
        [keys.PASSWORD!]: password.result,
        [keys.URL!]: `redis://${REDIS_USER}:${password.result}@${this.name}:${port}/0`,
      },
    });

    this.service = new ServiceV1(this, "service", {
      metadata: { name: this.name, namespace, labels },
      spec: {
        type: "ClusterIP",
        clusterIp: "None",
        selector: selectorLabels(this.name),
        port: [{ name: "redis", port, targetPort: String(port), protocol: "TCP" }],
      },
    });

    new ServiceAccountV1(this, "service-account", {
      metadata: { name: this.name, namespace, labels },
      automountServiceAccountToken: false,
    });

    const probe = (periodSeconds: number) => ({
      exec: { command: ["sh", "-c", REDIS_HEALTH_COMMAND] },
      periodSeconds,
      timeoutSeconds: HEALTH_CHECK.timeoutSeconds,
      failureThreshold: HEALTH_CHECK.failureThreshold,
    });
    const { requests, limits } = resource.resources;
    // Left out of the environment's service mesh (see mesh-injection.ts); nothing with none.
    const mesh = meshDataPodMetadata(environment.kubernetes.mesh);
    this.statefulSet = new StatefulSetV1(this, "stateful-set", {
      metadata: { name: this.name, namespace, labels },
      spec: {
        serviceName: this.name,
        replicas: "1",
        selector: { matchLabels: selectorLabels(this.name) },
        template: {
          metadata: { labels: { ...labels, ...mesh.labels }, annotations: withMeshAnnotations(undefined, mesh) },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: String(REDIS_USER_ID),
              runAsGroup: String(REDIS_USER_ID),
              fsGroup: String(REDIS_USER_ID),
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: [
              {
                name: "redis",
                image: REDIS_IMAGE,
                imagePullPolicy: "IfNotPresent",
                command: redisServerCommand(resource.persistence, limits.memoryMiB),
                port: [{ name: "redis", containerPort: port, protocol: "TCP" }],
                env: [
                  {
                    name: REDIS_PASSWORD_VARIABLE,
                    valueFrom: { secretKeyRef: { name: secretName, key: keys.PASSWORD! } },
                  },
                ],
                resources: {
                  requests: kubernetesQuantities(requests),
                  limits: {
                    memory: formatMemory(limits.memoryMiB),
                    ...(limits.cpuMillis !== undefined ? { cpu: formatCpu(limits.cpuMillis) } : {}),
                  },
                },
                startupProbe: { ...probe(READINESS_PERIOD_SECONDS), failureThreshold: 24 },
                livenessProbe: probe(HEALTH_CHECK.intervalSeconds),
                readinessProbe: probe(READINESS_PERIOD_SECONDS),
                securityContext: KUBERNETES_CONTAINER_SECURITY_CONTEXT,
                volumeMount: [
                  { name: "data", mountPath: REDIS_DATA_PATH },
                  { name: "tmp", mountPath: WRITABLE_TMP_PATH },
                ],
              },
            ],
            volume: [{ name: "tmp", emptyDir: { sizeLimit: `${WRITABLE_TMP_MIB}Mi` } }],
          },
        },
        volumeClaimTemplate: [
          {
            metadata: { name: "data", labels },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: resource.storage } } },
          },
        ],
      },
      lifecycle: { preventDestroy: true },
    });

    this.networkPolicy = dataNetworkPolicy(this, "network-policy", {
      owner,
      resource,
      name: this.name,
      namespace,
      labels,
      users: props.users,
    });
  }
}
