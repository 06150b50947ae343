import type { ServiceMeshName } from "../../infra/mesh-settings.js";
import type { ConfigBlock } from "./stack-snapshot.js";
import { isObject, labelsAt, objectsAt, scalarAt, stringsAt, valueAt, type JsonObject } from "./values.js";

/**
 * What the service mesh objects of a stack say, read as facts like the NetworkPolicies
 * are (resource-facts.ts registers these readers): who a mesh authorization lets into
 * what ({@link MeshGrant}), which workloads are guarded at all, and the settings that
 * protect traffic ({@link MeshProtection}: mutual TLS modes, sidecar injection, default
 * inbound policy). The risk checks compare them between the two sides: a grant the base
 * did not cover is network widening, a setting that lets through more is a security
 * relaxation. Istio (`*.istio.io`) and Linkerd (`policy.linkerd.io`) objects are
 * `kubernetes_manifest`s; the namespace's labels and annotations turn injection on.
 */

/**
 * Conditions a request meets, by field: each field lists the values accepted (any one
 * matches), fields are all required; a field named `not<Field>` lists values refused.
 * `{}` is anything. Values may be patterns with `*` at the start or end (Istio's and
 * Linkerd's own matching).
 */
export type Conditions = Readonly<Record<string, readonly string[]>>;

/** One way in that a mesh authorization allows: from a source, to an operation, into a target. */
export interface MeshGrant {
  readonly mesh: ServiceMeshName;
  /** What it guards: `workloads app.kubernetes.io/name=orders` (Istio selector), `Server orders` (Linkerd). */
  readonly target: string;
  /** The objects that allow it: `Istio AuthorizationPolicy orders`, `Linkerd AuthorizationPolicy orders-callers (MeshTLSAuthentication orders-callers)`. */
  readonly object: string;
  /** The Terraform addresses of those objects. */
  readonly addresses: readonly string[];
  /** Who: one value per positive field (`principals`, `namespaces`, `identities`...); {} is any source. */
  readonly source: Conditions;
  /** To what: one value per positive field (`ports`, `methods`, `paths`...); {} is any operation. */
  readonly operation: Conditions;
}

/** A target that mesh authorization guards: only its grants get in (an Istio ALLOW policy, a Linkerd Server). */
export interface MeshGuard {
  readonly mesh: ServiceMeshName;
  readonly target: string;
  /** What lets anyone in when the guard is gone. */
  readonly whenGone: string;
}

/** What a protecting setting holds: a value and what it lets through ([] for the strictest). */
export interface ProtectionLevel {
  /** `STRICT`, `enabled`, `deleted (Istio's default, PERMISSIVE)`. */
  readonly value: string;
  /** What it lets through or gives up, in words: `plain-text connections accepted`. */
  readonly allows: readonly string[];
}

/** A setting that protects traffic: relaxed when the head's level allows what the base's did not. */
export interface MeshProtection extends ProtectionLevel {
  readonly mesh: ServiceMeshName;
  /** The object and setting, the same on both sides: `Istio PeerAuthentication default: mtls.mode`. */
  readonly what: string;
  readonly address: string;
  /** The level when the setting (or its object) is gone. */
  readonly absent: ProtectionLevel;
}

/** The mesh facts one resource contributes. */
export interface MeshFacts {
  readonly meshGrants?: readonly MeshGrant[];
  readonly meshGuards?: readonly MeshGuard[];
  readonly meshProtections?: readonly MeshProtection[];
}

/** What a mesh reader may look up: another manifest of the stack by kind and name. */
export interface MeshContext {
  manifest(kind: string, name: string): ConfigBlock | undefined;
}

const PLAINTEXT_ACCEPTED = "plain-text connections accepted";
const MTLS_OFF = "mutual TLS off";
const NO_CLIENT_CERTIFICATE = "no client certificate";
const UNMESHED_PODS = "pods start without the mesh's proxy";

