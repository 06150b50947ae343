import { KUBERNETES_TYPES, isEmptySelector, selectorOf, showSelector } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asInteger, block, isUnresolved, show } from "../values.js";

/** Pods a PDB requires to stay up out of `replicas`, for an integer or a percentage. */
function requiredAvailable(minAvailable: string | number, replicas: number): number | undefined {
  const text = String(minAvailable);
  const percent = /^(\d+)%$/.exec(text);
  if (percent) return Math.ceil((Number(percent[1]) * replicas) / 100);
  return asInteger(text);
}

/**
 * K8S-19 (error): a PodDisruptionBudget selects pods and never blocks evictions: it
 * sets `max_unavailable` (not 0 or 0%) or a `min_available` below the fewest replicas
 * of every Deployment it selects (its autoscaler's minimum, or its replicas). A budget
 * that allows no eviction blocks every node drain and cluster upgrade.
 * Gap: kube-linter also asks for `unhealthy_pod_eviction_policy = AlwaysAllow` (so a
 * budget never blocks the eviction of pods that are not ready anyway);
 * `kubernetes_pod_disruption_budget_v1` has no such field, so it is neither set nor checked.
 * Anchor: Polaris, kube-linter pdb-max-unavailable / pdb-min-available.
 */
export const nonBlockingDisruptionBudget: ResourceRule = {
  id: "K8S-19",
  level: "error",
  scope: "resource",
  checks:
    "PodDisruptionBudgets select pods and allow evictions: max_unavailable not 0, min_available below the HPA minimum",
  anchor: "Polaris; kube-linter pdb-max-unavailable, pdb-min-available",
  gap: "unhealthy pod eviction policy (kube-linter pdb-unhealthy-pod-eviction-policy): kubernetes_pod_disruption_budget_v1 has no such field",
  appliesTo: ofTypes(KUBERNETES_TYPES.pdb),
  check(resource, context) {
    const index = context.stack.kubernetes;
    const spec = block(resource.values.spec);
    const problems = new Problems();
    const namespace = index.namespaceOf(resource);
    const selector = selectorOf(spec?.selector);
    if (selector === "unresolved" || namespace === undefined)
      return problems
        .unresolved(
          "spec.selector or metadata.namespace",
          spec?.selector,
          "give the selector and namespace as literals",
        )
        .outcome();
    if (selector === undefined)
      return problems
        .add(
          "spec.selector is unset, so the budget selects no pods",
          "select the Deployment's pods (its spec.selector.match_labels)",
        )
        .outcome();
    const owners = isEmptySelector(selector) ? [] : index.ownersSelectedBy(namespace, selector);
    if (owners.length === 0) {
      problems.add(
        `selects no pods of this stack (selector ${showSelector(selector)}, namespace "${namespace}")`,
        "select the Deployment's pods (its spec.selector.match_labels), or remove the budget",
      );
    }

    const maxUnavailable = spec?.max_unavailable;
    const minAvailable = spec?.min_available;
    if (isUnresolved(maxUnavailable) || isUnresolved(minAvailable))
      return problems
        .unresolved(
          "max_unavailable / min_available",
          isUnresolved(maxUnavailable) ? maxUnavailable : minAvailable,
          'set max_unavailable = "1" as a literal',
        )
        .outcome();
    const hasMax = maxUnavailable !== undefined && maxUnavailable !== null && maxUnavailable !== "";
    const hasMin = minAvailable !== undefined && minAvailable !== null && minAvailable !== "";
    if (!hasMax && !hasMin) {
      problems.add("sets neither max_unavailable nor min_available", 'set max_unavailable = "1"');
    } else if (hasMax) {
      if (/^0+%?$/.test(String(maxUnavailable)))
        problems.add(
          `max_unavailable is ${show(maxUnavailable)}, so no pod may ever be evicted and node drains block`,
          'set max_unavailable = "1"',
        );
    } else {
      for (const owner of owners) {
        const range = index.replicaRange(owner);
        if (range.unresolved !== undefined || range.min === undefined) continue;
        const required = requiredAvailable(minAvailable as string | number, range.min);
        if (required !== undefined && required >= range.min) {
          problems.add(
            `min_available ${show(minAvailable)} is not below the ${range.min} replica${range.min === 1 ? "" : "s"} ${owner.resource.address} may run (${range.source}), so at that count no pod may be evicted and node drains block`,
            'use max_unavailable = "1" instead of min_available',
          );
        }
      }
    }
    return problems.outcome();
  },
};
