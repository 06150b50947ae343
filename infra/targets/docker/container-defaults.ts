import type { ContainerConfig } from "@cdktf/provider-docker/lib/container/index.js";

/**
 * What every container the local target runs shares, a service's replica or a database:
 * the hardening the image does not need to give up (no capabilities, no new privileges,
 * not privileged), and how the engine keeps it (restarted on failure five times at most,
 * running and healthy before Terraform goes on, logs rotated). Each container adds what
 * is its own: its user, root file system, limits, healthcheck and stop settings. Made
 * anew for each container: an adjustment that changes one container's lists changes
 * that container only.
 */
export function localContainerDefaults() {
  return {
    capabilities: { drop: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    privileged: false,
    restart: "on-failure",
    maxRetryCount: 5,
    mustRun: true,
    wait: true,
    waitTimeout: 120,
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
  } satisfies Partial<ContainerConfig>;
}
