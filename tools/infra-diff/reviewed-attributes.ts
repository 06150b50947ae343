import { isObject } from "./values.js";

/**
 * What a reviewer reads of a resource the change creates, by resource type: where it is
 * reachable (hosts, ports), what it runs (images), how much of it (replicas, cpu and
 * memory) and what it lets through (network and disruption policies, a service mesh's
 * authorization and mutual TLS). An update shows
 * the attributes that change; a created resource shows these, and no more (a dashboard's
 * JSON or a rule file would drown them). A type missing here shows none; add a row to
 * show one.
 *
 * Paths are schema paths (no index): a path names the value there and everything below it.
 */
export const REVIEWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  kubernetes_namespace_v1: ["metadata.name", "metadata.labels"],
  kubernetes_deployment_v1: [
    "spec.replicas",
    "spec.template.spec.container.image",
    "spec.template.spec.container.port",
    "spec.template.spec.container.resources",
    "spec.template.spec.service_account_name",
  ],
  kubernetes_stateful_set_v1: [
    "spec.replicas",
    "spec.template.spec.container.image",
    "spec.template.spec.container.port",
    "spec.template.spec.container.resources",
    "spec.volume_claim_template.spec.resources.requests",
  ],
  kubernetes_service_v1: ["spec.type", "spec.port"],
  kubernetes_ingress_v1: [
    "spec.ingress_class_name",
    "spec.rule.host",
    "spec.rule.http.path.path",
    "spec.rule.http.path.backend.service",
    "spec.tls",
    "spec.default_backend",
  ],
  kubernetes_network_policy_v1: ["spec.pod_selector", "spec.policy_types", "spec.ingress", "spec.egress"],
  kubernetes_horizontal_pod_autoscaler_v2: ["spec.min_replicas", "spec.max_replicas", "spec.metric"],
  kubernetes_pod_disruption_budget_v1: ["spec.min_available", "spec.max_unavailable"],
  kubernetes_service_account_v1: ["automount_service_account_token"],
  kubernetes_persistent_volume_claim_v1: ["spec.storage_class_name", "spec.resources.requests"],
  kubernetes_manifest: [
    "manifest.kind",
    "manifest.spec.instances",
    "manifest.spec.imageName",
    "manifest.spec.replicas",
    "manifest.spec.resources",
    "manifest.spec.storage.size",
    "manifest.spec.persistence.storage",
    // Service mesh objects (mesh-facts.ts): whom they select, let in and how they encrypt.
    "manifest.spec.selector",
    "manifest.spec.action",
    "manifest.spec.rules",
    "manifest.spec.mtls",
    "manifest.spec.portLevelMtls",
    "manifest.spec.trafficPolicy.tls",
    "manifest.spec.podSelector",
    "manifest.spec.port",
    "manifest.spec.targetRef",
    "manifest.spec.requiredAuthenticationRefs",
    "manifest.spec.identities",
    "manifest.spec.identityRefs",
  ],
  docker_image: ["name"],
  docker_container: ["image", "ports", "memory", "cpus", "networks_advanced.name", "user", "read_only", "privileged"],
  docker_network: ["name", "internal"],
  docker_volume: ["name"],
  terraform_data: ["input", "triggers_replace"],
};

/** One attribute of a created resource as the diff shows it: where, and its value. */
export interface ReviewedAttribute {
  /** Where, for people, as the attribute diff writes it: `spec.rule.host`, `networks_advanced[platform-local-orders].name`. */
  readonly path: string;
  readonly schemaPath: string;
  readonly after: unknown;
}

/**
 * The values a reviewer needs of a created resource of this type ({@link REVIEWED_ATTRIBUTES}),
 * in the order of the table; [] for a type it does not list. A list of one block is not
 * indexed, named items are keyed by name, and other lists by position, as in the diff
 * of an update; a list of blocks is shown block by block (`spec.ingress[0]`, `spec.ingress[1]`).
 */
export function reviewedAttributes(type: string, values: unknown): ReviewedAttribute[] {
  const found: ReviewedAttribute[] = [];
  for (const schemaPath of REVIEWED_ATTRIBUTES[type] ?? [])
    collect(values, schemaPath.split("."), "", schemaPath, found);
  return found;
}

function collect(value: unknown, keys: readonly string[], path: string, schemaPath: string, out: ReviewedAttribute[]) {
  if (value === undefined || value === null) return;
  const blocks = Array.isArray(value) && value.some(isObject);
  if (keys.length === 0 && !blocks) {
    out.push({ path, schemaPath, after: value });
    return;
  }
  if (blocks) {
    if (value.length === 1) {
      collect(value[0], keys, path, schemaPath, out);
      return;
    }
    const named = value.every((item) => isObject(item) && typeof item.name === "string");
    value.forEach((item, index) => {
      const key = named ? String((item as { name: string }).name) : String(index);
      collect(item, keys, `${path}[${key}]`, schemaPath, out);
    });
    return;
  }
  if (!isObject(value)) return;
  const [key, ...rest] = keys as [string, ...string[]];
  collect(value[key], rest, path === "" ? key : `${path}.${key}`, schemaPath, out);
}
