import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, isUnresolved, show } from "../values.js";

/**
 * DKR-02 (error): every container's root file system is read-only (`read_only = true`;
 * the provider defaults it to false), with a tmpfs where it must write (/tmp).
 * Anchor: CIS Docker Benchmark 5.13.
 */
export const dockerReadOnlyRootFilesystem: ResourceRule = {
  id: "DKR-02",
  level: "error",
  scope: "resource",
  checks: "containers set read_only = true (the provider defaults it to false; writable paths are tmpfs)",
  anchor: "CIS Docker 5.13",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const value = resource.values.read_only;
    if (isUnresolved(value)) problems.unresolved("read_only", value, "set read_only = true as a literal");
    else if (asBoolean(value) !== true) {
      problems.add(
        `read_only is ${show(value)}${value === undefined ? " (the provider defaults it to false)" : ""}, so an intruder can change the image's files`,
        'set read_only = true and mount a tmpfs where the container writes (tmpfs = { "/tmp" = "rw,noexec,nosuid,nodev,size=64m" })',
      );
    }
    return problems.outcome();
  },
};
