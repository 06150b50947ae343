import type { AddonName } from "../../addons/addon-names.js";
import type { KubernetesEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/resolve.js";

/** A CustomResourceDefinition the cluster must have for a Kubernetes stack, and why. */
export interface RequiredCustomResourceDefinition {
  /** The CRD's name, `<plural>.<group>`: `servicemonitors.monitoring.coreos.com`. */
  readonly name: string;
  /** The kind the stack creates, or an Ingress refers to: `ServiceMonitor`. */
  readonly kind: string;
  /** What in the stack needs it, in a few words. */
  readonly neededBy: string;
  /** What installs it. */
  readonly installedBy: string;
  /** The add-on of the environment's add-ons stack (`addons-<env>`) whose chart installs it. */
  readonly addon: AddonName;
}

const PROMETHEUS_OPERATOR =
  "the Prometheus operator (the kube-prometheus-stack chart), or set PLATFORM_SCRAPE=annotations";
const CLOUDNATIVE_PG = "the CloudNativePG operator (the cloudnative-pg chart)";
const RABBITMQ_OPERATOR = "the RabbitMQ cluster operator (the rabbitmq-cluster-operator chart)";
const CERT_MANAGER = "cert-manager (its chart, with crds.enabled=true) and the ClusterIssuer";

/**
 * The names of the CRDs in `needed` that the environment's add-ons stack installs (its
 * `<ENV>_ADDONS`): missing from the cluster before the first deploy, they are no failure.
 */
export function installedByAddons(
  environment: KubernetesEnvironment,
  needed: readonly RequiredCustomResourceDefinition[],
): string[] {
  return needed.filter((crd) => environment.kubernetes.addons.includes(crd.addon)).map((crd) => crd.name);
}

/**
 * The CustomResourceDefinitions a Kubernetes environment's stack needs, from what the
 * kubernetes target builds for these services: with PLATFORM_SCRAPE=servicemonitor the
 * environment's PrometheusRule (recording rules) and each service's ServiceMonitor; a
 * CloudNativePG `Cluster` per PostgreSQL database the platform runs, and a `ScheduledBackup`
 * when backups are configured; a `RabbitmqCluster` per queue; and, for a public service, the
 * cert-manager `ClusterIssuer` its Ingress names, and the one the stack makes when the add-ons
 * install cert-manager. A `kubernetes_manifest` whose CRD is
 * missing fails `terraform plan`; an Ingress whose issuer is missing never gets its certificate.
 */
export function requiredCustomResourceDefinitions(
  environment: KubernetesEnvironment,
  services: readonly Pick<ServiceSpec, "name" | "backingServices" | "expose">[],
): RequiredCustomResourceDefinition[] {
  const names = (list: readonly { name: string }[]) => list.map((s) => s.name).join(", ");
  const databases = services.filter((s) =>
    s.backingServices.some((r) => r.type === "postgres" && r.external === undefined),
  );
  const queues = services.filter((s) => s.backingServices.some((r) => r.type === "queue" && r.external === undefined));
  const publics = services.filter((s) => s.expose.kind === "public");
  const needed: RequiredCustomResourceDefinition[] = [];
  if (environment.kubernetes.scrape === "servicemonitor") {
    needed.push({
      name: "prometheusrules.monitoring.coreos.com",
      kind: "PrometheusRule",
      neededBy: "the recording rules and alerts (PLATFORM_SCRAPE=servicemonitor)",
      installedBy: PROMETHEUS_OPERATOR,
      addon: "kube-prometheus-stack",
    });
    if (services.length > 0)
      needed.push({
        name: "servicemonitors.monitoring.coreos.com",
        kind: "ServiceMonitor",
        neededBy: "each service's scrape (PLATFORM_SCRAPE=servicemonitor)",
        installedBy: PROMETHEUS_OPERATOR,
        addon: "kube-prometheus-stack",
      });
  }
  if (databases.length > 0) {
    needed.push({
      name: "clusters.postgresql.cnpg.io",
      kind: "Cluster",
      neededBy: `the PostgreSQL databases of ${names(databases)}`,
      installedBy: CLOUDNATIVE_PG,
      addon: "cloudnative-pg",
    });
    if (environment.kubernetes.backup !== undefined)
      needed.push({
        name: "scheduledbackups.postgresql.cnpg.io",
        kind: "ScheduledBackup",
        neededBy: "the daily base backups (PLATFORM_BACKUP_DESTINATION)",
        installedBy: CLOUDNATIVE_PG,
        addon: "cloudnative-pg",
      });
  }
  if (queues.length > 0)
    needed.push({
      name: "rabbitmqclusters.rabbitmq.com",
      kind: "RabbitmqCluster",
      neededBy: `the queues of ${names(queues)}`,
      installedBy: RABBITMQ_OPERATOR,
      addon: "rabbitmq-cluster-operator",
    });
  // The stack makes the ClusterIssuer itself when the add-ons install cert-manager (see CertificateIssuer).
  const makesIssuer = environment.kubernetes.addons.includes("cert-manager");
  if (publics.length > 0 || makesIssuer)
    needed.push({
      name: "clusterissuers.cert-manager.io",
      kind: "ClusterIssuer",
      neededBy: [
        ...(makesIssuer ? [`the ClusterIssuer '${environment.kubernetes.clusterIssuer}' the stack makes`] : []),
        ...(publics.length > 0
          ? [`the certificates of the public ${names(publics)} (issuer '${environment.kubernetes.clusterIssuer}')`]
          : []),
      ].join(", and "),
      installedBy: CERT_MANAGER,
      addon: "cert-manager",
    });
  return needed;
}
