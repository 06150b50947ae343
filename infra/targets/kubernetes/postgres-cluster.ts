import { Construct } from "constructs";
import { Annotations } from "../../engine/cdk.js";
import type { KubernetesEnvironment } from "../../environments.js";
import {
  BACKING_SERVICE_LABEL,
  dataResourceName,
  POSTGRES_PORT,
  type PostgresVersion,
} from "../../spec/backing-services.js";
import { kubernetesQuantities, type PostgresBackingService, type ServiceSpec } from "../../spec/model.js";
import { formatCpu, formatMemory } from "../../spec/quantity.js";
import { backingServiceLabels } from "../hardening.js";
import { clusterPodLabels } from "./connection-environment.js";
import { dataNetworkPolicy, tcp } from "./data-network-policy.js";
import { meshDataPodMetadata, withMeshAnnotations } from "./mesh/mesh-injection.js";
import {
  type Manifest,
  Manifest as KubernetesManifest,
  type NetworkPolicyV1,
  type NetworkPolicyV1SpecEgress,
  type NetworkPolicyV1SpecIngress,
} from "./resources.js";

export { clusterPodLabels } from "./connection-environment.js";

/**
 * The CloudNativePG operand image of each supported major, pinned to a minor release.
 * The `system` images carry Barman Cloud, which the Cluster's `barmanObjectStore` backups run.
 */
export const CNPG_POSTGRES_IMAGES: Readonly<Record<PostgresVersion, string>> = {
  16: "ghcr.io/cloudnative-pg/postgresql:16.10-system-bookworm",
  17: "ghcr.io/cloudnative-pg/postgresql:17.6-system-bookworm",
};

/** The labels of the CloudNativePG operator's pods (its Helm chart and its release manifest set it). */
export const CNPG_OPERATOR_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "cloudnative-pg",
};

/** The port of the CloudNativePG instance manager (status, probes) in each database pod. */
export const CNPG_STATUS_PORT = 8000;
/** When production's databases are backed up: daily at 03:00 (CloudNativePG's cron has seconds first). */
export const BACKUP_SCHEDULE = "0 0 3 * * *";
/** How long base backups and WAL are kept in the object store. */
export const BACKUP_RETENTION = "30d";

/** Props of {@link PostgresCluster}. */
export interface PostgresClusterProps {
  /** The service that owns the database: its pods alone may connect. */
  readonly owner: ServiceSpec;
  readonly resource: PostgresBackingService;
  readonly environment: KubernetesEnvironment;
  /**
   * The services that read it (`uses`): its NetworkPolicy lets their pods in too.
   * @default [] - the owner alone
   */
  readonly users?: readonly string[];
}

/**
 * A PostgreSQL database a service owns, on Kubernetes: a CloudNativePG `Cluster`
 * (`<service>-<name>`, its instances and storage from the spec, its database and owner
 * named after the service; CloudNativePG writes the connection to the `<cluster>-app`
 * Secret), which Terraform refuses to destroy (`prevent_destroy`), and a NetworkPolicy
 * for its pods: ingress on 5432 from the owner's pods only, from the other instances
 * (replication) and from the operator's pods in its namespace (5432 and its status port 8000);
 * egress to the other instances, the Kubernetes API server (the instance manager
 * reports to it) and, with backups, the object store. In production, with a backup
 * object store configured, the Cluster archives to it and a `ScheduledBackup` takes a
 * base backup daily. The CloudNativePG operator (and its CRDs) must be in the cluster.
 */
export class PostgresCluster extends Construct {
  readonly clusterName: string;
  readonly cluster: Manifest;
  readonly networkPolicy: NetworkPolicyV1;
  /** The daily base backup; production with a backup object store only. */
  readonly scheduledBackup?: Manifest;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const { owner, resource, environment } = props;
    const { kubernetes } = environment;
    const namespace = environment.namespace;
    this.clusterName = dataResourceName(owner.name, resource.name);
    // Not the owner's app.kubernetes.io/name: the owner's Service and policies select pods by it.
    const labels = backingServiceLabels(this.clusterName, owner.name, environment.name, "database");
    const backup = kubernetes.backup;
    // Left out of the environment's service mesh (see mesh-injection.ts); nothing with none.
    const mesh = meshDataPodMetadata(kubernetes.mesh);
    const podAnnotations = withMeshAnnotations(undefined, mesh);
    // Production without an object store: said on the Cluster itself (kubectl, the JSON, the
    // diff) and to the cdktf CLI, not hidden.
    const noBackup = environment.production && backup === undefined;
    const annotations = noBackup
      ? { "platform.dev/backup": "none: PLATFORM_BACKUP_DESTINATION is not set for this environment" }
      : undefined;

