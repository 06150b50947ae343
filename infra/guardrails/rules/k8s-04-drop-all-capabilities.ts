import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asStringList, block, firstUnresolved, show } from "../values.js";

/** The only capability the restricted Pod Security Standard lets a container add back. */
const ALLOWED_ADDED_CAPABILITY = "NET_BIND_SERVICE";

/**
 * K8S-04 (error): every container drops ALL Linux capabilities and adds back none but
 * NET_BIND_SERVICE.
 * Anchor: PSS restricted, kube-linter drop-net-raw-capability, Polaris, checkov CKV_K8S_25/28/37.
 */
export const dropAllCapabilities: ResourceRule = {
  id: "K8S-04",
  level: "error",
  scope: "resource",
  checks: "containers drop ALL capabilities and add none but NET_BIND_SERVICE",
  anchor: "PSS-R; kube-linter; Polaris; checkov CKV_K8S_25/28/37",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const capabilities = block(block(container.values.security_context)?.capabilities);
      const unresolved = firstUnresolved(capabilities);
      if (unresolved !== undefined) {
        problems.unresolved(
          `${container.label}: capabilities`,
          unresolved,
          'set capabilities { drop = ["ALL"] } as a literal',
        );
        continue;
      }
      const drop = asStringList(capabilities?.drop);
      if (!drop.includes("ALL")) {
        problems.add(
          `${container.label}: capabilities.drop is ${show(capabilities?.drop)}, so it keeps the runtime's default capabilities (NET_RAW among them)`,
          'set capabilities { drop = ["ALL"] } in the container\'s security_context',
        );
      }
      const added = asStringList(capabilities?.add).filter((c) => c !== ALLOWED_ADDED_CAPABILITY);
      if (added.length > 0) {
        problems.add(
          `${container.label}: capabilities.add has ${added.join(", ")}; only ${ALLOWED_ADDED_CAPABILITY} may be added back`,
          `remove ${added.join(", ")} from capabilities.add`,
        );
      }
    }
    return problems.outcome();
  },
};
