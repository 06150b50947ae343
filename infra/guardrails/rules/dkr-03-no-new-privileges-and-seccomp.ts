import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asStringList, firstUnresolved } from "../values.js";

/** The spellings Docker accepts for turning no-new-privileges on. */
const NO_NEW_PRIVILEGES = /^no-new-privileges(?:[:=]true)?$/;
const SECCOMP_UNCONFINED = /^seccomp[:=]unconfined$/;

/**
 * DKR-03 (error): every container runs with `no-new-privileges` (a process cannot gain
 * privileges through setuid binaries) and keeps Docker's seccomp profile (no
 * `seccomp=unconfined`).
 * Anchor: CIS Docker Benchmark 5.26, 5.22.
 */
export const dockerNoNewPrivilegesAndSeccomp: ResourceRule = {
  id: "DKR-03",
  level: "error",
  scope: "resource",
  checks: "security_opts has no-new-privileges and no seccomp=unconfined",
  anchor: "CIS Docker 5.26, 5.22",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const unresolved = firstUnresolved(resource.values.security_opts);
    if (unresolved !== undefined)
      return problems
        .unresolved("security_opts", unresolved, 'set security_opts = ["no-new-privileges:true"] as literals')
        .outcome();
    const options = asStringList(resource.values.security_opts).map((o) => o.trim());
    if (!options.some((o) => NO_NEW_PRIVILEGES.test(o))) {
      problems.add(
        "security_opts lacks no-new-privileges, so a process can gain privileges through setuid binaries",
        'add "no-new-privileges:true" to security_opts',
      );
    }
    for (const option of options.filter((o) => SECCOMP_UNCONFINED.test(o))) {
      problems.add(
        `security_opts has ${option}, so the container's system calls are not filtered`,
        `remove ${option} from security_opts`,
      );
    }
    return problems.outcome();
  },
};
