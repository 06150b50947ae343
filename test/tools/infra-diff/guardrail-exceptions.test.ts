import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  exceptionChanges,
  readGuardrailReports,
  readSpecSuppressions,
  type GuardrailExceptions,
} from "../../../tools/infra-diff/guardrail-exceptions.js";
import { copyRepository } from "../../support/repo-copy.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

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

function finding(
  rule: string,
  service: string | null,
  suppressed: boolean,
  reason: string | null = null,
  resource = `kubernetes_deployment_v1.kubernetes_${service}_workload_deployment_0123ABCD`,
) {
  return {
    rule,
    level: "warning",
    environment: "staging",
    service,
    resource,
    message: `${rule} is not met`,
    fix: "see the rule",
    suppressed,
    reason,
  };
}

describe("guardrail exceptions", () => {
  it("GIVEN guardrail reports on both sides WHEN compared THEN each rule newly suppressed or newly reported for a service is one risk", () => {
    const before: GuardrailExceptions = {
      suppressions: new Map(),
      findings: readGuardrailReports(
        outdirWith({ staging: [finding("K8S-16", "gateway", true, "single node cluster here")] }),
      ),
    };
    const after: GuardrailExceptions = {
      suppressions: new Map(),
      findings: readGuardrailReports(
        outdirWith({
          staging: [
            finding("K8S-16", "gateway", true, "single node cluster here"),
            finding("DKR-02", "orders", true, "writes its cache to the root file system", "docker_container.replica-1"),
            finding("DKR-02", "orders", true, "writes its cache to the root file system", "docker_container.replica-2"),
            finding("K8S-15", "catalog", false),
          ],
        }),
      ),
    };
    const { risks, newSuppressions } = exceptionChanges(before, after);
    expect(newSuppressions).toEqual([{ service: "orders", rule: "DKR-02", environment: "staging" }]);
    expect(risks.map((r) => [r.code, r.environment, r.service, r.resources, r.reason])).toEqual([
      [
        "new-suppression",
        "staging",
        "orders",
        ["docker_container.replica-1", "docker_container.replica-2"],
        'suppresses guardrail DKR-02: "writes its cache to the root file system"',
      ],
      [
        "new-guardrail-finding",
        "staging",
        "catalog",
        ["kubernetes_deployment_v1.kubernetes_catalog_workload_deployment_0123ABCD"],
        "guardrail K8S-15 (warning) now reports: K8S-15 is not met",
      ],
    ]);
  });

  it("GIVEN a side without a guardrail report WHEN compared THEN the suppressions the specs declare now and did not are the risks, for every environment", () => {
    const before: GuardrailExceptions = {
      suppressions: new Map([["orders", new Map([["K8S-16", "single node cluster here"]])]]),
      findings: new Map(),
    };
    const after: GuardrailExceptions = {
      suppressions: new Map([
        [
          "orders",
          new Map([
            ["K8S-16", "single node cluster here"],
            ["K8S-06", "writes its cache to the root file system"],
          ]),
        ],
      ]),
      findings: readGuardrailReports(
        outdirWith({ staging: [finding("K8S-06", "orders", true, "writes its cache to the root file system")] }),
      ),
    };
    const { risks, newSuppressions } = exceptionChanges(before, after);
    expect(newSuppressions).toEqual([{ service: "orders", rule: "K8S-06", environment: null }]);
    expect(risks.map((r) => [r.code, r.environment, r.service, r.reason])).toEqual([
      ["new-suppression", null, "orders", 'suppresses guardrail K8S-06: "writes its cache to the root file system"'],
    ]);
  });

  it("GIVEN a service whose spec suppresses a rule WHEN the specs of some services are read THEN their suppressions come with the reasons", async () => {
    const repo = copyRepository("infra-diff-specs-");
    folders.push(repo);
    writeFileSync(
      path.join(repo, "services", "catalog", "service.ts"),
      `import { defineService } from "../../infra/spec/index.js";\nexport default defineService({ name: "catalog", build: {}, port: 8080, guardrails: { suppress: [{ rule: "K8S-16", reason: "one node in this cluster" }] } });\n`,
    );
    const suppressions = await readSpecSuppressions(repo, ["catalog", "orders", "no-such-service"]);
    expect([...suppressions].map(([service, rules]) => [service, [...rules]])).toEqual([
      ["catalog", [["K8S-16", "one node in this cluster"]]],
      ["orders", []],
    ]);
  });

  it("GIVEN a synth output without a guardrail report WHEN read THEN there are no findings", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-no-guardrails-"));
    folders.push(outdir);
    expect(readGuardrailReports(outdir).size).toBe(0);
  });
});
