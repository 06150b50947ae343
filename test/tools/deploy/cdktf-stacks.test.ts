import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../infra/app.js";
import { withoutTokenTraces } from "../../../infra/engine/cdk.js";
import { ENVIRONMENT_NAMES, loadEnvironments } from "../../../infra/environments.js";
import { cdktfStacks } from "../../../tools/deploy/cdktf-stacks.js";
import { ROOT } from "../../support/cli.js";
import { exampleServices } from "../../support/platform.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();

/**
 * A project folder holding staging's synthesized stacks (its add-ons stack and its own)
 * and a stand-in terraform on PATH that records in which stack folder it ran what, answers
 * `version`, and fails everything else: the real cdktf 0.21 CLI then shows which stack it
 * starts with, and stops there.
 */
function projectWithStagingSynthesized(): { project: string; calls: string; bin: string } {
  const project = folder("cdktf-stacks-project-");
  withoutTokenTraces(() =>
    buildPlatformApp({
      services: exampleServices(),
      environments: loadEnvironments({}, ["staging"]),
      knownEnvironments: ENVIRONMENT_NAMES,
      outdir: path.join(project, "out"),
    }).app.synth(),
  );
  writeFileSync(
    path.join(project, "cdktf.json"),
    JSON.stringify({ app: "false", language: "typescript", output: "out" }),
  );
  const bin = folder("cdktf-stacks-bin-");
  const calls = path.join(bin, "calls");
  writeFileSync(
    path.join(bin, "terraform"),
    `#!/bin/sh\necho "$(basename "$PWD") $*" >> "${calls}"\ncase "$1" in\n  version) echo '{"terraform_version":"1.11.0","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}';;\n  *) exit 1;;\nesac\n`,
  );
  chmodSync(path.join(bin, "terraform"), 0o755);
  return { project, calls, bin };
}

/** The real cdktf CLI of this repository, deploying `stacks` of the synthesized output without a synth. */
function cdktfDeploy(
  project: string,
  bin: string,
  stacks: readonly string[],
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "cdktf"),
      ["deploy", ...stacks, "--skip-synth", "--auto-approve"],
      {
        cwd: project,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CHECKPOINT_DISABLE: "1", CI: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe("cdktfStacks: the stacks npm run deploy and destroy name to cdktf", () => {
  it("GIVEN a Kubernetes environment WHEN deployed THEN its add-ons stack and its own, in that order; GIVEN local THEN local alone; WHEN destroyed THEN the service stack alone (the add-ons stay)", () => {
    expect(cdktfStacks("deploy", "staging")).toEqual(["addons-staging", "staging"]);
    expect(cdktfStacks("deploy", "production")).toEqual(["addons-production", "production"]);
    expect(cdktfStacks("deploy", "local")).toEqual(["local"]);
    expect(cdktfStacks("destroy", "staging")).toEqual(["staging"]);
  });

  it("GIVEN staging synthesized WHEN the real cdktf 0.21 deploys staging alone THEN it refuses (its dependency is not selected); WHEN it deploys the stacks cdktfStacks names THEN it starts with the add-ons stack", async () => {
    const { project, calls, bin } = projectWithStagingSynthesized();
    const alone = await cdktfDeploy(project, bin, ["staging"]);
    expect(alone.code).not.toBe(0);
    expect(alone.output).toContain("The following dependencies are not included in the stacks to run: addons-staging");
    expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").not.toMatch(/ init/);

    const both = await cdktfDeploy(project, bin, cdktfStacks("deploy", "staging"));
    expect(both.output).not.toContain("dependencies are not included");
    // The stand-in terraform fails the first init: cdktf stopped there, before the service stack.
    const inits = readFileSync(calls, "utf8")
      .split("\n")
      .filter((line) => / init\b/.test(line));
    expect(inits.map((line) => line.split(" ")[0])).toEqual(["addons-staging"]);
    expect(both.code).not.toBe(0);
  });
});
