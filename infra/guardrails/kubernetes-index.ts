import { podTemplateOf, POD_RESOURCE_TYPES } from "./kubernetes-pods.js";
import type { JsonObject, SynthesizedResource, SynthesizedStack } from "./synthesized-stack.js";
import {
  asInteger,
  asString,
  asStringList,
  asStringMap,
  block,
  blocks,
  firstUnresolved,
  isUnresolved,
} from "./values.js";

/** A Kubernetes label selector, read from the JSON. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly expressions: ReadonlyArray<{
    readonly key: string;
    readonly operator: string;
    readonly values: readonly string[];
  }>;
}

/** A resource that runs pods, with the names the other resources find it by. */
export interface PodOwner {
  readonly resource: SynthesizedResource;
  /** Kubernetes kind, like `Deployment`. */
  readonly kind: string;
  /** `metadata.name`, undefined when unresolved. */
  readonly name: string | undefined;
  /** Namespace name, undefined when unresolved. */
  readonly namespace: string | undefined;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** How many replicas a pod owner runs: from its autoscaler when one scales it, else from `spec.replicas`. */
export interface ReplicaRange {
  /** The fewest replicas; undefined when Terraform computes it. */
  readonly min: number | undefined;
  /** The most replicas; undefined when Terraform computes it. */
  readonly max: number | undefined;
  /** Where the numbers come from, for messages: `spec.replicas` or the autoscaler's address. */
  readonly source: string;
  /** The computed value that hides the count, if any. */
  readonly unresolved?: string;
}

/**
 * Pods an operator runs for a custom resource of the stack (a CloudNativePG `Cluster`
 * runs its PostgreSQL instances): no pod template of the stack describes them, but a
 * NetworkPolicy that selects them selects real pods.
 */
export interface OperatorPods {
  /** The `kubernetes_manifest` the operator makes the pods for (or the Ingress cert-manager answers a challenge of). */
  readonly resource: SynthesizedResource;
  readonly namespace: string;
  /** Labels every one of those pods carries. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The labels an operator gives the pods of a custom resource, by API group and kind:
 * CloudNativePG labels each instance of a `Cluster` with `cnpg.io/cluster: <name>`; the
 * RabbitMQ Cluster Operator labels each node of a `RabbitmqCluster` with
 * `app.kubernetes.io/name: <name>`.
 */
const OPERATOR_POD_LABELS: ReadonlyArray<{
  readonly group: string;
  readonly kind: string;
  readonly labels: (name: string) => Record<string, string>;
}> = [
  { group: "postgresql.cnpg.io", kind: "Cluster", labels: (name) => ({ "cnpg.io/cluster": name }) },
  { group: "rabbitmq.com", kind: "RabbitmqCluster", labels: (name) => ({ "app.kubernetes.io/name": name }) },
];

/**
 * The labels the operator gives the pods of a `kubernetes_manifest`'s custom resource
 * (see above), given its `metadata.name`; undefined for a kind no known operator runs pods for.
 */
export function operatorPodLabelsOf(
  manifest: JsonObject | undefined,
  name: string,
): Readonly<Record<string, string>> | undefined {
  const group = asString(manifest?.apiVersion)?.split("/")[0];
  return OPERATOR_POD_LABELS.find((o) => o.group === group && o.kind === manifest?.kind)?.labels(name);
}

/** The label cert-manager gives the pod that answers an ACME HTTP-01 challenge of an Ingress. */
const ACME_HTTP01_SOLVER_POD_LABELS = { "acme.cert-manager.io/http01-solver": "true" } as const;

/** A selector is "unresolved" when Terraform computes part of it. */
export type SelectorRead = LabelSelector | "unresolved" | undefined;

const NAMESPACE_TYPE_LIST = ["kubernetes_namespace_v1", "kubernetes_namespace"];
const NAMESPACE_TYPES = new Set(NAMESPACE_TYPE_LIST);
const SERVICE_TYPES = ["kubernetes_service_v1", "kubernetes_service"];
const PDB_TYPES = ["kubernetes_pod_disruption_budget_v1", "kubernetes_pod_disruption_budget"];
const POLICY_TYPES = ["kubernetes_network_policy_v1", "kubernetes_network_policy"];
/** The Ingress resource types. */
export const INGRESS_TYPES = ["kubernetes_ingress_v1", "kubernetes_ingress"];

/** The annotations by which cert-manager's ingress-shim issues an Ingress's certificate (and creates its Secret). */
export const CERT_MANAGER_ISSUER_ANNOTATIONS = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"] as const;
const HPA_TYPES = [
  "kubernetes_horizontal_pod_autoscaler_v2",
  "kubernetes_horizontal_pod_autoscaler_v2beta2",
  "kubernetes_horizontal_pod_autoscaler_v1",
  "kubernetes_horizontal_pod_autoscaler",
];

/** Resource types of the cross-resource rules, exported for their `resourceTypes`. */
export const KUBERNETES_TYPES = {
  namespace: NAMESPACE_TYPE_LIST,
  service: SERVICE_TYPES,
  pdb: PDB_TYPES,
  networkPolicy: POLICY_TYPES,
  hpa: HPA_TYPES,
} as const;

/**
 * The Kubernetes resources of a stack, indexed once by namespace, name and label so
 * that the rules that look across resources (which Service selects which pods, which
 * PDB or NetworkPolicy covers a Deployment, which HPA scales it) cost one lookup per
 * resource instead of a scan of the stack.
 */
export class KubernetesIndex {
  readonly podOwners: readonly PodOwner[];
  private readonly ownersByPair = new Map<string, PodOwner[]>();
  private readonly ownersByNamespace = new Map<string, PodOwner[]>();
  private readonly ownersByName = new Map<string, PodOwner>();
  private readonly ownerOfResource = new Map<SynthesizedResource, PodOwner>();
  private readonly servicesByName = new Map<string, SynthesizedResource>();
  private readonly pdbs = new SelectorIndex();
  private readonly policies = new SelectorIndex();
  private readonly autoscalersByTarget = new Map<string, SynthesizedResource[]>();
  private readonly defaultDenyNamespaces = new Set<string>();
  private readonly operatorPods: OperatorPods[] = [];

