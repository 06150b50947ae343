import { DATA_OBJECT_TYPES, dataObjectOf } from "../data-objects.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, block, isUnresolved } from "../values.js";

/**
 * DATA-03 (error): in a shared environment (staging, production: the Kubernetes
 * stacks), every data object carries Terraform's `lifecycle.prevent_destroy`, so a plan
 * that would delete or replace it (a renamed service, a changed immutable field) fails
 * instead of deleting the data. The local environment is the developer's own, and its
 * data volume is kept outside the state. Not applicable there.
 * Anchor: Terraform's lifecycle meta-argument (prevent_destroy).
 */
export const preventDestroy: ResourceRule = {
  id: "DATA-03",
  level: "error",
  scope: "resource",
  checks: "in shared environments, data objects (Cluster, StatefulSet, RabbitmqCluster) have lifecycle.prevent_destroy",
  anchor: "Terraform lifecycle (prevent_destroy)",
  appliesTo: ofTypes(DATA_OBJECT_TYPES),
  check(resource, context) {
    if (!context.environment.shared) return NOT_APPLICABLE;
    const object = dataObjectOf(resource, context.stack);
    if (object === undefined) return NOT_APPLICABLE;
    const problems = new Problems();
    const value = block(resource.values.lifecycle)?.prevent_destroy;
    const fix = "set lifecycle.prevent_destroy = true on it (the platform's data constructs do)";
    if (isUnresolved(value)) problems.unresolved("lifecycle.prevent_destroy", value, fix);
    else if (asBoolean(value) !== true)
      problems.add(
        `${object.label} has no lifecycle.prevent_destroy = true in ${context.environment.name}, so a plan may delete it and its data`,
        fix,
      );
    return problems.outcome();
  },
};
