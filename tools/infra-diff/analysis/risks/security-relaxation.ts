import type { RiskCheck } from "./risk-check.js";

/**
 * Each guardrail finding the head has and the base had not (the platform's rules run on
 * both synthesized sides), per service and rule: whatever a rule checks, and a rule added
 * later too, its new findings are relaxations here without a change to this file.
 */
export const securityRelaxations: RiskCheck = {
  kind: "security-relaxation",
  checks: "guardrail findings the head has and the base had not, on the same resource",
  check(environment) {
    return (environment.newFindings ?? []).map((found) => {
      const more = found.resources.length > 1 ? ` (and ${found.resources.length - 1} more of its resources)` : "";
      return {
        kind: "security-relaxation",
        code: found.failedBefore ? "changed-guardrail-finding" : "new-guardrail-finding",
        environment: environment.environment,
        service: found.service,
        resources: found.resources,
        reason: `guardrail ${found.rule} (${found.level}${found.suppression !== undefined ? ", suppressed" : ""}) ${found.failedBefore ? "still fails, and now reports" : "now reports"}: ${found.message}${more}`,
        change: {
          what: `guardrail ${found.rule} (${found.level}${found.suppression !== undefined ? ", suppressed" : ""})`,
          before: found.failedBefore ? "fails, reporting something else" : "passes",
          after: `fails: ${found.message}${more}`,
        },
      };
    });
  },
};