  constructor(private readonly stack: SynthesizedStack) {
    const owners: PodOwner[] = [];
    for (const type of POD_RESOURCE_TYPES) {
      for (const resource of stack.ofType(type)) {
        const template = podTemplateOf(resource)!;
        const owner: PodOwner = {
          resource,
          kind: template.kind,
          name: this.nameOf(resource),
          namespace: this.namespaceOf(resource),
          podLabels: template.labels,
        };
        owners.push(owner);
        this.ownerOfResource.set(resource, owner);
        if (owner.namespace === undefined) continue;
        push(this.ownersByNamespace, owner.namespace, owner);
        for (const [key, value] of Object.entries(owner.podLabels))
          push(this.ownersByPair, `${owner.namespace}\u0000${key}=${value}`, owner);
        if (owner.name !== undefined)
          this.ownersByName.set(`${owner.namespace}\u0000${owner.kind}\u0000${owner.name}`, owner);
      }
    }
    this.podOwners = owners;
    for (const resource of SERVICE_TYPES.flatMap((t) => stack.ofType(t))) {
      const namespace = this.namespaceOf(resource);
      const name = this.nameOf(resource);
      if (namespace !== undefined && name !== undefined) this.servicesByName.set(`${namespace}\u0000${name}`, resource);
    }
    for (const resource of PDB_TYPES.flatMap((t) => stack.ofType(t))) {
      this.pdbs.add(resource, this.namespaceOf(resource), selectorOf(block(resource.values.spec)?.selector));
    }
    for (const resource of POLICY_TYPES.flatMap((t) => stack.ofType(t))) {
      const namespace = this.namespaceOf(resource);
      const selector = selectorOf(block(resource.values.spec)?.pod_selector) ?? EMPTY_SELECTOR;
      this.policies.add(resource, namespace, selector);
      if (namespace !== undefined && selector !== "unresolved" && isEmptySelector(selector) && isDenyAll(resource))
        this.defaultDenyNamespaces.add(namespace);
    }
    for (const resource of stack.ofType("kubernetes_manifest")) {
      const manifest = block(resource.values.manifest);
      const metadata = block(manifest?.metadata);
      const name = this.resolveName(metadata?.name);
      const namespace = this.resolveName(metadata?.namespace);
      const podLabels = name === undefined ? undefined : operatorPodLabelsOf(manifest, name);
      if (podLabels !== undefined && namespace !== undefined)
        this.operatorPods.push({ resource, namespace, podLabels });
    }
    // cert-manager answers an ACME HTTP-01 challenge of an Ingress it issues for with a pod
    // in the Ingress's namespace; a policy that lets the ingress controller reach it selects real pods.
    for (const resource of INGRESS_TYPES.flatMap((t) => stack.ofType(t))) {
      const annotations = block(block(resource.values.metadata)?.annotations);
      const namespace = this.namespaceOf(resource);
      const issued = CERT_MANAGER_ISSUER_ANNOTATIONS.some((key) => annotations?.[key] !== undefined);
      if (issued && namespace !== undefined)
        this.operatorPods.push({ resource, namespace, podLabels: ACME_HTTP01_SOLVER_POD_LABELS });
    }
    for (const resource of HPA_TYPES.flatMap((t) => stack.ofType(t))) {
      const target = block(block(resource.values.spec)?.scale_target_ref);
      const namespace = this.namespaceOf(resource);
      const name = this.resolveName(target?.name);
      const kind = asString(target?.kind);
      if (namespace !== undefined && name !== undefined && kind !== undefined)
        push(this.autoscalersByTarget, `${namespace}\u0000${kind}\u0000${name}`, resource);
    }
  }

