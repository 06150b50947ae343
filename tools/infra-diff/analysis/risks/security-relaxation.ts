import type { ProtectionLevel } from "../../mesh-facts.js";
import type { Risk } from "../../report.js";
import type { EnvironmentAnalysis } from "../environment.js";
import { serviceOfOwner } from "../environment.js";
import { removedMeshes } from "../meshes.js";
import type { RiskCheck } from "./risk-check.js";

/**
 * Each guardrail finding the head has and the base had not (the platform's rules run on
 * both synthesized sides), per service and rule: whatever a rule checks, and a rule added
 * later too, its new findings are relaxations here without a change to this file. Then
 * the service mesh: each setting that protects traffic (mesh-facts.ts: mutual TLS modes,
 * proxy injection, Linkerd's default inbound policy) whose head lets through what its base
 * did not, and a mesh turned off, once per environment.
 */
export const securityRelaxations: RiskCheck = {
  kind: "security-relaxation",
  checks:
    "guardrail findings the head has and the base had not, on the same resource; service mesh settings that let through more (mutual TLS, injection, default inbound policy), and a mesh turned off",
  check(environment) {
    const findings = (environment.newFindings ?? []).map((found): Risk => {
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
    return [...findings, ...meshRelaxations(environment)];
  },
};

/**
 * A mesh turned off (one risk for the environment, naming every object that goes), then
 * each protecting setting of a mesh still on whose head allows what its base did not: a
 * setting that is gone holds its `absent` level, a new one is compared with that level.
 */
function meshRelaxations(environment: EnvironmentAnalysis): Risk[] {
  const removed = removedMeshes(environment);
  const risks: Risk[] = removed.map(({ mesh, now, addresses }) => ({
    kind: "security-relaxation",
    code: "mesh-removed",
    environment: environment.environment,
    service: null,
    resources: addresses,
    reason: `the ${mesh} service mesh is turned off (now ${now}): its ${addresses.length} resources go, and with them what it enforced between the services (mutual TLS, authorization by workload identity, its proxies in the pods); the NetworkPolicies remain`,
    change: { what: "service mesh", before: mesh, after: now },
  }));
  const off = new Set(removed.map((r) => r.mesh));
  const owners = new Set([...environment.factsBefore.keys(), ...environment.factsAfter.keys()]);
  for (const owner of owners) {
    const before = environment.factsBefore.get(owner)?.meshProtections ?? new Map();
    const after = environment.factsAfter.get(owner)?.meshProtections ?? new Map();
    for (const what of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(what);
      const is = after.get(what);
      const protection = (is ?? was)!;
      // A service that goes takes its settings along: that is its removal, not a relaxation.
      if (off.has(protection.mesh) || (is === undefined && !environment.exists(owner))) continue;
      const from: ProtectionLevel = was ?? is!.absent;
      const to: ProtectionLevel = is ?? was!.absent;
      const gained = to.allows.filter((allowed) => !from.allows.includes(allowed));
      if (gained.length === 0) continue;
      risks.push({
        kind: "security-relaxation",
        code: "mesh-setting-relaxed",
        environment: environment.environment,
        service: serviceOfOwner(owner),
        resources: [protection.address],
        reason: `${what} goes from ${from.value} to ${to.value}: ${gained.join(", ")}`,
        change: { what, before: from.value, after: to.value },
      });
    }
  }
  return risks;
}
