import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exceptionChanges, readGuardrailReports, type GuardrailExceptions } from "../../../tools/infra-diff/guardrail-exceptions.js";

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

/** A synth output folder with a guardrail report per environment, in the shape synth writes (infra/guardrails/report.ts). */
function outdirWith(reports: Record<string, Array<Record<string, unknown>>>): string {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-guardrails-"));
  folders.push(outdir);
  mkdirSync(path.join(outdir, "guardrails"));
  for (const [environment, findings] of Object.entries(reports)) {
    const report = { environment, rules: 35, errors: 0, warnings: 0, suppressed: 0, findings };
    writeFileSync(path.join(outdir, "guardrails", `${environment}.json`), JSON.stringify(report));
  }
  return outdir;
}

function finding(rule: string, service: string | null, suppressed: boolean, reason: string | null = null) {
  return { rule, level: "warning", environment: "staging", service, resource: `kubernetes_deployment_v1.kubernetes_${service}_workload_deployment_0123ABCD`, message: `${rule} is not met`, fix: "see the rule", suppressed, reason };
}

describe("guardrail exceptions", () => {
  it("GIVEN a new spec suppression and the report's new findings WHEN compared THEN each is a security relaxation once", () => {
    const before: GuardrailExceptions = {
      suppressions: new Map([["orders", new Map()]]),
      findings: readGuardrailReports(outdirWith({ staging: [finding("K8S-16", "gateway", true, "single node cluster here")] })),
    };
    const after: GuardrailExceptions = {
      suppressions: new Map([["orders", new Map([["K8S-06", "writes its cache to the root file system"]])]]),
      findings: readGuardrailReports(
        outdirWith({
          staging: [
            finding("K8S-16", "gateway", true, "single node cluster here"),
            finding("K8S-06", "orders", true, "writes its cache to the root file system"),
            finding("K8S-19", "catalog", true, "drains are manual here"),
            finding("K8S-15", "catalog", false),
          ],
        }),
      ),
    };
    const { risks, newSuppressions } = exceptionChanges(before, after);
    expect(newSuppressions).toEqual([{ service: "orders", rule: "K8S-06" }]);
    expect(risks.map((r) => [r.code, r.environment, r.service, r.reason])).toEqual([
      ["new-suppression", null, "orders", 'suppresses guardrail K8S-06: "writes its cache to the root file system"'],
      ["new-suppression", "staging", "catalog", 'guardrail K8S-19 is suppressed: "drains are manual here" (K8S-19 is not met)'],
      ["new-guardrail-finding", "staging", "catalog", "guardrail K8S-15 (warning) now reports: K8S-15 is not met"],
    ]);
  });

  it("GIVEN a synth output without a guardrail report WHEN read THEN there are no findings", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-no-guardrails-"));
    folders.push(outdir);
    expect(readGuardrailReports(outdir).size).toBe(0);
  });
});