  /**
   * A name given as a literal, or as a reference to a resource of the stack whose own
   * name is a literal (`${kubernetes_namespace_v1.ns.metadata[0].name}`); undefined
   * when Terraform computes it, and for a missing value.
   */
  resolveName(value: unknown): string | undefined {
    if (typeof value !== "string" || value === "") return undefined;
    if (!isUnresolved(value)) return value;
    const reference = this.stack.referencedBy(value);
    if (reference === undefined || !/^(metadata(\[0\]|\.0)\.name|id)$/.test(reference.attribute)) return undefined;
    const name = block(reference.resource.values.metadata)?.name;
    return typeof name === "string" && !isUnresolved(name) ? name : undefined;
  }

  /** `metadata.name`, resolved; undefined when missing or computed. */
  nameOf(resource: SynthesizedResource): string | undefined {
    return this.resolveName(block(resource.values.metadata)?.name);
  }

  /** The namespace a resource is created in ("default" when unset, as Kubernetes does); undefined when computed. */
  namespaceOf(resource: SynthesizedResource): string | undefined {
    if (NAMESPACE_TYPES.has(resource.type)) return undefined;
    const value = block(resource.values.metadata)?.namespace;
    if (value === undefined || value === "") return "default";
    return this.resolveName(value);
  }

  /** The pod owner a resource is (a Deployment, StatefulSet, ...), if it runs pods. */
  ownerOf(resource: SynthesizedResource): PodOwner | undefined {
    return this.ownerOfResource.get(resource);
  }

  /** The pod owners in a namespace whose pods a selector selects. */
  ownersSelectedBy(namespace: string, selector: LabelSelector): PodOwner[] {
    const [firstPair] = Object.entries(selector.matchLabels);
    const candidates = firstPair
      ? this.ownersByPair.get(`${namespace}\u0000${firstPair[0]}=${firstPair[1]}`)
      : this.ownersByNamespace.get(namespace);
    return (candidates ?? []).filter((owner) => selectorMatches(selector, owner.podLabels));
  }

  /** The pods operators run for custom resources of the stack, in a namespace, that a selector selects. */
  operatorPodsSelectedBy(namespace: string, selector: LabelSelector): OperatorPods[] {
    return this.operatorPods.filter(
      (pods) => pods.namespace === namespace && selectorMatches(selector, pods.podLabels),
    );
  }

  /** The pod owner of a kind and name in a namespace (what an HPA or Ingress names). */
  ownerNamed(namespace: string, kind: string, name: string): PodOwner | undefined {
    return this.ownersByName.get(`${namespace}\u0000${kind}\u0000${name}`);
  }

  /** The Service of that name in a namespace. */
  serviceNamed(namespace: string, name: string): SynthesizedResource | undefined {
    return this.servicesByName.get(`${namespace}\u0000${name}`);
  }

  /** The PodDisruptionBudgets whose selector selects the owner's pods. */
  disruptionBudgetsOf(owner: PodOwner): SynthesizedResource[] {
    return owner.namespace === undefined ? [] : this.pdbs.selecting(owner.namespace, owner.podLabels);
  }

  /** The NetworkPolicies whose pod selector selects the owner's pods (namespace-wide ones included). */
  networkPoliciesOf(owner: PodOwner): SynthesizedResource[] {
    return owner.namespace === undefined ? [] : this.networkPoliciesSelecting(owner.namespace, owner.podLabels);
  }

  /** The NetworkPolicies of a namespace whose pod selector selects pods with these labels. */
  networkPoliciesSelecting(namespace: string, podLabels: Readonly<Record<string, string>>): SynthesizedResource[] {
    return this.policies.selecting(namespace, podLabels);
  }

  /**
   * The owner's replica range: its autoscaler's min and max (Kubernetes defaults an
   * unset min to 1), else a fixed `spec.replicas` (unset means 1).
   */
  replicaRange(owner: PodOwner): ReplicaRange {
    const [autoscaler] = this.autoscalersOf(owner);
    if (autoscaler !== undefined) {
      const spec = block(autoscaler.values.spec);
      const min = spec?.min_replicas ?? 1;
      const max = spec?.max_replicas;
      return {
        min: asInteger(min),
        max: asInteger(max),
        source: autoscaler.address,
        unresolved: firstUnresolved([min, max]),
      };
    }
    const replicas = block(owner.resource.values.spec)?.replicas ?? 1;
    const count = asInteger(replicas);
    return { min: count, max: count, source: "spec.replicas", unresolved: firstUnresolved(replicas) };
  }

