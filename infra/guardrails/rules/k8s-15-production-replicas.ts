import { DEPLOYMENT_TYPES } from "../kubernetes-pods.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule } from "../rule.js";

/** The fewest replicas a production Deployment may run. */
export const PRODUCTION_MIN_REPLICAS = 2;

/**
 * K8S-15 (error): in production (the environment's `production` flag), every
 * Deployment runs at least two replicas: its autoscaler's `min_replicas`, or its fixed
 * `replicas` (unset means 1). One replica means every rollout and every node drain is
 * an outage. Not applicable elsewhere.
 * Anchor: Polaris deploymentMissingReplicas, kube-linter minimum-three-replicas (we ask for two).
 */
export const productionReplicas: ResourceRule = {
  id: "K8S-15",
  level: "error",
  scope: "resource",
  checks: `in production, Deployments run at least ${PRODUCTION_MIN_REPLICAS} replicas (replicas or HPA min_replicas)`,
  anchor: "Polaris; kube-linter minimum-three-replicas",
  appliesTo: ofTypes(DEPLOYMENT_TYPES),
  check(resource, context) {
    if (!context.environment.production) return NOT_APPLICABLE;
    const index = context.stack.kubernetes;
    const range = index.replicaRange(index.ownerOf(resource)!);
    const problems = new Problems();
    const field = range.source === "spec.replicas" ? "spec.replicas" : `min_replicas of ${range.source}`;
    const fix =
      range.source === "spec.replicas"
        ? `set scaling.min to ${PRODUCTION_MIN_REPLICAS} or more for production`
        : `set min_replicas (the spec's scaling.min) to ${PRODUCTION_MIN_REPLICAS} or more for production`;
    if (range.unresolved !== undefined) problems.unresolved(field, range.unresolved, fix);
    else if ((range.min ?? 0) < PRODUCTION_MIN_REPLICAS) {
      problems.add(
        `runs ${range.min ?? "an unknown number of"} replica${range.min === 1 ? "" : "s"} in production (${field}), so a rollout or a node drain is an outage`,
        fix,
      );
    }
    return problems.outcome();
  },
};
