import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asInteger, isUnresolved, show } from "../values.js";

/**
 * DKR-05 (error): every container has a memory limit (`memory`, MB) and a cpu limit
 * (`cpus`, or `cpu_quota`), from the spec's resources, so one runaway container
 * cannot starve the developer's machine.
 * Gap: CIS 5.29 also asks for a PIDs limit (`--pids-limit`); the Docker provider's
 * `docker_container` has no field for it, so neither the target nor this rule sets or
 * checks it.
 * Anchor: CIS Docker Benchmark 5.11, 5.12.
 */
export const dockerMemoryAndCpuLimits: ResourceRule = {
  id: "DKR-05",
  level: "error",
  scope: "resource",
  checks: "containers have a memory limit and a cpu limit (cpus or cpu_quota)",
  anchor: "CIS Docker 5.11, 5.12 (5.29 PIDs limit: no provider field)",
  gap: "PIDs limit (CIS 5.29): docker_container has no pids_limit field, so it is neither set nor checked",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const memory = resource.values.memory;
    if (isUnresolved(memory)) problems.unresolved("memory", memory, "set memory (MB) as a literal");
    else if ((asInteger(memory) ?? 0) <= 0)
      problems.add(
        `memory is ${show(memory)}, so the container may take all of the host's memory`,
        "set memory (MB) from the spec's resources (limits.memory)",
      );
    const cpus = resource.values.cpus;
    const quota = resource.values.cpu_quota;
    if (isUnresolved(cpus) || isUnresolved(quota))
      problems.unresolved("cpus", isUnresolved(cpus) ? cpus : quota, "set cpus as a literal");
    else if (!(Number(cpus) > 0) && !((asInteger(quota) ?? 0) > 0)) {
      problems.add(
        `cpus is ${show(cpus)} and cpu_quota is ${show(quota)}, so the container may take every core`,
        "set cpus from the spec's resources (limits.cpu)",
      );
    }
    return problems.outcome();
  },
};
