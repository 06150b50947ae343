import { isEmptySelector, selectorMatches, selectorOf, showSelector } from "../kubernetes-index.js";
import { DEPLOYMENT_TYPES, podTemplateOf } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved, show } from "../values.js";

/**
 * K8S-17 (error): a Deployment rolls out with an explicit RollingUpdate strategy (a
 * Recreate stops every pod first), and its selector is not empty and selects its own
 * pod template's labels (else the API refuses it, or it adopts other pods).
 * Anchor: kube-linter mismatching-selector.
 */
export const rollingUpdateAndSelector: ResourceRule = {
  id: "K8S-17",
  level: "error",
  scope: "resource",
  checks: "Deployments use strategy RollingUpdate, and their selector matches the pod template labels",
  anchor: "kube-linter mismatching-selector",
  appliesTo: ofTypes(DEPLOYMENT_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const spec = block(resource.values.spec);
    const problems = new Problems();
    const strategy = block(spec?.strategy)?.type;
    if (isUnresolved(strategy))
      problems.unresolved("spec.strategy.type", strategy, 'set strategy { type = "RollingUpdate" } as a literal');
    else if (strategy !== "RollingUpdate") {
      problems.add(
        `spec.strategy.type is ${show(strategy)}, not RollingUpdate, so a rollout may stop every pod at once`,
        'set strategy { type = "RollingUpdate", rolling_update { max_unavailable = "25%" } }',
      );
    }
    const selector = selectorOf(spec?.selector);
    if (selector === "unresolved")
      problems.unresolved("spec.selector", spec?.selector, "give the selector's labels as literals");
    else if (selector === undefined || isEmptySelector(selector)) {
      problems.add(
        "spec.selector is empty, so the Deployment would claim every pod of the namespace",
        "select the pods by the service's label: match_labels { app.kubernetes.io/name = <service> }",
      );
    } else if (!selectorMatches(selector, pod.labels)) {
      problems.add(
        `spec.selector (${showSelector(selector)}) does not match the pod template labels (${showSelector({ matchLabels: pod.labels, expressions: [] })})`,
        "make spec.template.metadata.labels include every label of spec.selector",
      );
    }
    return problems.outcome();
  },
};