    this.cluster = new KubernetesManifest(this, "cluster", {
      manifest: {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: this.clusterName, namespace, labels, ...(annotations ? { annotations } : {}) },
        spec: {
          instances: resource.instances,
          imageName: CNPG_POSTGRES_IMAGES[resource.version],
          storage: { size: resource.storage },
          // Requests and a memory limit: without them the instances are BestEffort, the first evicted.
          resources: {
            requests: kubernetesQuantities(resource.resources.requests),
            limits: {
              memory: formatMemory(resource.resources.limits.memoryMiB),
              ...(resource.resources.limits.cpuMillis !== undefined
                ? { cpu: formatCpu(resource.resources.limits.cpuMillis) }
                : {}),
            },
          },
          bootstrap: { initdb: { database: owner.name, owner: owner.name } },
          // CloudNativePG copies these onto the pods, PersistentVolumeClaims and Services it makes.
          inheritedMetadata: {
            labels: { [BACKING_SERVICE_LABEL]: this.clusterName, ...mesh.labels },
            ...(podAnnotations ? { annotations: podAnnotations } : {}),
          },
          enableSuperuserAccess: false,
          ...(backup
            ? {
                backup: {
                  retentionPolicy: BACKUP_RETENTION,
                  barmanObjectStore: {
                    destinationPath: `${backup.destinationPath}/${this.clusterName}`,
                    s3Credentials: {
                      accessKeyId: { name: backup.credentialsSecret, key: "ACCESS_KEY_ID" },
                      secretAccessKey: { name: backup.credentialsSecret, key: "ACCESS_SECRET_KEY" },
                    },
                  },
                },
              }
            : {}),
        },
      },
      lifecycle: { preventDestroy: true },
    });

    if (noBackup)
      Annotations.of(this.cluster).addWarning(
        `${this.clusterName} in ${environment.name} has no backups: set PLATFORM_BACKUP_DESTINATION (and PLATFORM_BACKUP_CIDR) to archive it and schedule a daily base backup`,
      );
    if (backup) {
      this.scheduledBackup = new KubernetesManifest(this, "scheduled-backup", {
        manifest: {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "ScheduledBackup",
          metadata: { name: `${this.clusterName}-daily`, namespace, labels },
          spec: {
            schedule: BACKUP_SCHEDULE,
            cluster: { name: this.clusterName },
            backupOwnerReference: "self",
            method: "barmanObjectStore",
          },
        },
      });
    }

    const instances = { podSelector: { matchLabels: clusterPodLabels(this.clusterName) } };
    const ingress: NetworkPolicyV1SpecIngress[] = [
      { from: [instances], ports: [tcp(POSTGRES_PORT), tcp(CNPG_STATUS_PORT)] },
      {
        // The operator's pods only, not every pod of its namespace (both selectors in one peer: AND).
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": kubernetes.cnpgNamespace } },
            podSelector: { matchLabels: CNPG_OPERATOR_POD_LABELS },
          },
        ],
        ports: [tcp(POSTGRES_PORT), tcp(CNPG_STATUS_PORT)],
      },
    ];
    const egress: NetworkPolicyV1SpecEgress[] = [
      { to: [instances], ports: [tcp(POSTGRES_PORT), tcp(CNPG_STATUS_PORT)] },
    ];
    if (kubernetes.apiServer)
      egress.push({
        to: [{ ipBlock: { cidr: kubernetes.apiServer.cidr } }],
        ports: kubernetes.apiServer.ports.map(tcp),
      });
    if (backup) egress.push({ to: [{ ipBlock: { cidr: backup.cidr } }], ports: [tcp(443)] });

    this.networkPolicy = dataNetworkPolicy(this, "network-policy", {
      owner,
      resource,
      name: this.clusterName,
      namespace,
      labels,
      users: props.users,
      ingress,
      egress,
    });
  }
}
