import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, isUnresolved, show } from "../values.js";

const HOST_MODES = [
  ["network_mode", "the host's network stack"],
  ["pid_mode", "the host's processes"],
  ["ipc_mode", "the host's shared memory"],
  ["userns_mode", "the host's user namespace (root in the container is root on the host)"],
] as const;

/**
 * DKR-01 (error): no container is privileged, and none shares the host's network,
 * process, IPC or user namespace (`*_mode = "host"`). Unset is compliant: Docker's
 * defaults isolate all four.
 * Anchor: CIS Docker Benchmark 5.5, 5.10, 5.16, 5.17 (and 5.31 for userns).
 */
export const dockerNoPrivilegedOrHostNamespaces: ResourceRule = {
  id: "DKR-01",
  level: "error",
  scope: "resource",
  checks: 'containers are not privileged; network_mode, pid_mode, ipc_mode, userns_mode not "host"',
  anchor: "CIS Docker 5.5, 5.10, 5.16, 5.17",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const privileged = resource.values.privileged;
    if (isUnresolved(privileged))
      problems.unresolved("privileged", privileged, "remove privileged (or set it to false)");
    else if (privileged !== undefined && privileged !== null && asBoolean(privileged) !== false) {
      problems.add(
        `privileged is ${show(privileged)}, which gives the container every capability and the host's devices`,
        "remove privileged (or set it to false)",
      );
    }
    for (const [field, what] of HOST_MODES) {
      const mode = resource.values[field];
      if (isUnresolved(mode)) problems.unresolved(field, mode, `remove ${field}`);
      else if (mode === "host") problems.add(`${field} is "host", so the container shares ${what}`, `remove ${field}`);
    }
    return problems.outcome();
  },
};
