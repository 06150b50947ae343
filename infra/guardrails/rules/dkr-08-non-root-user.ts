import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { isUnresolved, show } from "../values.js";

/**
 * DKR-08 (error): every container runs as a non-root user, set explicitly (`user`;
 * unset means the image's user, root for most images).
 * Anchor: CIS Docker Benchmark 4.1.
 */
export const dockerNonRootUser: ResourceRule = {
  id: "DKR-08",
  level: "error",
  scope: "resource",
  checks: 'containers set user, and not root (uid 0): "10001:10001"',
  anchor: "CIS Docker 4.1",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const user = resource.values.user;
    const fix = 'set user = "10001:10001" (the uid the platform\'s images create)';
    if (isUnresolved(user)) problems.unresolved("user", user, fix);
    else if (typeof user !== "string" || user.trim() === "")
      problems.add(`user is ${show(user)}, so the container runs as the image's user, root for most images`, fix);
    else if (["0", "root"].includes(user.split(":")[0]!.trim()))
      problems.add(`user is ${show(user)}: the container runs as root`, fix);
    return problems.outcome();
  },
};
