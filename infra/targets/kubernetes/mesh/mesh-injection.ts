import { MESH_NAMESPACES } from "../../../addons/service-mesh.js";
import type { MeshName, ServiceMeshName } from "../../../mesh-settings.js";

/**
 * Which pods a mesh's proxy is injected into: every pod of the environment's namespace
 * (the services'), except the data pods (a CloudNativePG Cluster, a Redis StatefulSet, a
 * RabbitmqCluster). The data pods stay out because their own protocols (PostgreSQL
 * replication, RabbitMQ clustering, the operators' calls to the instance managers) and their
 * operators' start-up order (a sidecar not ready before the init containers) are not ones a
 * mesh proxy is known to carry here; their NetworkPolicies guard them as before.
 */

/** The labels and annotations a mesh reads on one object; empty with no mesh. */
export interface MeshMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const NOTHING: MeshMetadata = { labels: {}, annotations: {} };

const NAMESPACE_METADATA: Readonly<Record<MeshName, MeshMetadata>> = {
  none: NOTHING,
  // Istio's sidecar injector reads the namespace label (sidecar mode; ambient mode is not what this writes).
  istio: { labels: { "istio-injection": "enabled" }, annotations: {} },
  // Linkerd's proxy injector reads the annotation; the inbound policy refuses calls without a mesh identity.
  linkerd: {
    labels: {},
    annotations: {
      "linkerd.io/inject": "enabled",
      "config.linkerd.io/default-inbound-policy": "all-authenticated",
    },
  },
};

const DATA_POD_METADATA: Readonly<Record<MeshName, MeshMetadata>> = {
  none: NOTHING,
  // A pod label, which Istio reads before the namespace's (the annotation of that name is deprecated).
  istio: { labels: { "sidecar.istio.io/inject": "false" }, annotations: {} },
  linkerd: { labels: {}, annotations: { "linkerd.io/inject": "disabled" } },
};

/**
 * What cert-manager's HTTP-01 solver pods carry for `mesh` (through the ClusterIssuer's
 * pod template): they stay out of the mesh, like the data pods. The ingress controller
 * reaches them through the Ingress cert-manager makes for the challenge, which carries
 * none of the platform's upstream annotations ({@link meshIngressAnnotations}), so under
 * STRICT mutual TLS a meshed solver pod would refuse the certificate authority's check.
 * Their NetworkPolicy (`acme-http01-solver`) lets in the ingress controller's namespace
 * only, as without a mesh.
 */
export function meshSolverPodMetadata(mesh: MeshName): MeshMetadata {
  return DATA_POD_METADATA[mesh];
}

/**
 * The annotations of a public service's Ingress for `mesh`, read by ingress-nginx (the
 * add-ons' controller, meshed itself when the environment is): it sends each request to
 * the Service's cluster address (`service-upstream`) instead of a pod's, so that its proxy
 * routes the call as a mesh call, with its identity; with Istio it also sets the Host its
 * proxy routes by (`upstream-vhost`, the Service's in-mesh name), since the public host
 * is not one the mesh knows. Empty with no mesh. Other ingress controllers ignore them.
 */
export function meshIngressAnnotations(
  mesh: MeshName,
  service: string,
  namespace: string,
): Readonly<Record<string, string>> {
  if (mesh === "none") return {};
  const upstream = { "nginx.ingress.kubernetes.io/service-upstream": "true" };
  return mesh === "istio"
    ? { ...upstream, "nginx.ingress.kubernetes.io/upstream-vhost": `${service}.${namespace}.svc.cluster.local` }
    : upstream;
}

/** What the environment's namespace carries for `mesh`: the mesh injects its proxy into the namespace's pods. */
export function meshNamespaceMetadata(mesh: MeshName): MeshMetadata {
  return NAMESPACE_METADATA[mesh];
}

/** What a data pod (database, cache, queue) carries for `mesh`: no proxy is injected into it. */
export function meshDataPodMetadata(mesh: MeshName): MeshMetadata {
  return DATA_POD_METADATA[mesh];
}

/**
 * `annotations` for an object's metadata: the given ones, with `mesh`'s; `undefined` when
 * both are empty, so that an object without annotations keeps none (its JSON unchanged).
 */
export function withMeshAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  mesh: MeshMetadata,
): Record<string, string> | undefined {
  const merged = { ...annotations, ...mesh.annotations };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The folder in the Prometheus container where it reads the Istio workload certificate. */
export const PROMETHEUS_CERTIFICATES_FOLDER = "/etc/prom-certs";

/**
 * Where Prometheus finds the Istio workload certificate it scrapes with (Istio's root
 * certificate, its certificate chain and key), which the ServiceMonitors of a meshed
 * environment name in their `tlsConfig` (scrape-config.ts); the add-ons' Prometheus mounts the
 * certificates the sidecar writes there (monitoring-stack.ts).
 */
export const ISTIO_SCRAPE_CERTIFICATES = {
  caFile: `${PROMETHEUS_CERTIFICATES_FOLDER}/root-cert.pem`,
  certFile: `${PROMETHEUS_CERTIFICATES_FOLDER}/cert-chain.pem`,
  keyFile: `${PROMETHEUS_CERTIFICATES_FOLDER}/key.pem`,
} as const;

/** The name of the namespace-wide NetworkPolicy that lets the pods' proxies reach their mesh's control plane. */
export const MESH_CONTROL_PLANE_POLICY = "allow-mesh-control-plane";

/**
 * Where each mesh's proxies call its control plane, which they need to start (their
 * certificate, their configuration): its namespace (the add-ons install it there) and ports.
 * Istio: istiod's 15012 (configuration and certificate signing). Linkerd: identity 8080,
 * destination 8086 and policy 8090. The namespace's default deny refuses them otherwise.
 */
export const MESH_CONTROL_PLANE: {
  readonly [M in ServiceMeshName]: { readonly namespace: string; readonly ports: readonly number[] };
} = {
  istio: { namespace: MESH_NAMESPACES.istio, ports: [15012] },
  linkerd: { namespace: MESH_NAMESPACES.linkerd, ports: [8080, 8086, 8090] },
};
