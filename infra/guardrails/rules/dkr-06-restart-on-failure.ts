import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asInteger, isUnresolved, show } from "../values.js";

/** The most restarts CIS allows before a crashing container stays down. */
export const MAX_RESTARTS = 5;

/**
 * DKR-06 (error): every container restarts on failure, at most 5 times (the provider
 * defaults `restart` to "no"): it comes back after a crash, and a crash loop stops
 * instead of hiding behind endless restarts.
 * Anchor: CIS Docker Benchmark 5.15.
 */
export const dockerRestartOnFailure: ResourceRule = {
  id: "DKR-06",
  level: "error",
  scope: "resource",
  checks: `restart = "on-failure" with max_retry_count 1 to ${MAX_RESTARTS} (the provider defaults restart to "no")`,
  anchor: "CIS Docker 5.15",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const restart = resource.values.restart;
    const retries = resource.values.max_retry_count;
    const fix = `set restart = "on-failure" and max_retry_count = ${MAX_RESTARTS}`;
    if (isUnresolved(restart) || isUnresolved(retries))
      return problems.unresolved("restart / max_retry_count", isUnresolved(restart) ? restart : retries, fix).outcome();
    if (restart !== "on-failure") {
      problems.add(
        `restart is ${show(restart)}${restart === undefined ? ' (the provider defaults it to "no")' : ""}, not "on-failure"`,
        fix,
      );
    } else {
      const count = asInteger(retries) ?? 0;
      if (count < 1 || count > MAX_RESTARTS)
        problems.add(
          `max_retry_count is ${show(retries)}; a crashing container restarts ${count < 1 ? "for ever" : `${count} times`}`,
          fix,
        );
    }
    return problems.outcome();
  },
};
