import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InfraDiffReport } from "../../../tools/infra-diff/report.js";
import { runCli, type CliRun } from "../../support/cli.js";
import { copyRepository, gitIn } from "../../support/repo-copy.js";

/**
 * The mesh objects the platform synthesizes, in review: `npm run infra:diff` with
 * PLATFORM_MESH=istio in a git repository made from this project, against two branches: one
 * adds a `dependsOn` edge (fulfilment calls catalog), one edits the platform's
 * PeerAuthentication down to PERMISSIVE. MESH-01 refuses that edit at synth (no suppression
 * covers a platform object), and infra:diff then reports the failed synth, not a diff: so the
 * branch also lowers MESH-01 to a warning, the one way such a relaxation reaches a review.
 */

let repo: string;
let edge: InfraDiffReport;
let permissive: InfraDiffReport;
let permissiveMarkdown: CliRun;

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

/** Writes `file` of the copy with `from` replaced by `to`, refusing a replacement that changes nothing. */
function edit(file: string, from: string, to: string): void {
  const full = path.join(repo, file);
  const before = readFileSync(full, "utf8");
  const after = before.replace(from, to);
  expect(after, `${file} has no ${from}`).not.toBe(before);
  writeFileSync(full, after);
}

const MESHED = { ...process.env, PLATFORM_MESH: "istio" };

beforeAll(async () => {
  // GIVEN a repository of this project, a branch that adds an edge and one that relaxes mutual TLS
  repo = copyRepository("infra-diff-mesh-");
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "edge");
  edit("services/fulfilment/service.ts", "dependsOn: [],", 'dependsOn: ["catalog"],');
  git("commit", "-q", "-am", "fulfilment calls catalog");
  git("checkout", "-q", "-b", "permissive", "main");
  edit(
    "infra/targets/kubernetes/mesh/istio-policies.ts",
    'spec: { mtls: { mode: "STRICT" } }',
    'spec: { mtls: { mode: "PERMISSIVE" } }',
  );
  edit("infra/guardrails/rules/mesh-01-strict-mutual-tls.ts", 'level: "error"', 'level: "warning"');
  git("commit", "-q", "-am", "mutual TLS permissive");
  git("checkout", "-q", "main");
  // WHEN the diff runs for each branch, in an environment whose mesh is Istio
  const run = (head: string, format: string[]) =>
    runCli("tools/infra-diff/cli.ts", ["--base", "main", "--head", head, ...format], { cwd: repo, env: MESHED });
  const [edgeJson, permissiveJson, markdown] = await Promise.all([
    run("edge", ["--format", "json"]),
    run("permissive", ["--format", "json"]),
    run("permissive", []),
  ]);
  expect(edgeJson.status, edgeJson.output).toBe(1);
  expect(permissiveJson.status, permissiveJson.output).toBe(1);
  edge = JSON.parse(edgeJson.stdout) as InfraDiffReport;
  permissive = JSON.parse(permissiveJson.stdout) as InfraDiffReport;
  permissiveMarkdown = markdown;
}, 600_000);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("npm run infra:diff with PLATFORM_MESH=istio", () => {
  it("GIVEN a new dependsOn THEN each Kubernetes environment has one new mesh source, the caller's principal on catalog's AuthorizationPolicy, beside the NetworkPolicy's new edge", () => {
    const risks = edge.risks.filter((r) => r.code === "new-mesh-source");
    expect(risks.map((r) => r.environment).sort()).toEqual(["production", "staging"]);
    for (const risk of risks) {
      expect(risk.service).toBe("catalog");
      expect(JSON.stringify(risk.change)).toContain(`sa/fulfilment`);
    }
    expect(edge.risks.filter((r) => r.code === "new-edge").length).toBeGreaterThan(0);
    expect(edge.risks.filter((r) => r.code === "mesh-setting-relaxed")).toEqual([]);
  });

  it("GIVEN the PeerAuthentication edited to PERMISSIVE THEN it is a security relaxation in staging and production, STRICT -> PERMISSIVE, in the JSON and in the comment's table", () => {
    const risks = permissive.risks.filter((r) => r.code === "mesh-setting-relaxed");
    expect(risks.map((r) => r.environment).sort()).toEqual(["production", "staging"]);
    for (const risk of risks) expect(risk.change).toMatchObject({ before: "STRICT", after: "PERMISSIVE" });
    expect(permissive.risks.filter((r) => r.code === "new-mesh-source")).toEqual([]);
    expect(permissiveMarkdown.status, permissiveMarkdown.output).toBe(1);
    expect(permissiveMarkdown.stdout).toMatch(/mesh-setting-relaxed.*STRICT.*PERMISSIVE/);
  });
});
