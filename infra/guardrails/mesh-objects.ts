import { KUBERNETES_TYPES, type LabelSelector, type PodOwner } from "./kubernetes-index.js";
import { podTemplateOf, POD_RESOURCE_TYPES } from "./kubernetes-pods.js";
import { NOT_APPLICABLE, Problems, type RuleOutcome } from "./rule.js";
import type { JsonObject, SynthesizedResource, SynthesizedStack } from "./synthesized-stack.js";
import { asString, asStringList, asStringMap, block, blocks, firstUnresolved } from "./values.js";

/**
 * The service-mesh objects of a stack, as the MESH rules find them: written once here,
 * so that both rules agree on what is meshed and on what each mesh object is.
 *
 * A namespace is in a mesh when the stack says so: its namespace resource carries the
 * mesh's injection switch (Istio: the label `istio-injection: enabled`, a revision label
 * `istio.io/rev`, or `istio.io/dataplane-mode: ambient`; Linkerd: the annotation
 * `linkerd.io/inject: enabled`), or the stack puts an object of that mesh's API groups
 * in it. A workload's pods are in the mesh of their namespace unless they opt out
 * (Istio: `sidecar.istio.io/inject: "false"` or `istio.io/dataplane-mode: none`; Linkerd:
 * `linkerd.io/inject: disabled`), as the platform's data pods do; pods may also opt in
 * on their own (`sidecar.istio.io/inject: "true"`, `linkerd.io/inject: enabled`).
 * A stack without any of this has no mesh, and the MESH rules find nothing in it.
 */

/** The meshes the MESH rules know. */
export type Mesh = "istio" | "linkerd";

/** How messages name each mesh. */
export const MESH_TITLES: Readonly<Record<Mesh, string>> = { istio: "Istio", linkerd: "Linkerd" };

/** The API groups of each mesh's objects. */
const MESH_GROUPS: Readonly<Record<string, Mesh>> = {
  "security.istio.io": "istio",
  "networking.istio.io": "istio",
  "policy.linkerd.io": "linkerd",
};

/** Linkerd's default inbound policies that admit only clients with a mesh identity (or none at all). */
export const AUTHENTICATED_LINKERD_POLICIES: readonly string[] = ["all-authenticated", "cluster-authenticated", "deny"];

/** The namespace (and pod) annotation that sets Linkerd's default inbound policy. */
export const LINKERD_DEFAULT_POLICY_ANNOTATION = "config.linkerd.io/default-inbound-policy";

/** A `kubernetes_manifest` of a mesh's API group, read. */
export interface MeshObject {
  readonly resource: SynthesizedResource;
  readonly mesh: Mesh;
  /** Kubernetes kind, like `PeerAuthentication`. */
  readonly kind: string;
  /** `metadata.name`, undefined when computed or missing. */
  readonly name: string | undefined;
  /** `metadata.namespace`, undefined when computed or missing. */
  readonly namespace: string | undefined;
  /** `metadata.labels`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `spec` (camelCase, as the manifest holds it). */
  readonly spec: JsonObject | undefined;
  /** How messages name it: `Istio PeerAuthentication "default"`. */
  readonly label: string;
}

/** The resource types the MESH rules read: mesh objects, namespaces and workloads. */
export const MESH_RULE_TYPES: readonly string[] = [
  "kubernetes_manifest",
  ...KUBERNETES_TYPES.namespace,
  ...POD_RESOURCE_TYPES,
];

/** The mesh object a resource is, if it is one. */
export function meshObjectOf(resource: SynthesizedResource, stack: SynthesizedStack): MeshObject | undefined {
  return meshIndex(stack).objects.get(resource);
}

/** The mesh objects of one mesh and kind in a namespace. */
export function meshObjectsIn(
  stack: SynthesizedStack,
  namespace: string,
  mesh: Mesh,
  kind: string,
): readonly MeshObject[] {
  return meshIndex(stack).byKind.get(`${namespace}\u0000${mesh}\u0000${kind}`) ?? [];
}

/** The meshes a namespace is in (see above). */
export function meshesOfNamespace(stack: SynthesizedStack, namespace: string): ReadonlySet<Mesh> {
  return meshIndex(stack).namespaces.get(namespace) ?? new Set();
}

/** The namespace resource of that name in the stack, if the stack creates it. */
export function namespaceResourceNamed(stack: SynthesizedStack, namespace: string): SynthesizedResource | undefined {
  return meshIndex(stack).namespaceResources.get(namespace);
}

