/**
 * The service mesh of a Kubernetes environment (`PLATFORM_MESH`, and `<ENV>_MESH` for one
 * environment), read in infra/environments.ts. With a mesh, the platform writes the mesh's
 * own objects beside the NetworkPolicies (mutual TLS, authorization from the service
 * graph, timeouts and retries), and the add-ons stack installs the mesh.
 */

/** Every value of the setting; `none` writes no mesh object and changes nothing. */
export const MESH_NAMES = ["none", "istio", "linkerd"] as const;

/** The mesh of an environment. */
export type MeshName = (typeof MESH_NAMES)[number];

/** A mesh that is one: not `none`. */
export type ServiceMeshName = Exclude<MeshName, "none">;

/** The mesh unless a setting names one. */
export const DEFAULT_MESH: MeshName = "none";

/** What `PLATFORM_MESH` and `<ENV>_MESH` accept. */
export const MESH_ACCEPTED = `one of ${MESH_NAMES.join(", ")} (default ${DEFAULT_MESH}: no mesh); <ENV>_MESH, like STAGING_MESH, overrides PLATFORM_MESH for one environment`;

/** The variable that sets the mesh of every Kubernetes environment. */
export const PLATFORM_MESH_VARIABLE = "PLATFORM_MESH";

/** The variable that sets the mesh of one environment: `STAGING_MESH`. */
export function meshVariable(environment: string): string {
  return `${environment.toUpperCase()}_MESH`;
}

/** The mesh a value names; undefined for anything else. */
export function parseMesh(text: string): MeshName | undefined {
  const trimmed = text.trim();
  return (MESH_NAMES as readonly string[]).includes(trimmed) ? (trimmed as MeshName) : undefined;
}

/**
 * Where a call to a dependency is retried: in exactly one place. With a mesh, the mesh
 * retries (Istio per caller and callee, Linkerd per callee route) and the runtime's own
 * retries of the same calls are off (`<DEPENDENCY>_RETRY_ATTEMPTS=0`); without one, the
 * runtime retries. The runtime keeps its timeout and circuit breaker either way: the
 * caller's deadline is its own, and a breaker answers at once where a mesh would wait.
 */
export type RetryLayer = "runtime" | "mesh";

/**
 * Per dependency, the methods of a service's calls to it that the mesh retries, where the
 * mesh cannot retry each caller's own methods (Linkerd: one route per callee for every caller):
 * the runtime retries the caller's other methods, so that no call is retried twice or nowhere.
 */
export type MeshRetriedMethods = (dependency: string) => readonly string[];

/** The one switch: the layer that retries the calls of an environment with `mesh`. */
export function retryLayer(mesh: MeshName): RetryLayer {
  return mesh === "none" ? "runtime" : "mesh";
}

/** The variable that names the file of Linkerd's trust anchor for every Kubernetes environment. */
export const PLATFORM_LINKERD_TRUST_ANCHOR_VARIABLE = "PLATFORM_LINKERD_TRUST_ANCHOR_FILE";

/** The variable that names it for one environment: `STAGING_LINKERD_TRUST_ANCHOR_FILE`. */
export function linkerdTrustAnchorVariable(environment: string): string {
  return `${environment.toUpperCase()}_LINKERD_TRUST_ANCHOR_FILE`;
}

/** What `PLATFORM_LINKERD_TRUST_ANCHOR_FILE` and `<ENV>_LINKERD_TRUST_ANCHOR_FILE` accept. */
export const LINKERD_TRUST_ANCHOR_ACCEPTED =
  "the path of a readable PEM file of Linkerd's trust anchor, a CA certificate (like the ca.crt of step certificate create root.linkerd.cluster.local ca.crt ca.key --profile root-ca), required when the add-ons install Linkerd; <ENV>_LINKERD_TRUST_ANCHOR_FILE, like STAGING_LINKERD_TRUST_ANCHOR_FILE, overrides it for one environment";
