import type { AddonName } from "../../addons/addon-names.js";
import type { KubernetesEnvironment } from "../../environments.js";
import type { ServiceMeshName } from "../../mesh-settings.js";
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
const MESH_INSTALLERS: { readonly [M in ServiceMeshName]: string } = {
  istio: "Istio (its base chart)",
  linkerd: "Linkerd (its linkerd-crds chart)",
};

/** A kind of mesh object the service stack writes, and which of its services get one. */
interface MeshKind {
  readonly name: string;
  readonly kind: string;
  /** What it is for. */
  readonly purpose: string;
  /** Every service gets one, or the services that others depend on (their callers' routes). */
  readonly of: "services" | "callees";
}

/**
 * The kinds of each mesh's objects (mesh-settings.ts): the namespace-wide mutual TLS and one
 * authorization per service, and the traffic policy of each service that has callers.
 */
const MESH_KINDS: { readonly [M in ServiceMeshName]: readonly MeshKind[] } = {
  istio: [
    {
      name: "peerauthentications.security.istio.io",
      kind: "PeerAuthentication",
      purpose: "STRICT mutual TLS in the namespace",
      of: "services",
    },
    {
      name: "authorizationpolicies.security.istio.io",
      kind: "AuthorizationPolicy",
      purpose: "who may call each service",
      of: "services",
    },
    {
      name: "destinationrules.networking.istio.io",
      kind: "DestinationRule",
      purpose: "the connection limits and outlier detection of each service called",
      of: "callees",
    },
    {
      name: "virtualservices.networking.istio.io",
      kind: "VirtualService",
      purpose: "the timeouts and retries of each service called",
      of: "callees",
    },
  ],
  linkerd: [
    { name: "servers.policy.linkerd.io", kind: "Server", purpose: "each service's ports", of: "services" },
    {
      name: "meshtlsauthentications.policy.linkerd.io",
      kind: "MeshTLSAuthentication",
      purpose: "the identities let in to each service",
      of: "services",
    },
    {
      name: "authorizationpolicies.policy.linkerd.io",
      kind: "AuthorizationPolicy",
      purpose: "who may call each service",
      of: "services",
    },
    {
      name: "httproutes.policy.linkerd.io",
      kind: "HTTPRoute",
      purpose: "the timeouts and retries of each service called",
      of: "callees",
    },
  ],
};

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
 * install cert-manager; with a mesh (`kubernetes.mesh`), the kinds of its objects the stack
 * writes for these services (see {@link MESH_KINDS}), installed by the mesh's add-on. A
 * `kubernetes_manifest` whose CRD is missing fails `terraform plan`; an Ingress whose issuer
 * is missing never gets its certificate.
 */
export function requiredCustomResourceDefinitions(
  environment: KubernetesEnvironment,
  services: readonly Pick<ServiceSpec, "name" | "backingServices" | "expose" | "dependsOn">[],
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
  const { mesh } = environment.kubernetes;
  if (mesh !== "none") {
    const called = new Set(services.flatMap((s) => s.dependsOn));
    const of = { services, callees: services.filter((s) => called.has(s.name)) };
    for (const kind of MESH_KINDS[mesh])
      if (of[kind.of].length > 0)
        needed.push({
          name: kind.name,
          kind: kind.kind,
          neededBy: `${kind.purpose} (PLATFORM_MESH=${mesh}: ${names(of[kind.of])})`,
          installedBy: MESH_INSTALLERS[mesh],
          addon: mesh,
        });
  }
  return needed;
}
