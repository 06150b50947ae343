import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, block, isUnresolved, show } from "../values.js";

/**
 * K8S-02 (error): every container sets `allow_privilege_escalation = false`. The
 * Kubernetes provider defaults it to true, so a missing value fails: a process could
 * gain privileges through a setuid binary.
 * Anchor: PSS restricted, kube-linter privilege-escalation-container, Polaris, checkov CKV_K8S_20.
 */
export const noPrivilegeEscalation: ResourceRule = {
  id: "K8S-02",
  level: "error",
  scope: "resource",
  checks: "containers set allow_privilege_escalation = false (the provider defaults it to true)",
  anchor: "PSS-R; kube-linter privilege-escalation-container; Polaris; checkov CKV_K8S_20",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const value = block(container.values.security_context)?.allow_privilege_escalation;
      if (isUnresolved(value))
        problems.unresolved(
          `${container.label}: allow_privilege_escalation`,
          value,
          "set allow_privilege_escalation = false as a literal",
        );
      else if (asBoolean(value) !== false) {
        problems.add(
          `${container.label}: allow_privilege_escalation is ${show(value)}${value === undefined ? " (the provider defaults it to true)" : ""}, so a process can gain privileges through setuid binaries`,
          "set allow_privilege_escalation = false in the container's security_context",
        );
      }
    }
    return problems.outcome();
  },
};
