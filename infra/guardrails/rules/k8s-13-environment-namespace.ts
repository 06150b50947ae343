import { NOT_APPLICABLE, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved, show } from "../values.js";

/** Kubernetes provider resources that are not in a namespace. */
const CLUSTER_SCOPED_TYPES = new Set(
  [
    "namespace",
    "cluster_role",
    "cluster_role_binding",
    "persistent_volume",
    "storage_class",
    "priority_class",
    "mutating_webhook_configuration",
    "validating_webhook_configuration",
    "api_service",
    "certificate_signing_request",
    "csi_driver",
    "runtime_class",
    "node_taint",
    "default_service_account",
  ]
    .flatMap((name) => [`kubernetes_${name}`, `kubernetes_${name}_v1`])
    .concat(["kubernetes_provider"]),
);

/** Kinds a `kubernetes_manifest` may create outside a namespace. */
const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "APIService",
  "CSIDriver",
  "RuntimeClass",
  "IngressClass",
  "ClusterIssuer",
  "Node",
]);

/**
 * K8S-13 (error): every namespaced Kubernetes resource names its namespace, and it is
 * the environment's: the default deny and the restricted Pod Security Standard apply
 * there only. Unset would put it in `default`.
 * Anchor: kube-linter use-namespace, checkov CKV_K8S_21.
 */
export const environmentNamespace: ResourceRule = {
  id: "K8S-13",
  level: "error",
  scope: "resource",
  checks: "every namespaced Kubernetes resource sets metadata.namespace to the environment's namespace",
  anchor: "kube-linter use-namespace; checkov CKV_K8S_21",
  appliesTo: (type) => type.startsWith("kubernetes_") && !CLUSTER_SCOPED_TYPES.has(type),
  check(resource, context) {
    const expected = context.environment.namespace;
    const metadata =
      resource.type === "kubernetes_manifest"
        ? block(block(resource.values.manifest)?.metadata)
        : block(resource.values.metadata);
    if (resource.type === "kubernetes_manifest") {
      const kind = block(resource.values.manifest)?.kind;
      if (typeof kind === "string" && CLUSTER_SCOPED_KINDS.has(kind)) return NOT_APPLICABLE;
    }
    const problems = new Problems();
    const value = metadata?.namespace;
    const namespace = context.stack.kubernetes.resolveName(value);
    if (isUnresolved(value) && namespace === undefined)
      problems.unresolved("metadata.namespace", value, `set metadata.namespace = "${expected}"`);
    else if (namespace === undefined)
      problems.add(
        `metadata.namespace is unset, so it lands in "default", outside the environment's namespace "${expected}"`,
        `set metadata.namespace = "${expected}"`,
      );
    else if (namespace !== expected) {
      problems.add(
        `metadata.namespace is ${show(namespace)}, outside the environment's namespace "${expected}" where the default deny and the restricted Pod Security Standard apply`,
        `set metadata.namespace = "${expected}"`,
      );
    }
    return problems.outcome();
  },
};
