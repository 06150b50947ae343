import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, block, isUnresolved, show } from "../values.js";

/**
 * K8S-06 (error): every container's root file system is read-only; the platform
 * mounts an emptyDir at /tmp for what must be written.
 * Anchor: kube-linter no-read-only-root-fs, Polaris, checkov CKV_K8S_22.
 */
export const readOnlyRootFilesystem: ResourceRule = {
  id: "K8S-06",
  level: "error",
  scope: "resource",
  checks: "containers set read_only_root_filesystem = true (writable paths are emptyDir volumes)",
  anchor: "kube-linter no-read-only-root-fs; Polaris; checkov CKV_K8S_22",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const value = block(container.values.security_context)?.read_only_root_filesystem;
      if (isUnresolved(value))
        problems.unresolved(
          `${container.label}: read_only_root_filesystem`,
          value,
          "set read_only_root_filesystem = true as a literal",
        );
      else if (asBoolean(value) !== true) {
        problems.add(
          `${container.label}: read_only_root_filesystem is ${show(value)}, so an intruder can change the image's files`,
          "set read_only_root_filesystem = true in the container's security_context and mount an emptyDir where it writes (/tmp)",
        );
      }
    }
    return problems.outcome();
  },
};
