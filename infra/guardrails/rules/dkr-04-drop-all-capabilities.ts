import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asStringList, block, firstUnresolved, show } from "../values.js";

/** A capability name as Docker reads it: case-insensitive, with or without CAP_. */
const normalized = (capability: string) => capability.toUpperCase().replace(/^CAP_/, "");

/**
 * DKR-04 (error): every container drops ALL capabilities and adds back none but
 * NET_BIND_SERVICE.
 * Anchor: CIS Docker Benchmark 5.4 (5.3 in older versions).
 */
export const dockerDropAllCapabilities: ResourceRule = {
  id: "DKR-04",
  level: "error",
  scope: "resource",
  checks: "containers drop ALL capabilities and add none but NET_BIND_SERVICE",
  anchor: "CIS Docker 5.4",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource) {
    const problems = new Problems();
    const capabilities = block(resource.values.capabilities);
    const unresolved = firstUnresolved(capabilities);
    if (unresolved !== undefined)
      return problems
        .unresolved("capabilities", unresolved, 'set capabilities { drop = ["ALL"] } as a literal')
        .outcome();
    if (!asStringList(capabilities?.drop).map(normalized).includes("ALL")) {
      problems.add(
        `capabilities.drop is ${show(capabilities?.drop)}, so the container keeps Docker's default capabilities (NET_RAW among them)`,
        'set capabilities { drop = ["ALL"] }',
      );
    }
    const added = asStringList(capabilities?.add).filter((c) => normalized(c) !== "NET_BIND_SERVICE");
    if (added.length > 0)
      problems.add(
        `capabilities.add has ${added.join(", ")}; only NET_BIND_SERVICE may be added back`,
        `remove ${added.join(", ")} from capabilities.add`,
      );
    return problems.outcome();
  },
};
