import type { MeshName } from "../../../mesh-settings.js";

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