  /** Whether the namespace has a NetworkPolicy that denies all ingress and egress to every pod. */
  hasDefaultDeny(namespace: string): boolean {
    return this.defaultDenyNamespaces.has(namespace);
  }

  /** The HorizontalPodAutoscalers that scale the owner. */
  autoscalersOf(owner: PodOwner): SynthesizedResource[] {
    if (owner.namespace === undefined || owner.name === undefined) return [];
    return this.autoscalersByTarget.get(`${owner.namespace}\u0000${owner.kind}\u0000${owner.name}`) ?? [];
  }
}

const EMPTY_SELECTOR: LabelSelector = { matchLabels: {}, expressions: [] };

/**
 * The directions a NetworkPolicy isolates the pods it selects: its `policy_types`,
 * or, unset, what Kubernetes infers (Ingress, and Egress when it has egress rules).
 */
export function policyTypesOf(policy: SynthesizedResource): Set<string> {
  const spec = block(policy.values.spec);
  const declared = asStringList(spec?.policy_types);
  if (declared.length > 0) return new Set(declared);
  return new Set(blocks(spec?.egress).length > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** A policy for Ingress and Egress with no rule: it allows nothing. */
function isDenyAll(policy: SynthesizedResource): boolean {
  const spec = block(policy.values.spec);
  const types = asStringList(spec?.policy_types);
  return (
    types.includes("Ingress") &&
    types.includes("Egress") &&
    blocks(spec?.ingress).length === 0 &&
    blocks(spec?.egress).length === 0
  );
}

/** Reads a `selector` block (`match_labels`, `match_expressions`). */
export function selectorOf(value: unknown): SelectorRead {
  if (value === undefined || value === null) return undefined;
  if (firstUnresolved(value) !== undefined) return "unresolved";
  const selector = block(value);
  if (selector === undefined) return EMPTY_SELECTOR;
  const expressions = blocks(selector.match_expressions).map((e) => ({
    key: String(e.key ?? ""),
    operator: String(e.operator ?? ""),
    values: asStringList(e.values),
  }));
  return { matchLabels: asStringMap(selector.match_labels) ?? {}, expressions };
}

/** Reads a Service's `selector` (a plain map of labels). */
export function mapSelectorOf(value: unknown): SelectorRead {
  if (value === undefined || value === null) return undefined;
  if (firstUnresolved(value) !== undefined) return "unresolved";
  return { matchLabels: asStringMap(value) ?? {}, expressions: [] };
}

/** True when a selector selects no labels at all (every pod of the namespace). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.expressions.length === 0;
}

/** Whether a selector selects pods with these labels, as the API server decides it. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values } of selector.expressions) {
    const has = Object.hasOwn(labels, key);
    const ok =
      operator === "In"
        ? has && values.includes(labels[key]!)
        : operator === "NotIn"
          ? !has || !values.includes(labels[key]!)
          : operator === "Exists"
            ? has
            : operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** Renders a selector for messages: `app.kubernetes.io/name=orders`. */
export function showSelector(selector: LabelSelector): string {
  const parts = [
    ...Object.entries(selector.matchLabels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`),
    ...selector.expressions.map((e) => `${e.key} ${e.operator} (${e.values.join(", ")})`),
  ];
  return parts.length > 0 ? parts.join(", ") : "(every pod)";
}

/**
 * Resources with a selector, indexed by namespace and by the first label their
 * selector requires, so that "which of them select these pods" reads only candidates.
 */
class SelectorIndex {
  private readonly byPair = new Map<string, Array<{ resource: SynthesizedResource; selector: LabelSelector }>>();
  private readonly broad = new Map<string, Array<{ resource: SynthesizedResource; selector: LabelSelector }>>();

  add(resource: SynthesizedResource, namespace: string | undefined, selector: SelectorRead): void {
    if (namespace === undefined || selector === undefined || selector === "unresolved") return;
    const [firstPair] = Object.entries(selector.matchLabels);
    if (firstPair) push(this.byPair, `${namespace}\u0000${firstPair[0]}=${firstPair[1]}`, { resource, selector });
    else push(this.broad, namespace, { resource, selector });
  }

  selecting(namespace: string, labels: Readonly<Record<string, string>>): SynthesizedResource[] {
    const found = new Set<SynthesizedResource>();
    const consider = (entries: Array<{ resource: SynthesizedResource; selector: LabelSelector }> | undefined) => {
      for (const entry of entries ?? []) if (selectorMatches(entry.selector, labels)) found.add(entry.resource);
    };
    consider(this.broad.get(namespace));
    for (const [key, value] of Object.entries(labels)) consider(this.byPair.get(`${namespace}\u0000${key}=${value}`));
    return [...found];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
