import { KUBERNETES_TYPES } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asInteger, block, isUnresolved, show } from "../values.js";

/**
 * K8S-20 (error): a HorizontalPodAutoscaler has an explicit `min_replicas` of at least
 * 1, a `max_replicas` above it (equal bounds mean a fixed count: no autoscaler), and
 * scales a Deployment that exists in its namespace. The production minimum of 2 is
 * K8S-15's, so one weakness is reported once.
 * Anchor: Polaris, kube-linter dangling-horizontalpodautoscaler.
 */
export const autoscalerBoundsAndTarget: ResourceRule = {
  id: "K8S-20",
  level: "error",
  scope: "resource",
  checks: "HPAs set min_replicas >= 1 and max_replicas > min_replicas, and scale a Deployment that exists",
  anchor: "Polaris; kube-linter dangling-horizontalpodautoscaler",
  appliesTo: ofTypes(KUBERNETES_TYPES.hpa),
  check(resource, context) {
    const index = context.stack.kubernetes;
    const spec = block(resource.values.spec);
    const problems = new Problems();
    const min = spec?.min_replicas;
    const max = spec?.max_replicas;
    if (isUnresolved(min) || isUnresolved(max))
      problems.unresolved(
        "min_replicas / max_replicas",
        isUnresolved(min) ? min : max,
        "give the spec's scaling.min and scaling.max as literals",
      );
    else {
      const minCount = asInteger(min);
      const maxCount = asInteger(max);
      if (minCount === undefined || minCount < 1)
        problems.add(
          `min_replicas is ${show(min)}; it must be set and at least 1`,
          "set min_replicas (the spec's scaling.min)",
        );
      if (maxCount === undefined)
        problems.add(`max_replicas is ${show(max)}`, "set max_replicas (the spec's scaling.max)");
      else if (minCount !== undefined && maxCount <= minCount) {
        problems.add(
          `max_replicas (${maxCount}) is not above min_replicas (${minCount}), so it never scales`,
          "raise scaling.max, or make the count fixed (scaling.min === scaling.max), which needs no autoscaler",
        );
      }
    }

    const target = block(spec?.scale_target_ref);
    const name = index.resolveName(target?.name);
    const kind = target?.kind;
    const namespace = index.namespaceOf(resource);
    if (isUnresolved(target?.name) && name === undefined)
      problems.unresolved("scale_target_ref.name", target?.name, "name the Deployment as a literal");
    else if (namespace === undefined)
      problems.unresolved(
        "metadata.namespace",
        block(resource.values.metadata)?.namespace,
        "give the namespace as a literal",
      );
    else if (typeof kind !== "string" || name === undefined || index.ownerNamed(namespace, kind, name) === undefined) {
      problems.add(
        `scales ${show(kind)} ${show(target?.name)}, which this stack does not define in namespace "${namespace}"`,
        "point scale_target_ref at the service's Deployment (kind Deployment, its metadata.name)",
      );
    }
    return problems.outcome();
  },
};
