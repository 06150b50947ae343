import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, block, isUnresolved, show } from "../values.js";

const HOST_NAMESPACES = [
  ["host_network", "the node's network stack"],
  ["host_pid", "the node's processes"],
  ["host_ipc", "the node's shared memory"],
] as const;

/**
 * K8S-03 (error): no container is privileged, and the pod shares none of the node's
 * namespaces (`host_network`, `host_pid`, `host_ipc`). Unset is compliant here: the
 * API defaults all four to false.
 * Anchor: PSS baseline, kube-linter privileged-container/host-*, checkov CKV_K8S_16-19.
 */
export const noPrivilegedOrHostNamespaces: ResourceRule = {
  id: "K8S-03",
  level: "error",
  scope: "resource",
  checks: "no privileged container; host_network, host_pid and host_ipc false or unset",
  anchor: "PSS-B; kube-linter privileged-container, host-network, host-pid, host-ipc; checkov CKV_K8S_16-19",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const value = block(container.values.security_context)?.privileged;
      if (isUnresolved(value))
        problems.unresolved(
          `${container.label}: privileged`,
          value,
          "set privileged = false as a literal, or remove it",
        );
      else if (value !== undefined && value !== null && asBoolean(value) !== false) {
        problems.add(
          `${container.label}: privileged is ${show(value)}, which gives it every capability and the node's devices`,
          "remove privileged from the container's security_context (or set it to false)",
        );
      }
    }
    for (const [field, what] of HOST_NAMESPACES) {
      const value = pod.spec?.[field];
      if (isUnresolved(value))
        problems.unresolved(`pod ${field}`, value, `set ${field} = false as a literal, or remove it`);
      else if (value !== undefined && value !== null && asBoolean(value) !== false) {
        problems.add(
          `pod ${field} is ${show(value)}, so its containers share ${what}`,
          `remove ${field} from ${pod.specPath} (or set it to false)`,
        );
      }
    }
    return problems.outcome();
  },
};
