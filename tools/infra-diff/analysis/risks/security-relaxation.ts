import type { Risk } from "../../report.js";
import { serviceOfOwner } from "../environment.js";
import type { RiskCheck } from "./risk-check.js";

/** Security settings that were secure (or absent) and are not now. */
export const securityRelaxations: RiskCheck = {
  kind: "security-relaxation",
  checks: "security settings of a service's workloads that are no longer secure",
  check(environment) {
    const risks: Risk[] = [];
    for (const owner of environment.owners) {
      const before = environment.factsBefore.get(owner);
      const after = environment.factsAfter.get(owner);
      if (!after) continue;
      for (const [setting, now] of after.security) {
        if (now.secure) continue;
        const was = before?.security.get(setting);
        if (was && !was.secure) continue;
        risks.push({
          kind: "security-relaxation",
          code: "setting-weakened",
          environment: environment.environment,
          service: serviceOfOwner(owner),
          resources: [],
          reason: was ? `${setting} ${was.value} -> ${now.value}` : `${setting} is ${now.value}`,
        });
      }
    }
    return risks;
  },
};
