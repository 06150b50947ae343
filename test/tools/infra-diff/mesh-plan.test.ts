import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InfraDiffReport } from "../../../tools/infra-diff/report.js";
import { runCli } from "../../support/cli.js";
import { copyStack, manifestIn, meshStack, planBetween, type MeshStackJson } from "../../support/mesh-stacks.js";

/**
 * `npm run infra:diff` on the service mesh, run as a user runs it in CI: on the Terraform
 * plans of staging and production (`--plan <env>=<file>`, no cluster needed to read them).
 * The plans are written between the stacks the platform generates for a small catalogue
 * (test/support/mesh-stacks.ts), as `terraform plan` would print them.
 */

const CLI = "tools/infra-diff/cli.ts";
let dir: string;

function planFile(name: string, before: MeshStackJson, after: MeshStackJson): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(planBetween(before, after)));
  return file;
}

/** The JSON report and the Markdown comment of the same plans. */
async function run(plans: Record<string, string>): Promise<{ report: InfraDiffReport; markdown: string }> {
  const args = Object.entries(plans).flatMap(([environment, file]) => ["--plan", `${environment}=${file}`]);
  const [json, markdown] = await Promise.all([runCli(CLI, [...args, "--format", "json"]), runCli(CLI, args)]);
  expect(json.status, json.stderr).toBe(1);
  expect(markdown.status, markdown.stderr).toBe(1);
  return { report: JSON.parse(json.stdout) as InfraDiffReport, markdown: markdown.stdout };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-mesh-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run infra:diff -- --plan, on a service mesh", () => {
  it("GIVEN plans that turn the Istio mesh off in staging and production (PLATFORM_MESH istio -> none) WHEN diffed THEN each environment has one security relaxation, the Markdown lists it once for both, and no object is a risk of its own", async () => {
    const { report, markdown } = await run({
      staging: planFile("staging-off", meshStack("staging", "istio"), meshStack("staging", "none")),
      production: planFile("production-off", meshStack("production", "istio"), meshStack("production", "none")),
    });
    const mesh = report.risks.filter((r) => r.kind === "security-relaxation" || r.kind === "network-widening");
    expect(mesh.map((r) => [r.kind, r.code, r.environment, r.service, r.change])).toEqual(
      ["staging", "production"].map((environment) => [
        "security-relaxation",
        "mesh-removed",
        environment,
        null,
        { what: "service mesh", before: "istio", after: "none" },
      ]),
    );
    expect(markdown).toContain("**security-relaxation** (1; 2 across environments)");
    expect(markdown).toContain("| mesh-removed: service mesh | platform-wide | staging, production | istio | none |");
    expect(markdown).not.toContain("mesh-setting-relaxed");
  });

  it("GIVEN a staging plan that sets mTLS to PERMISSIVE and lets catalog call orders WHEN diffed THEN the JSON and the Markdown tables hold the same relaxation and widening, before -> after", async () => {
    const istio = meshStack("staging", "istio");
    const after = copyStack(istio);
    manifestIn(after, "PeerAuthentication", "default").spec.mtls.mode = "PERMISSIVE";
    manifestIn(after, "AuthorizationPolicy", "orders").spec.rules[0].from[0].source.principals.push(
      "cluster.local/ns/platform-staging/sa/catalog",
    );
    const { report, markdown } = await run({ staging: planFile("staging-relaxed", istio, after) });
    const risks = report.risks.filter((r) => r.kind === "security-relaxation" || r.kind === "network-widening");
    expect(risks.map((r) => [r.kind, r.code, r.environment, r.service, r.change])).toEqual([
      [
        "security-relaxation",
        "mesh-setting-relaxed",
        "staging",
        null,
        { what: "Istio PeerAuthentication default: mtls.mode", before: "STRICT", after: "PERMISSIVE" },
      ],
      [
        "network-widening",
        "new-mesh-source",
        "staging",
        "orders",
        {
          what: "Istio AuthorizationPolicy orders: principals cluster.local/ns/platform-staging/sa/catalog",
          before: "not let in",
          after: "let in: ports 8081",
        },
      ],
    ]);
    expect(markdown).toContain("**security-relaxation** (1)");
    expect(markdown).toContain("**network-widening** (1)");
    expect(markdown).toContain(
      "| mesh-setting-relaxed: Istio PeerAuthentication default: mtls.mode | platform-wide | staging | STRICT | PERMISSIVE |",
    );
    expect(markdown).toContain(
      "| new-mesh-source: Istio AuthorizationPolicy orders: principals cluster.local/ns/platform-staging/sa/catalog | orders | staging | not let in | let in: ports 8081 |",
    );
  });
});