/** Istio's mTLS modes of a PeerAuthentication (UNSET inherits: PERMISSIVE unless a mesh-wide policy is stricter). */
const PEER_MTLS: Readonly<Record<string, readonly string[]>> = {
  STRICT: [],
  PERMISSIVE: [PLAINTEXT_ACCEPTED],
  UNSET: [PLAINTEXT_ACCEPTED],
  DISABLE: [PLAINTEXT_ACCEPTED, MTLS_OFF],
};
/** Istio's client TLS modes of a DestinationRule. */
const CLIENT_TLS: Readonly<Record<string, readonly string[]>> = {
  ISTIO_MUTUAL: [],
  MUTUAL: [],
  SIMPLE: [NO_CLIENT_CERTIFICATE],
  DISABLE: [NO_CLIENT_CERTIFICATE, MTLS_OFF],
};
/** Linkerd's default inbound policies, by the requests each lets in. */
const LINKERD_INBOUND: Readonly<Record<string, readonly string[]>> = {
  deny: [],
  "cluster-authenticated": ["authenticated, from the cluster's networks"],
  "all-authenticated": ["authenticated, from the cluster's networks", "authenticated, from any network"],
  "cluster-unauthenticated": [
    "authenticated, from the cluster's networks",
    "unauthenticated, from the cluster's networks",
  ],
  "all-unauthenticated": [
    "authenticated, from the cluster's networks",
    "authenticated, from any network",
    "unauthenticated, from the cluster's networks",
    "unauthenticated, from any network",
  ],
  // Audit lets everything in and only logs what a policy would have refused.
  audit: [
    "authenticated, from the cluster's networks",
    "authenticated, from any network",
    "unauthenticated, from the cluster's networks",
    "unauthenticated, from any network",
  ],
};

/** A level from a table of levels; a value the table does not know allows itself (any change to it is shown). */
function levelOf(table: Readonly<Record<string, readonly string[]>>, value: string): ProtectionLevel {
  return { value, allows: table[value] ?? [`${value} (not a known mode)`] };
}

/** The mesh facts of a `kubernetes_manifest` of Istio or Linkerd; {} for any other. */
export function readMeshManifest(block: ConfigBlock, context: MeshContext): MeshFacts {
  const manifest = valueAt(block.values, "manifest");
  const group = (scalarAt(manifest, "apiVersion") ?? "").split("/")[0]!;
  const kind = scalarAt(manifest, "kind") ?? "";
  const name = scalarAt(manifest, "metadata.name") ?? "";
  const spec = valueAt(manifest, "spec");
  if (group.endsWith("istio.io")) {
    if (kind === "AuthorizationPolicy") return istioAuthorization(block, name, spec);
    if (kind === "PeerAuthentication") return { meshProtections: peerAuthentication(block, name, spec) };
    if (kind === "DestinationRule") return { meshProtections: destinationRule(block, name, spec) };
    return {};
  }
  if (group === "policy.linkerd.io") {
    if (kind === "Server")
      return {
        meshGuards: [
          { mesh: "linkerd", target: `Server ${name}`, whenGone: "the namespace's default inbound policy (no Server)" },
        ],
      };
    if (kind === "AuthorizationPolicy") return { meshGrants: linkerdAuthorization(block, name, spec, context) };
    return {};
  }
  return {};
}

/**
 * The meshes a block belongs to: an object of theirs (`*.istio.io`, `*.linkerd.io`), or a
 * namespace that injects their proxies; [] for any other block.
 */
export function meshesOfBlock(block: ConfigBlock): ServiceMeshName[] {
  if (block.kind !== "resource") return [];
  if (block.type === "kubernetes_manifest") {
    const group = (scalarAt(block.values, "manifest.apiVersion") ?? "").split("/")[0]!;
    if (group.endsWith("istio.io")) return ["istio"];
    if (group.endsWith("linkerd.io")) return ["linkerd"];
    return [];
  }
  if (block.type !== "kubernetes_namespace_v1" && block.type !== "kubernetes_namespace") return [];
  const meshes: ServiceMeshName[] = [];
  if (labelsAt(block.values, "metadata.labels")["istio-injection"] === "enabled") meshes.push("istio");
  if (labelsAt(block.values, "metadata.annotations")["linkerd.io/inject"] === "enabled") meshes.push("linkerd");
  return meshes;
}

/**
 * The mesh facts of a namespace: Istio's `istio-injection` label, Linkerd's
 * `linkerd.io/inject` and `config.linkerd.io/default-inbound-policy` annotations.
 */
