import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { blocks, isUnresolved, show } from "../values.js";

/** Host paths no container may mount (CIS 5.5), and anything below them. */
const SYSTEM_PATHS = ["/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var/run", "/run", "/var/lib/docker"];

/** Why a host path must not be mounted, or undefined when it may be. */
function forbiddenHostPath(path: string): string | undefined {
  const normalized = path.replace(/\/+$/, "") || "/";
  if (normalized.endsWith("docker.sock")) return "the Docker socket, which is root on the host";
  if (normalized === "/") return "the host's root file system";
  const system = SYSTEM_PATHS.find((p) => normalized === p || normalized.startsWith(`${p}/`));
  return system ? `a system path of the host (${system})` : undefined;
}

/**
 * DKR-09 (error): no container mounts the Docker socket or a system path of the host
 * (/, /boot, /dev, /etc, /lib, /proc, /sys, /usr, /run, /var/run, /var/lib/docker),
 * through `volumes` or bind `mounts`, and none gets a host device (`devices`).
 * Anchor: CIS Docker Benchmark 5.6 (5.5 in older versions), 5.31.
 */
export const dockerNoHostPathsOrDevices: ResourceRule = {
  id: "DKR-09",
  level: "error",
  scope: "resource",
  checks: "no docker.sock or system path mounted (volumes, bind mounts); no devices",
  anchor: "CIS Docker 5.6, 5.31",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const hostPaths = [
      ...blocks(resource.values.volumes).map((v) => ({
        path: v.host_path,
        where: `volume at ${show(v.container_path)}`,
      })),
      ...blocks(resource.values.mounts)
        .filter((m) => m.type === "bind")
        .map((m) => ({ path: m.source, where: `bind mount at ${show(m.target)}` })),
    ];
    for (const { path, where } of hostPaths) {
      if (isUnresolved(path))
        problems.unresolved(
          `${where}: host path`,
          path,
          "give the host path as a literal, or use a named volume or a tmpfs",
        );
      else if (typeof path === "string") {
        const reason = forbiddenHostPath(path);
        if (reason)
          problems.add(
            `${where} mounts ${path}, ${reason}`,
            "remove the mount; use a named volume or a tmpfs for data",
          );
      }
    }
    for (const device of blocks(resource.values.devices)) {
      problems.add(`devices gives the container the host device ${show(device.host_path)}`, "remove the device");
    }
    return problems.outcome();
  },
};
