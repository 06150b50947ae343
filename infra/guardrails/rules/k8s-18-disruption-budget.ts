import { DEPLOYMENT_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";

/**
 * K8S-18 (warning): a PodDisruptionBudget selects every Deployment's pods, so a node
 * drain takes them down one at a time instead of all at once. A warning: without one
 * the service still runs, it only loses capacity during maintenance.
 * Anchor: Polaris missingPodDisruptionBudget.
 */
export const disruptionBudget: ResourceRule = {
  id: "K8S-18",
  level: "warning",
  scope: "resource",
  checks: "a PodDisruptionBudget selects each Deployment's pods",
  anchor: "Polaris missingPodDisruptionBudget",
  appliesTo: ofTypes(DEPLOYMENT_TYPES),
  check(resource, context) {
    const index = context.stack.kubernetes;
    const problems = new Problems();
    if (index.disruptionBudgetsOf(index.ownerOf(resource)!).length === 0) {
      problems.add(
        "no PodDisruptionBudget selects its pods, so a node drain may evict them all at once",
        'add a PodDisruptionBudget with max_unavailable = "1" and the Deployment\'s selector',
      );
    }
    return problems.outcome();
  },
};
