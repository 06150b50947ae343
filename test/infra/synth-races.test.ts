import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, startCli } from "../support/cli.js";
import { DEAD_PID, startIdleProcess, type IdleProcess } from "../support/processes.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();
const RACE = pathToFileURL(path.join(ROOT, "test/support/services-race.mjs")).href;

/**
 * A synth as `npm run synth` runs it, in `cwd`, writing to `outdir`, with services/ changed at the moment `race` says
 * (services-race.mjs).
 */
function synthWithRace(cwd: string, outdir: string, race: Record<string, string>) {
  return runCli("tools/run-app.mjs", [], {
    cwd,
    env: {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      NODE_OPTIONS: `--import=${RACE}`,
      SERVICES_RACE: JSON.stringify(race),
    },
  });
}

describe("npm run synth while another command changes services/", () => {
  it("GIVEN a service folder published (by new:service) after the synth compiled the app WHEN synthesized THEN it exits 1 naming the folder and saying to run it again, without a stack trace", async () => {
    const copy = removeLater(copyRepository("platform-synth-race-"));
    const outdir = scratch("synth-race-out-");
    const run = await synthWithRace(copy, outdir, {
      trigger: "/entry.js",
      copyFrom: path.join(copy, "services/orders"),
      copyTo: path.join(copy, "services/payments"),
    });
    expect(run.stderr).toBe(
      "synth failed: services/payments appeared after the synth had listed the services (and compiled them): another command (such as new:service or a git checkout) was changing services/. Run the synth again once it is done.\n",
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN a service folder that vanishes while the synth reads it (from the sources) WHEN synthesized THEN it exits 1 naming the folder and saying to run it again, without a stack trace", async () => {
    const copy = removeLater(copyRepository("platform-synth-race-"));
    const outdir = scratch("synth-race-out-");
    const run = await runCli("infra/main.ts", [], {
      cwd: copy,
      env: {
        ...process.env,
        CDKTF_OUTDIR: outdir,
        NODE_OPTIONS: `--import=${RACE}`,
        SERVICES_RACE: JSON.stringify({
          trigger: "/services/catalog/service.ts",
          remove: path.join(copy, "services/catalog"),
        }),
      },
    });
    expect(run.stderr).toBe(
      "synth failed: services/catalog vanished or was half-written while the synth read it: another command (such as new:service or a git checkout) was changing services/. Run the synth again once it is done.\n",
    );
    expect(run.status).toBe(1);
  });
});

describe("two synths into one output folder, and synths that were killed", () => {
  let running: IdleProcess;
  beforeAll(() => {
    running = startIdleProcess();
  });
  afterAll(() => running.stop());

  it("GIVEN a synth writing the output folder WHEN another one starts THEN it waits and writes nothing until the first is gone (here: killed, leaving its lock), then writes all of it", async () => {
    const outdir = scratch("synth-lock-out-");
    const holder = startIdleProcess();
    writeFileSync(path.join(outdir, ".synth.lock"), `${holder.pid}\n`);
    const synth = startCli("tools/run-app.mjs", [], { env: { ...process.env, CDKTF_OUTDIR: outdir } });
    await synth.outputMatching(
      new RegExp(
        `^synth: waiting for another synth \\(pid ${holder.pid}\\) writing ${outdir}; if none runs, remove ${outdir}/\\.synth\\.lock$`,
        "m",
      ),
    );
    expect(readdirSync(outdir)).toEqual([".synth.lock"]);

    await holder.stop();
    const run = await synth.finished;
    expect(run.stderr).toMatch(/^synthesized local, staging, production \(\d+ services\)/m);
    expect(run.status).toBe(0);
    expect(readdirSync(outdir).sort()).toEqual(["api", "guardrails", "manifest.json", "monitoring", "stacks"]);
    expect(readdirSync(path.join(outdir, "stacks")).sort()).toEqual([
      "addons-production",
      "addons-staging",
      "local",
      "production",
      "staging",
    ]);
  });

  it("GIVEN the temporary and previous folders and half-written stacks of a killed synth, and of a running one WHEN synthesized THEN the killed one's are removed, the running one's kept, and nothing else of the folder touched", async () => {
    const outdir = scratch("synth-leftovers-out-");
    // A leftover folder holds a file; a leftover stack is the file itself.
    const make = (leftover: string) => {
      const file =
        leftover.endsWith(".tmp") && leftover.startsWith("stacks/")
          ? leftover
          : path.join(leftover, "rules/orders.yml");
      mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
      writeFileSync(path.join(outdir, file), "half\n");
    };
    const killed = [
      `guardrails.tmp-${DEAD_PID}`,
      `guardrails.old-${DEAD_PID}`,
      `monitoring/staging.old-${DEAD_PID}`,
      `monitoring/local.tmp-${DEAD_PID}`,
      `stacks/production/cdk.tf.json.${DEAD_PID}.tmp`,
    ];
    const live = [`monitoring/staging.tmp-${running.pid}`, `stacks/staging/cdk.tf.json.${running.pid}.tmp`];
    // Names a synth never makes, with a number no process has: a user's (or Terraform's) own.
    const others = [`notes.old-${DEAD_PID}`, `stacks/production/plan.${DEAD_PID}.tmp`];
    [...killed, ...live, ...others].forEach(make);

    const run = await runCli("tools/run-app.mjs", [], { env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.status, run.stderr).toBe(0);
    expect(killed.filter((leftover) => existsSync(path.join(outdir, leftover)))).toEqual([]);
    expect(live.filter((leftover) => existsSync(path.join(outdir, leftover)))).toEqual(live);
    expect(others.filter((other) => existsSync(path.join(outdir, other)))).toEqual(others);
    expect(readdirSync(outdir).sort()).toEqual([
      "api",
      "guardrails",
      "manifest.json",
      "monitoring",
      `notes.old-${DEAD_PID}`,
      "stacks",
    ]);
  });
});
