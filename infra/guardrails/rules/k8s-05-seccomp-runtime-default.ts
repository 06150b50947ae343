import { containersOf, effectiveSecurityValue, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved, show } from "../values.js";

const CONFINED_PROFILES = ["RuntimeDefault", "Localhost"];

/**
 * K8S-05 (error): every container runs under a seccomp profile, RuntimeDefault (or a
 * Localhost profile), set on the pod or on the container. Unset means Unconfined on
 * most runtimes.
 * Anchor: PSS restricted, Polaris.
 */
export const seccompRuntimeDefault: ResourceRule = {
  id: "K8S-05",
  level: "error",
  scope: "resource",
  checks: "seccomp_profile.type is RuntimeDefault (or Localhost) for every container",
  anchor: "PSS-R; Polaris",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const type = block(effectiveSecurityValue(container, pod.spec, "seccomp_profile"))?.type;
      if (isUnresolved(type))
        problems.unresolved(
          `${container.label}: seccomp_profile.type`,
          type,
          'set seccomp_profile { type = "RuntimeDefault" } as a literal',
        );
      else if (typeof type !== "string" || !CONFINED_PROFILES.includes(type)) {
        problems.add(
          `${container.label}: seccomp_profile.type is ${show(type)}, so its system calls are not filtered`,
          'set seccomp_profile { type = "RuntimeDefault" } in the pod\'s security_context',
        );
      }
    }
    return problems.outcome();
  },
};
