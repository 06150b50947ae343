import { selectorMatches, selectorOf } from "../kubernetes-index.js";
import { DEPLOYMENT_TYPES, podTemplateOf } from "../kubernetes-pods.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, blocks, firstUnresolved } from "../values.js";

/**
 * K8S-16 (warning): a Deployment that may run more than one replica spreads them over
 * nodes: a topology spread constraint whose label selector selects its own pods, or a
 * pod anti-affinity. Otherwise every replica can land on one node and fail with it.
 * A warning: on a single-node cluster there is nothing to spread over.
 * Anchor: kube-linter no-anti-affinity, Polaris topologySpreadConstraint.
 */
export const spreadReplicas: ResourceRule = {
  id: "K8S-16",
  level: "warning",
  scope: "resource",
  checks: "Deployments that may run more than 1 replica spread them by topology constraint or pod anti-affinity",
  anchor: "kube-linter no-anti-affinity; Polaris",
  appliesTo: ofTypes(DEPLOYMENT_TYPES),
  check(resource, context) {
    const index = context.stack.kubernetes;
    const owner = index.ownerOf(resource)!;
    const range = index.replicaRange(owner);
    if (range.unresolved === undefined && (range.max ?? 0) <= 1) return NOT_APPLICABLE;
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    const constraints = blocks(pod.spec?.topology_spread_constraint);
    const unresolved = firstUnresolved(constraints);
    if (unresolved !== undefined)
      return problems
        .unresolved("topology_spread_constraint", unresolved, "give the topology spread constraint as literals")
        .outcome();
    const spreads = constraints.some((constraint) => {
      const selector = selectorOf(constraint.label_selector);
      return (
        typeof constraint.topology_key === "string" &&
        constraint.topology_key !== "" &&
        selector !== undefined &&
        selector !== "unresolved" &&
        selectorMatches(selector, owner.podLabels)
      );
    });
    const antiAffinity = block(block(pod.spec?.affinity)?.pod_anti_affinity);
    if (!spreads && antiAffinity === undefined) {
      problems.add(
        `may run ${range.max ?? "several"} replicas (${range.source}) with no topology spread constraint selecting its pods and no pod anti-affinity, so one node failure can take them all`,
        'add a topology_spread_constraint with topology_key "kubernetes.io/hostname" and a label_selector on the pod labels',
      );
    }
    return problems.outcome();
  },
};
