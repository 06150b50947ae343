/**
 * Which attribute changes a provider cannot apply in place, so that Terraform destroys
 * the resource and creates it again. This is the one place that knows; keep it in step
 * with the provider versions in package.json.
 *
 * Source: the `ForceNew: true` flags of each resource's schema in the providers' source
 * (terraform-plugin-sdk v2), for the versions the pinned prebuilt providers wrap:
 * - hashicorp/kubernetes 2.38.0 (@cdktf/provider-kubernetes 12.1.1):
 *   `kubernetes/schema_metadata.go` (metadata.name, metadata.namespace and
 *   metadata.generate_name of every resource, also inside pod templates),
 *   `resource_kubernetes_deployment_v1.go` (spec.selector),
 *   `resource_kubernetes_pod_disruption_budget_v1.go` (the whole spec),
 *   `resource_kubernetes_service_v1.go` (spec.cluster_ip, spec.cluster_ips,
 *   spec.load_balancer_class); `kubernetes_manifest` (terraform-plugin-go) requires
 *   replacement when the manifest's apiVersion, kind, metadata.name or
 *   metadata.namespace changes (`manifest/provider/plan.go`, PlanResourceChange).
 * - kreuzwerker/docker 3.6.2 (@cdktf/provider-docker 12.0.3):
 *   `internal/provider/resource_docker_container.go` (every argument but the few listed
 *   as updatable below), `resource_docker_image.go` (name, build, triggers,
 *   pull_triggers, platform), `resource_docker_network.go` (every argument).
 * - Terraform's built-in `terraform_data`: `triggers_replace`.
 *
 * A change at a path below a listed one (`spec.selector.match_labels`) forces
 * replacement too. A resource type missing here is assumed to update in place; the
 * diff says so for types it has no rules for.
 */

/** How one resource type decides. */
export type ReplacementRule =
  /** These attributes (and everything below them) force replacement; others update in place. */
  | { readonly replacedWhen: readonly string[] }
  /** Every attribute forces replacement except these, which update in place. */
  | { readonly updatableOnly: readonly string[] };

/** Metadata of every Kubernetes object: the object's identity. */
const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace", "metadata.generate_name"];

/** The rules by resource type. */
export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  kubernetes_namespace_v1: { replacedWhen: ["metadata.name", "metadata.generate_name"] },
  kubernetes_deployment_v1: {
    replacedWhen: [
      ...KUBERNETES_IDENTITY,
      "spec.selector",
      "spec.template.metadata.name",
      "spec.template.metadata.namespace",
      "spec.template.metadata.generate_name",
    ],
  },
  kubernetes_pod_disruption_budget_v1: { replacedWhen: [...KUBERNETES_IDENTITY, "spec"] },
  kubernetes_service_v1: {
    replacedWhen: [...KUBERNETES_IDENTITY, "spec.cluster_ip", "spec.cluster_ips", "spec.load_balancer_class"],
  },
  kubernetes_service_account_v1: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_horizontal_pod_autoscaler_v2: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_network_policy_v1: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_ingress_v1: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_config_map_v1: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_secret_v1: { replacedWhen: KUBERNETES_IDENTITY },
  kubernetes_manifest: {
    replacedWhen: ["manifest.apiVersion", "manifest.kind", "manifest.metadata.name", "manifest.metadata.namespace"],
  },
  docker_container: {
    updatableOnly: [
      "attach",
      "container_read_refresh_timeout_milliseconds",
      "cpu_period",
      "cpu_quota",
      "cpu_set",
      "cpu_shares",
      "destroy_grace_seconds",
      "healthcheck",
      "init",
      "logs",
      "max_retry_count",
      "memory",
      "memory_swap",
      "must_run",
      "remove_volumes",
      "restart",
      "rm",
      "start",
      "tmpfs",
      "wait",
      "wait_timeout",
    ],
  },
  docker_image: { replacedWhen: ["name", "build", "triggers", "pull_triggers", "platform"] },
  docker_network: { updatableOnly: [] },
  terraform_data: { replacedWhen: ["triggers_replace"] },
};

/** True when this provider has replacement rules for the type. */
export function hasReplacementRules(type: string): boolean {
  return type in REPLACEMENT_RULES;
}

/** True when changing the attribute at `schemaPath` makes Terraform replace the resource. */
export function forcesReplacement(type: string, schemaPath: string): boolean {
  const rule = REPLACEMENT_RULES[type];
  if (rule === undefined) return false;
  if ("replacedWhen" in rule) return rule.replacedWhen.some((prefix) => isAtOrBelow(schemaPath, prefix));
  return !rule.updatableOnly.some((prefix) => isAtOrBelow(schemaPath, prefix));
}

function isAtOrBelow(schemaPath: string, prefix: string): boolean {
  return schemaPath === prefix || schemaPath.startsWith(`${prefix}.`);
}
