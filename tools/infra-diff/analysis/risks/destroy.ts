import { serviceOfOwner } from "../environment.js";
import { shortName } from "../resource-reports.js";
import type { RiskCheck } from "./risk-check.js";

/** Resources the change destroys, per owner, saying when the whole service goes. */
export const destroyRisks: RiskCheck = {
  kind: "destroy",
  checks: "resources destroyed, per service (and whether the service itself is removed)",
  check(environment) {
    return [...environment.owners].flatMap((owner) => {
      const destroyed = environment.changesOf(owner).filter((c) => c.action === "delete" && c.kind === "resource");
      if (destroyed.length === 0) return [];
      const what =
        destroyed.length === 1
          ? `${shortName(destroyed[0]!)} is destroyed`
          : `${destroyed.length} resources are destroyed: ${destroyed.map(shortName).join(", ")}`;
      const removed = environment.existed(owner) && !environment.exists(owner);
      return [
        {
          kind: "destroy",
          code: "destroy",
          environment: environment.environment,
          service: serviceOfOwner(owner),
          resources: destroyed.map((c) => c.address),
          reason: removed ? `the service is removed; ${what}` : what,
        },
      ];
    });
  },
};
