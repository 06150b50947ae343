import { KUBERNETES_TYPES, isEmptySelector, policyTypesOf, selectorOf, showSelector } from "../kubernetes-index.js";
import { POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import type { SynthesizedResource } from "../synthesized-stack.js";
import { block } from "../values.js";

const POLICY_TYPES = new Set(KUBERNETES_TYPES.networkPolicy);

/**
 * K8S-21 (error): every workload's pods are isolated: its namespace has a default-deny
 * NetworkPolicy (empty pod selector, Ingress and Egress, no rule), and NetworkPolicies
 * select its pods for both Ingress and Egress. And every NetworkPolicy with a pod
 * selector selects some pods of the stack (a dangling policy usually means a typo that
 * leaves the intended pods open): pods of its workloads, or pods an operator runs for a
 * custom resource of the stack (a CloudNativePG `Cluster`'s instances).
 * Anchor: Polaris missingNetworkPolicy, kube-linter non-isolated-pod, dangling-networkpolicy.
 */
export const networkIsolation: ResourceRule = {
  id: "K8S-21",
  level: "error",
  scope: "resource",
  checks:
    "namespace default-deny; every workload selected by NetworkPolicies for Ingress and Egress; no policy selecting nothing",
  anchor: "Polaris missingNetworkPolicy; kube-linter non-isolated-pod, dangling-networkpolicy",
  appliesTo: ofTypes(POD_RESOURCE_TYPES, KUBERNETES_TYPES.networkPolicy),
  check(resource, context) {
    return POLICY_TYPES.has(resource.type) ? checkPolicy(resource, context) : checkWorkload(resource, context);
  },
};

function checkWorkload(resource: SynthesizedResource, context: RuleContext) {
  const index = context.stack.kubernetes;
  const owner = index.ownerOf(resource)!;
  const problems = new Problems();
  if (owner.namespace === undefined)
    return problems
      .unresolved("metadata.namespace", block(resource.values.metadata)?.namespace, "give the namespace as a literal")
      .outcome();
  if (!index.hasDefaultDeny(owner.namespace)) {
    problems.add(
      `namespace "${owner.namespace}" has no default-deny NetworkPolicy, so pods no policy selects accept and send any traffic`,
      "add a NetworkPolicy with pod_selector {} and policy_types [Ingress, Egress] and no rules (the platform's default-deny)",
    );
  }
  const covered = new Set(index.networkPoliciesOf(owner).flatMap((policy) => [...policyTypesOf(policy)]));
  const missing = ["Ingress", "Egress"].filter((direction) => !covered.has(direction));
  if (missing.length > 0) {
    problems.add(
      `no NetworkPolicy selects its pods for ${missing.join(" or ")}, so that traffic is not restricted`,
      "derive the service's NetworkPolicy from its dependsOn and egress (policy_types Ingress and Egress)",
    );
  }
  return problems.outcome();
}

function checkPolicy(resource: SynthesizedResource, context: RuleContext) {
  const index = context.stack.kubernetes;
  const problems = new Problems();
  const selector = selectorOf(block(resource.values.spec)?.pod_selector);
  const namespace = index.namespaceOf(resource);
  if (selector === "unresolved" || namespace === undefined)
    return problems
      .unresolved(
        "spec.pod_selector or metadata.namespace",
        block(resource.values.spec)?.pod_selector,
        "give the pod selector and namespace as literals",
      )
      .outcome();
  if (selector === undefined || isEmptySelector(selector)) return problems.outcome();
  if (
    index.ownersSelectedBy(namespace, selector).length === 0 &&
    index.operatorPodsSelectedBy(namespace, selector).length === 0
  ) {
    problems.add(
      `pod_selector (${showSelector(selector)}) selects no pods of this stack in namespace "${namespace}"`,
      "select the service's pods (app.kubernetes.io/name = <service>), or remove the policy",
    );
  }
  return problems.outcome();
}
