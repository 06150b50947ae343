import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDON_CHARTS, CERT_MANAGER_VERSION } from "../../../infra/addons/charts.js";
import type { InfraDiffReport } from "../../../tools/infra-diff/report.js";
import { runCli, type CliRun } from "../../support/cli.js";
import { copyRepository, gitIn } from "../../support/repo-copy.js";

/**
 * A chart version bump is a reviewed change: `npm run infra:diff` in a git repository made
 * from this project, whose branch bumps cert-manager's pinned chart version in infra/addons/charts.ts.
 */

const BUMPED = "v1.18.99";
let repo: string;
let json: CliRun;
let text: CliRun;

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

beforeAll(async () => {
  // GIVEN a repository of this project, and a branch that bumps one chart version
  repo = copyRepository("infra-diff-addons-");
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "bump");
  const charts = path.join(repo, "infra", "addons", "charts.ts");
  const before = readFileSync(charts, "utf8");
  const after = before.replace(
    `CERT_MANAGER_VERSION = "${CERT_MANAGER_VERSION}"`,
    `CERT_MANAGER_VERSION = "${BUMPED}"`,
  );
  expect(after).not.toBe(before);
  writeFileSync(charts, after);
  git("commit", "-q", "-am", "cert-manager chart bumped");
  git("checkout", "-q", "main");
  // WHEN the diff runs, as JSON and as the pull request's comment
  json = await runCli("tools/infra-diff/cli.ts", ["--base", "main", "--head", "bump", "--format", "json"], {
    cwd: repo,
  });
  text = await runCli("tools/infra-diff/cli.ts", ["--base", "main", "--head", "bump"], { cwd: repo });
}, 600_000);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("npm run infra:diff: a chart version bump", () => {
  it("THEN it is one change of each add-ons stack, and none of the service stacks", () => {
    expect(json.status, json.output).toBe(1);
    const report = JSON.parse(json.stdout) as InfraDiffReport;
    expect(Object.keys(report.summary.environments)).toEqual([
      "local",
      "addons-staging",
      "staging",
      "addons-production",
      "production",
    ]);
    for (const stack of ["addons-staging", "addons-production"])
      expect(report.summary.environments[stack]).toMatchObject({ adds: 0, changes: 1, replacements: 0, destroys: 0 });
    for (const stack of ["local", "staging", "production"])
      expect(report.summary.environments[stack]).toMatchObject({ adds: 0, changes: 0, replacements: 0, destroys: 0 });
    const platform = report.services.find((s) => s.name === "platform");
    const changed = platform?.environments["addons-staging"] ?? [];
    expect(changed.map((r) => r.attributes.map((a) => [a.path, a.before, a.after]))).toEqual([
      [["version", ADDON_CHARTS["cert-manager"].version, BUMPED]],
    ]);
  });

  it("THEN the comment shows the old and the new version of the release, in each add-ons stack", () => {
    expect(text.status, text.output).toBe(1);
    for (const stack of ["addons-staging", "addons-production"])
      expect(text.stdout).toContain(`\`helm_release.cert-manager_release_27534094\` ${stack}/cert-manager/release`);
    expect(text.stdout).toContain(`\`version\`: \`${CERT_MANAGER_VERSION}\` → \`${BUMPED}\``);
  });
});