export function readMeshNamespace(block: ConfigBlock): MeshFacts {
  const name = scalarAt(block.values, "metadata.name") ?? "";
  const labels = labelsAt(block.values, "metadata.labels");
  const annotations = labelsAt(block.values, "metadata.annotations");
  const meshProtections: MeshProtection[] = [];
  const injection = (mesh: ServiceMeshName, what: string, value: string | undefined) => {
    if (value === undefined) return;
    meshProtections.push({
      mesh,
      what: `namespace ${name}: ${what}`,
      address: block.address,
      value,
      allows: value === "enabled" ? [] : [UNMESHED_PODS],
      absent: { value: "removed", allows: [UNMESHED_PODS] },
    });
  };
  injection("istio", "label istio-injection", labels["istio-injection"]);
  injection("linkerd", "annotation linkerd.io/inject", annotations["linkerd.io/inject"]);
  const inbound = annotations["config.linkerd.io/default-inbound-policy"];
  if (inbound !== undefined)
    meshProtections.push({
      mesh: "linkerd",
      what: `namespace ${name}: annotation config.linkerd.io/default-inbound-policy`,
      address: block.address,
      ...levelOf(LINKERD_INBOUND, inbound),
      absent: {
        value: "removed (Linkerd's default, all-unauthenticated)",
        allows: LINKERD_INBOUND["all-unauthenticated"]!,
      },
    });
  return { meshProtections };
}

/** How the diff names a workload resource type: `Deployment`. */
const WORKLOAD_KINDS: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: "Deployment",
  kubernetes_deployment: "Deployment",
  kubernetes_stateful_set_v1: "StatefulSet",
};

/**
 * The mesh facts of a service's workload: its pod template's own injection switch, which
 * wins over its namespace's (Istio's `sidecar.istio.io/inject` label, or the deprecated
 * annotation; Linkerd's `linkerd.io/inject` annotation). A template that opts out runs its
 * pods without the proxy, so without mutual TLS or authorization by identity; the guardrails
 * leave such pods alone (the data pods opt out), so the diff is where a service's opt-out shows.
 */
export function readMeshPodTemplate(block: ConfigBlock): MeshFacts {
  const name = scalarAt(block.values, "metadata.name") ?? "";
  const template = valueAt(block.values, "spec.template.metadata");
  const labels = labelsAt(template, "labels");
  const annotations = labelsAt(template, "annotations");
  const workload = `${WORKLOAD_KINDS[block.type] ?? block.type} ${name}`;
  const switches: Array<{ mesh: ServiceMeshName; what: string; value: string | undefined; off: string }> = [
    labels["sidecar.istio.io/inject"] !== undefined
      ? {
          mesh: "istio",
          what: "pod label sidecar.istio.io/inject",
          value: labels["sidecar.istio.io/inject"],
          off: "false",
        }
      : {
          mesh: "istio",
          what: "pod annotation sidecar.istio.io/inject",
          value: annotations["sidecar.istio.io/inject"],
          off: "false",
        },
    {
      mesh: "linkerd",
      what: "pod annotation linkerd.io/inject",
      value: annotations["linkerd.io/inject"],
      off: "disabled",
    },
  ];
  const meshProtections: MeshProtection[] = switches
    .filter(({ value }) => value !== undefined)
    .map(({ mesh, what, value, off }) => ({
      mesh,
      what: `${workload}: ${what}`,
      address: block.address,
      value: value!,
      allows: value === off ? [UNMESHED_PODS] : [],
      absent: { value: "unset (the namespace's injection)", allows: [] },
    }));
  return meshProtections.length > 0 ? { meshProtections } : {};
}

// ---------------------------------------------------------------------------- Istio

/** An ALLOW policy's grants, and the workloads it guards; DENY, AUDIT and CUSTOM policies grant nothing. */
function istioAuthorization(block: ConfigBlock, name: string, spec: unknown): MeshFacts {
  const action = scalarAt(spec, "action") ?? "ALLOW";
  if (action !== "ALLOW") return {};
  const labels = labelsAt(spec, "selector.matchLabels");
  const target = Object.keys(labels).length
    ? `workloads ${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`
    : "every workload of the namespace";
  const object = `Istio AuthorizationPolicy ${name}`;
  const meshGrants: MeshGrant[] = [];
  for (const rule of objectsAt(spec, "rules")) {
    const from = objectsAt(rule, "from").map((f) => conditionsOf(valueAt(f, "source")));
    const when = Object.fromEntries(
      objectsAt(rule, "when").flatMap((c) => [
        ...(stringsAt(c, "values").length ? [[`when ${scalarAt(c, "key")}`, stringsAt(c, "values")]] : []),
        ...(stringsAt(c, "notValues").length ? [[`notWhen ${scalarAt(c, "key")}`, stringsAt(c, "notValues")]] : []),
      ]),
    );
    const to = objectsAt(rule, "to").map((t) => ({ ...conditionsOf(valueAt(t, "operation")), ...when }));
    // A rule without `from` (or with an empty one) matches every source; without `to`, every operation.
    for (const source of (from.length ? from : [{}]).flatMap(expand))
      for (const operation of (to.length ? to : [when]).flatMap(expand))
        meshGrants.push({ mesh: "istio", target, object, addresses: [block.address], source, operation });
  }
  return {
    meshGrants,
    meshGuards: [{ mesh: "istio", target, whenGone: "any source (no ALLOW policy left)" }],
  };
}