/** The meshes a workload's pods run in: their namespace's, less those they opt out of, plus those they opt into. */
export function meshesOfPods(owner: PodOwner, stack: SynthesizedStack): Mesh[] {
  const template = podTemplateOf(owner.resource);
  const marks = { ...template?.labels, ...template?.annotations };
  const inNamespace = owner.namespace === undefined ? new Set<Mesh>() : meshesOfNamespace(stack, owner.namespace);
  const meshes: Mesh[] = [];
  const istioOut = marks["sidecar.istio.io/inject"] === "false" || marks["istio.io/dataplane-mode"] === "none";
  const istioIn = marks["sidecar.istio.io/inject"] === "true" || marks["istio.io/dataplane-mode"] === "ambient";
  if (istioIn || (inNamespace.has("istio") && !istioOut)) meshes.push("istio");
  const linkerd = marks["linkerd.io/inject"];
  if (linkerd === "enabled" || linkerd === "ingress" || (inNamespace.has("linkerd") && linkerd !== "disabled"))
    meshes.push("linkerd");
  return meshes;
}

/** A meshed workload as both MESH rules check it: its meshes and its namespace. */
export interface MeshedWorkload {
  readonly meshes: readonly Mesh[];
  readonly namespace: string;
}

/**
 * The meshes and the namespace of a workload's pods; NOT_APPLICABLE when they are in no
 * mesh, and the finding of an unresolved namespace when it is computed (neither rule can
 * tell which policies apply then).
 */
export function meshedWorkload(owner: PodOwner, stack: SynthesizedStack): MeshedWorkload | RuleOutcome {
  const meshes = meshesOfPods(owner, stack);
  if (meshes.length === 0) return NOT_APPLICABLE;
  if (owner.namespace === undefined)
    return new Problems()
      .unresolved(
        "metadata.namespace",
        block(owner.resource.values.metadata)?.namespace,
        "give the namespace as a literal",
      )
      .outcome();
  return { meshes, namespace: owner.namespace };
}

/** A selector as a mesh object's manifest writes it (`matchLabels`, `matchExpressions`); "unresolved" when computed. */
export function manifestSelectorOf(value: unknown): LabelSelector | "unresolved" | undefined {
  if (value === undefined || value === null) return undefined;
  if (firstUnresolved(value) !== undefined) return "unresolved";
  const selector = block(value);
  return {
    matchLabels: asStringMap(selector?.matchLabels) ?? {},
    expressions: blocks(selector?.matchExpressions).map((e) => ({
      key: String(e.key ?? ""),
      operator: String(e.operator ?? ""),
      values: asStringList(e.values),
    })),
  };
}

interface MeshIndex {
  readonly objects: ReadonlyMap<SynthesizedResource, MeshObject>;
  /** By `<namespace>\0<mesh>\0<kind>`. */
  readonly byKind: ReadonlyMap<string, MeshObject[]>;
  readonly namespaces: ReadonlyMap<string, ReadonlySet<Mesh>>;
  readonly namespaceResources: ReadonlyMap<string, SynthesizedResource>;
}

function meshIndex(stack: SynthesizedStack): MeshIndex {
  return stack.memo("mesh-objects", (s) => {
    const index = s.kubernetes;
    const objects = new Map<SynthesizedResource, MeshObject>();
    const byKind = new Map<string, MeshObject[]>();
    const namespaces = new Map<string, Set<Mesh>>();
    const namespaceResources = new Map<string, SynthesizedResource>();
    const mark = (namespace: string, mesh: Mesh) =>
      namespaces.set(namespace, (namespaces.get(namespace) ?? new Set()).add(mesh));
    for (const resource of s.ofType("kubernetes_manifest")) {
      const manifest = block(resource.values.manifest);
      const mesh = MESH_GROUPS[asString(manifest?.apiVersion)?.split("/")[0] ?? ""];
      const kind = asString(manifest?.kind);
      if (mesh === undefined || kind === undefined) continue;
      const metadata = block(manifest?.metadata);
      const name = index.resolveName(metadata?.name);
      const namespace = index.resolveName(metadata?.namespace);
      const object: MeshObject = {
        resource,
        mesh,
        kind,
        name,
        namespace,
        labels: asStringMap(metadata?.labels) ?? {},
        spec: block(manifest?.spec),
        label: `${MESH_TITLES[mesh]} ${kind} "${name ?? asString(metadata?.name) ?? "(unnamed)"}"`,
      };
      objects.set(resource, object);
      if (namespace === undefined) continue;
      mark(namespace, mesh);
      const key = `${namespace}\u0000${mesh}\u0000${kind}`;
      byKind.set(key, [...(byKind.get(key) ?? []), object]);
    }
    for (const resource of KUBERNETES_TYPES.namespace.flatMap((t) => s.ofType(t))) {
      const metadata = block(resource.values.metadata);
      const name = index.resolveName(metadata?.name);
      if (name === undefined) continue;
      namespaceResources.set(name, resource);
      const labels = asStringMap(metadata?.labels) ?? {};
      const annotations = asStringMap(metadata?.annotations) ?? {};
      if (
        labels["istio-injection"] === "enabled" ||
        labels["istio.io/rev"] !== undefined ||
        labels["istio.io/dataplane-mode"] === "ambient"
      )
        mark(name, "istio");
      if (annotations["linkerd.io/inject"] === "enabled") mark(name, "linkerd");
    }
    return { objects, byKind, namespaces, namespaceResources };
  });
}
