import { containersOf, effectiveSecurityValue, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, asInteger, isUnresolved, show } from "../values.js";

/**
 * K8S-01 (error): every container runs as a non-root user. `run_as_non_root` must be
 * true and `run_as_user` set and not 0, in the container's security_context or, for
 * all containers, in the pod's. A missing uid fails too: the platform's images run as
 * 10001, and an explicit uid makes that reviewable.
 * Anchor: PSS restricted, kube-linter run-as-non-root, checkov CKV_K8S_23/40.
 */
export const runAsNonRoot: ResourceRule = {
  id: "K8S-01",
  level: "error",
  scope: "resource",
  checks: "containers run as a non-root user: run_as_non_root = true and run_as_user set and not 0",
  anchor: "PSS-R; kube-linter run-as-non-root; checkov CKV_K8S_23/40",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const nonRoot = effectiveSecurityValue(container, pod.spec, "run_as_non_root");
      if (isUnresolved(nonRoot))
        problems.unresolved(`${container.label}: run_as_non_root`, nonRoot, "set run_as_non_root = true as a literal");
      else if (asBoolean(nonRoot) !== true) {
        problems.add(
          `${container.label}: run_as_non_root is ${show(nonRoot)}, so the container may run as root`,
          "set run_as_non_root = true in the pod's security_context",
        );
      }
      const user = effectiveSecurityValue(container, pod.spec, "run_as_user");
      if (isUnresolved(user))
        problems.unresolved(`${container.label}: run_as_user`, user, "set run_as_user = 10001 as a literal");
      else if (asInteger(user) === undefined)
        problems.add(
          `${container.label}: run_as_user is ${show(user)}; the uid must be explicit`,
          "set run_as_user = 10001 in the pod's security_context",
        );
      else if (asInteger(user) === 0)
        problems.add(
          `${container.label}: run_as_user is 0 (root)`,
          "set run_as_user = 10001 in the pod's security_context",
        );
    }
    return problems.outcome();
  },
};