function peerAuthentication(block: ConfigBlock, name: string, spec: unknown): MeshProtection[] {
  const object = `Istio PeerAuthentication ${name}`;
  const mode = scalarAt(spec, "mtls.mode") ?? "UNSET";
  const policy = levelOf(PEER_MTLS, mode);
  const protections: MeshProtection[] = [
    {
      mesh: "istio",
      what: `${object}: mtls.mode`,
      address: block.address,
      ...policy,
      absent: { value: "deleted (Istio's default, PERMISSIVE)", allows: PEER_MTLS.PERMISSIVE! },
    },
  ];
  const ports = valueAt(spec, "portLevelMtls");
  if (isObject(ports))
    for (const [port, setting] of Object.entries(ports))
      protections.push({
        mesh: "istio",
        what: `${object}: portLevelMtls ${port}`,
        address: block.address,
        ...levelOf(PEER_MTLS, scalarAt(setting, "mode") ?? "UNSET"),
        absent: { value: `removed (the policy's ${mode})`, allows: policy.allows },
      });
  return protections;
}

function destinationRule(block: ConfigBlock, name: string, spec: unknown): MeshProtection[] {
  const object = `Istio DestinationRule ${name}`;
  // Without a TLS setting, Istio's automatic mutual TLS applies between meshed pods.
  const automatic = { value: "removed (Istio's automatic mutual TLS)", allows: [] };
  const protections: MeshProtection[] = [];
  const mode = scalarAt(spec, "trafficPolicy.tls.mode");
  if (mode !== undefined)
    protections.push({
      mesh: "istio",
      what: `${object}: trafficPolicy.tls.mode`,
      address: block.address,
      ...levelOf(CLIENT_TLS, mode),
      absent: automatic,
    });
  for (const setting of objectsAt(spec, "trafficPolicy.portLevelSettings")) {
    const portMode = scalarAt(setting, "tls.mode");
    if (portMode !== undefined)
      protections.push({
        mesh: "istio",
        what: `${object}: trafficPolicy.portLevelSettings ${scalarAt(setting, "port.number") ?? "?"} tls.mode`,
        address: block.address,
        ...levelOf(CLIENT_TLS, portMode),
        absent: automatic,
      });
  }
  return protections;
}

// ---------------------------------------------------------------------------- Linkerd

/**
 * A Linkerd AuthorizationPolicy's grants into its target: the identities of the
 * MeshTLSAuthentications it requires (a ServiceAccount as its mesh identity), and the
 * networks of its NetworkAuthentications; requiring none lets anyone in.
 */
function linkerdAuthorization(block: ConfigBlock, name: string, spec: unknown, context: MeshContext): MeshGrant[] {
  const target = `${scalarAt(spec, "targetRef.kind") ?? "?"} ${scalarAt(spec, "targetRef.name") ?? "?"}`;
  const namespace = scalarAt(block.values, "manifest.metadata.namespace") ?? "";
  const source: Record<string, string[]> = {};
  const addresses = [block.address];
  const authentications: string[] = [];
  for (const ref of objectsAt(spec, "requiredAuthenticationRefs")) {
    const kind = scalarAt(ref, "kind") ?? "";
    const refName = scalarAt(ref, "name") ?? "";
    authentications.push(`${kind} ${refName}`);
    const found = context.manifest(kind, refName);
    if (found) addresses.push(found.address);
    const refSpec = valueAt(found?.values, "manifest.spec");
    if (kind === "MeshTLSAuthentication") {
      const identities = found
        ? [
            ...stringsAt(refSpec, "identities"),
            ...objectsAt(refSpec, "identityRefs").map((r) => identityOfRef(r, namespace)),
          ]
        : [`(${kind} ${refName}, not in this stack)`];
      source.identities = [...(source.identities ?? []), ...identities];
    } else if (kind === "NetworkAuthentication") {
      const networks = found
        ? objectsAt(refSpec, "networks").map((n) => scalarAt(n, "cidr") ?? "?")
        : [`(${kind} ${refName}, not in this stack)`];
      source.networks = [...(source.networks ?? []), ...networks];
    } else source[kind] = [refName];
  }
  const object = `Linkerd AuthorizationPolicy ${name}${authentications.length ? ` (${authentications.join(", ")})` : ""}`;
  return expand(source).map((atom) => ({ mesh: "linkerd", target, object, addresses, source: atom, operation: {} }));
}

