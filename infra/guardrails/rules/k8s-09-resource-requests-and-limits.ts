import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved } from "../values.js";

const REQUIRED = [
  ["requests", "cpu", "the scheduler cannot place it by its needs"],
  ["requests", "memory", "the scheduler cannot place it by its needs"],
  ["limits", "memory", "it can take the node's memory from its neighbours"],
] as const;

/**
 * K8S-09 (error): every container requests cpu and memory and has a memory limit
 * (from the spec's `resources`; the cpu limit is derived too, but throttling is not a
 * safety control, so it is not required here).
 * Anchor: kube-linter unset-cpu-requirements/unset-memory-requirements, Polaris, checkov CKV_K8S_10-13.
 */
export const resourceRequestsAndLimits: ResourceRule = {
  id: "K8S-09",
  level: "error",
  scope: "resource",
  checks: "containers request cpu and memory and set a memory limit",
  anchor: "kube-linter unset-cpu-requirements, unset-memory-requirements; Polaris; checkov CKV_K8S_10-13",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const resources = block(container.values.resources);
      for (const [kind, name, why] of REQUIRED) {
        const value = block(resources?.[kind])?.[name];
        if (isUnresolved(value)) problems.unresolved(`${container.label}: resources.${kind}.${name}`, value, `set resources.${kind}.${name} as a literal`);
        else if (value === undefined || value === null || value === "") {
          problems.add(`${container.label}: resources.${kind}.${name} is unset, so ${why}`, `set resources.${kind}.${name} (the spec's resources field; limits are derived from requests)`);
        }
      }
    }
    return problems.outcome();
  },
};
