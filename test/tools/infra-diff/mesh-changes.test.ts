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
 * DestinationRules from Istio's mutual TLS down to TLS without a client certificate, and one
 * edits its PeerAuthentication down to PERMISSIVE, which guardrail MESH-01 refuses at synth.
 */

let repo: string;
let edge: InfraDiffReport;
let simple: InfraDiffReport;
let simpleMarkdown: CliRun;
let permissive: CliRun;
let edgeRun: CliRun;

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
  git("checkout", "-q", "-b", "simple-tls", "main");
  edit("infra/targets/kubernetes/mesh/istio-policies.ts", 'tls: { mode: "ISTIO_MUTUAL" }', 'tls: { mode: "SIMPLE" }');
  git("commit", "-q", "-am", "TLS without client certificates");
  git("checkout", "-q", "-b", "permissive", "main");
  edit(
    "infra/targets/kubernetes/mesh/istio-policies.ts",
    'spec: { mtls: { mode: "STRICT" } }',
    'spec: { mtls: { mode: "PERMISSIVE" } }',
  );
  git("commit", "-q", "-am", "mutual TLS permissive");
  git("checkout", "-q", "main");
  // WHEN the diff runs for each branch, in an environment whose mesh is Istio
  const run = (head: string, format: string[]) =>
    runCli("tools/infra-diff/cli.ts", ["--base", "main", "--head", head, ...format], { cwd: repo, env: MESHED });
  // One diff first: it synthesizes main and simple-tls and caches both (.git/infra-diff-cache).
  // The three after it, side by side, synthesize only the heads they alone have (edge,
  // permissive): four synths in all, not the eight of four diffs started together.
  const simpleJson = await run("simple-tls", ["--format", "json"]);
  const [edgeJson, markdown, permissiveRun] = await Promise.all([
    run("edge", ["--format", "json"]),
    run("simple-tls", []),
    run("permissive", []),
  ]);
  edgeRun = edgeJson;
  expect(edgeJson.status, edgeJson.output).toBe(1);
  expect(simpleJson.status, simpleJson.output).toBe(1);
  edge = JSON.parse(edgeJson.stdout) as InfraDiffReport;
  simple = JSON.parse(simpleJson.stdout) as InfraDiffReport;
  simpleMarkdown = markdown;
  permissive = permissiveRun;
}, 600_000);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("npm run infra:diff with PLATFORM_MESH=istio", () => {
  it("GIVEN main and simple-tls synthesized by the first diff WHEN the next diffs run THEN they take them from the cache", () => {
    expect(simpleMarkdown.stderr).toContain("(base from the cache, head from the cache)");
    expect(edgeRun.stderr).toContain("(base from the cache, head ");
    expect(edgeRun.stderr).not.toContain("head from the cache");
  });

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

  it("GIVEN the DestinationRules edited from ISTIO_MUTUAL to SIMPLE THEN it is a security relaxation of each called service in staging and production, in the JSON and in the comment's table", () => {
    const risks = simple.risks.filter((r) => r.code === "mesh-setting-relaxed");
    expect(new Set(risks.map((r) => r.environment))).toEqual(new Set(["staging", "production"]));
    expect(new Set(risks.map((r) => r.service))).toEqual(new Set(["catalog", "orders"]));
    for (const risk of risks) expect(risk.change).toMatchObject({ before: "ISTIO_MUTUAL", after: "SIMPLE" });
    expect(simple.risks.filter((r) => r.code === "new-mesh-source")).toEqual([]);
    expect(simpleMarkdown.status, simpleMarkdown.output).toBe(1);
    expect(simpleMarkdown.stdout).toMatch(/mesh-setting-relaxed.*ISTIO_MUTUAL.*SIMPLE/);
  });

  it("GIVEN the PeerAuthentication edited to PERMISSIVE THEN the head does not synthesize: guardrail MESH-01 refuses it in staging and production, and infra:diff says the head's synth failed", () => {
    expect(permissive.status, permissive.output).not.toBe(0);
    expect(permissive.status, permissive.output).not.toBe(1);
    expect(permissive.output).toContain("synth of the head (permissive");
    for (const environment of ["staging", "production"])
      expect(permissive.output).toMatch(new RegExp(`MESH-01 error ${environment} .*sets mtls.mode PERMISSIVE`));
  });
});