/** The mesh identity an `identityRefs` entry stands for, as a pattern of `identities`. */
function identityOfRef(ref: JsonObject, namespace: string): string {
  const kind = scalarAt(ref, "kind");
  const name = scalarAt(ref, "name");
  const ns = scalarAt(ref, "namespace") ?? namespace;
  if (kind === "ServiceAccount")
    return name === undefined ? "*" : `${name}.${ns}.serviceaccount.identity.linkerd.cluster.local`;
  if (kind === "Namespace") return name === undefined ? "*" : `*.${name}.serviceaccount.identity.linkerd.cluster.local`;
  return `${kind} ${name ?? "*"}`;
}

// ---------------------------------------------------------------------------- conditions

/** The string lists of an Istio source or operation, by field; other values are left out. */
function conditionsOf(value: unknown): Record<string, string[]> {
  const conditions: Record<string, string[]> = {};
  if (isObject(value))
    for (const [field, values] of Object.entries(value))
      if (Array.isArray(values)) conditions[field] = values.map(String);
  return conditions;
}

/** Whether a field lists refused values (`notPrincipals`, `notWhen x`). */
function isNegative(field: string): boolean {
  return /^not[A-Z]/.test(field);
}

/**
 * Conditions split into atoms, one value per positive field (`principals: [a, b]` is
 * `principals: [a]` or `principals: [b]`), refused values kept whole: an atom is covered
 * or not as a whole.
 */
export function expand(conditions: Conditions): Conditions[] {
  let atoms: Record<string, readonly string[]>[] = [{}];
  for (const [field, values] of Object.entries(conditions)) {
    if (isNegative(field)) atoms = atoms.map((a) => ({ ...a, [field]: values }));
    // An empty list of accepted values matches nothing (Istio refuses it): no atom.
    else atoms = atoms.flatMap((a) => values.map((v) => ({ ...a, [field]: [v] })));
  }
  return atoms;
}

/** Whether a value matches a pattern: exact, `*`, `prefix*` or `*suffix`. */
function matches(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*")) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/**
 * Whether everything `narrower` lets through, `wider` lets through too: each field
 * `wider` requires, `narrower` requires with values `wider` accepts, and each value
 * `wider` refuses, `narrower` refuses.
 */
export function covers(wider: Conditions, narrower: Conditions): boolean {
  return Object.entries(wider).every(([field, values]) => {
    const mine = narrower[field];
    if (mine === undefined) return false;
    return isNegative(field)
      ? values.every((v) => mine.includes(v))
      : mine.every((v) => values.some((p) => matches(p, v)));
  });
}

/** Conditions in words: `principals cluster.local/ns/x/sa/y, ports 8080`; `none` when there are none (anything). */
export function describeConditions(conditions: Conditions, none: string): string {
  const parts = Object.entries(conditions).map(([field, values]) => `${field} ${values.join(" | ")}`);
  return parts.length ? parts.join(", ") : none;
}

/**
 * Several atoms in words, those that differ in one accepted value merged back
 * (`ports 8081` and `ports 5005` are `ports 8081 | 5005`), separated by `; `.
 */
export function describeAll(atoms: readonly Conditions[], none: string): string {
  let merged = atoms.map((a) => ({ ...a }));
  for (let changed = true; changed; ) {
    changed = false;
    outer: for (let i = 0; i < merged.length; i++)
      for (let j = i + 1; j < merged.length; j++) {
        const field = onlyDifference(merged[i]!, merged[j]!);
        if (field === undefined) continue;
        merged[i] = { ...merged[i]!, [field]: [...new Set([...merged[i]![field]!, ...merged[j]![field]!])] };
        merged = merged.filter((_, k) => k !== j);
        changed = true;
        break outer;
      }
  }
  return [...new Set(merged.map((a) => describeConditions(a, none)))].join("; ");
}

/** The one accepted field two atoms differ in, when they have the same fields and differ in no other; undefined otherwise. */
function onlyDifference(a: Conditions, b: Conditions): string | undefined {
  const fields = Object.keys(a);
  if (fields.length !== Object.keys(b).length || !fields.every((f) => f in b)) return undefined;
  const differing = fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
  if (differing.length !== 1 || isNegative(differing[0]!)) return undefined;
  return differing[0];
}
