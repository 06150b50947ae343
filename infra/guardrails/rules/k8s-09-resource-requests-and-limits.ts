import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved, show } from "../values.js";

const REQUIRED = [
  ["requests", "cpu", "the scheduler cannot place it by its needs"],
  ["requests", "memory", "the scheduler cannot place it by its needs"],
  ["limits", "memory", "it can take the node's memory from its neighbours"],
] as const;

/**
 * Why a zero amount is as bad as none: the scheduler reserves nothing for a zero request,
 * and the runtime reads a zero limit as no limit at all.
 */
const WHEN_ZERO = {
  "requests.cpu": "so the scheduler places it as if it needed nothing",
  "requests.memory": "so the scheduler places it as if it needed nothing",
  "limits.cpu": "which the runtime reads as no limit, so a runaway loop is not capped",
  "limits.memory": "which the runtime reads as no limit, so it can take the node's memory from its neighbours",
} as const;

const ZERO_FIX = "give the spec's resources an amount above zero (the spec refuses less than 10m cpu or 16Mi memory)";

/** A Kubernetes quantity's number ("0", "0m", "0.0Ki", "0e3" all give 0), or undefined when it is not one. */
function quantityNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const match =
    typeof value === "string" ? /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*[a-zA-Z]*\s*$/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * K8S-09 (error): every container requests cpu and memory and has a memory limit
 * (from the spec's `resources`; the cpu limit is derived too, but throttling is not a
 * safety control, so it is not required here). None of them, nor a cpu limit that is
 * set, may be zero: a zero is present but controls nothing.
 * Anchor: kube-linter unset-cpu-requirements/unset-memory-requirements, Polaris, checkov CKV_K8S_10-13.
 */
export const resourceRequestsAndLimits: ResourceRule = {
  id: "K8S-09",
  level: "error",
  scope: "resource",
  checks: "containers request cpu and memory and set a memory limit, none of them zero",
  anchor: "kube-linter unset-cpu-requirements, unset-memory-requirements; Polaris; checkov CKV_K8S_10-13",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const resources = block(container.values.resources);
      for (const [kind, name, why] of REQUIRED) {
        const value = block(resources?.[kind])?.[name];
        if (isUnresolved(value))
          problems.unresolved(
            `${container.label}: resources.${kind}.${name}`,
            value,
            `set resources.${kind}.${name} as a literal`,
          );
        else if (value === undefined || value === null || value === "") {
          problems.add(
            `${container.label}: resources.${kind}.${name} is unset, so ${why}`,
            `set resources.${kind}.${name} (the spec's resources field; limits are derived from requests)`,
          );
        } else if (quantityNumber(value) === 0) {
          problems.add(
            `${container.label}: resources.${kind}.${name} is ${show(value)}, zero, ${WHEN_ZERO[`${kind}.${name}`]}`,
            ZERO_FIX,
          );
        }
      }
      // The cpu limit is optional, but a zero one is no limit that looks like one.
      const cpuLimit = block(resources?.limits)?.cpu;
      if (!isUnresolved(cpuLimit) && quantityNumber(cpuLimit) === 0) {
        problems.add(
          `${container.label}: resources.limits.cpu is ${show(cpuLimit)}, zero, ${WHEN_ZERO["limits.cpu"]}`,
          ZERO_FIX,
        );
      }
    }
    return problems.outcome();
  },
};
