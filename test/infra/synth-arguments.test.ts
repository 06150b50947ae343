import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSynthArguments } from "../../infra/synth-arguments.js";
import { ROOT, runCli } from "../support/cli.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch } = scratchFolders();

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe("npm run synth -- <environment> ... (infra/synth-arguments.ts)", () => {
  it("GIVEN an output folder holding staging's stack and report from an earlier synth WHEN `npm run synth -- local` runs THEN only local is synthesized and written, and staging's files are left as they were", async () => {
    const outdir = scratch("synth-local-only-");
    const staleStack = path.join(outdir, "stacks", "staging", "cdk.tf.json");
    const staleReport = path.join(outdir, "guardrails", "staging.json");
    mkdirSync(path.dirname(staleStack), { recursive: true });
    mkdirSync(path.dirname(staleReport), { recursive: true });
    writeFileSync(staleStack, '{"earlier":"synth"}\n');
    writeFileSync(staleReport, '{"earlier":"report"}\n');

    const run = await runCli("tools/run-app.mjs", ["local"], { env: { ...process.env, CDKTF_OUTDIR: outdir } });

    expect(run.stderr).toMatch(/^synthesized local \(\d+ services\) in \d+\.\d+s$/m);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^local +0 +0 +0$/m);
    expect(run.stderr).not.toMatch(/^(staging|production) +\d/m);
    const files = filesBelow(outdir);
    expect(files).toContain(path.join("stacks", "local", "cdk.tf.json"));
    expect(files).toContain(path.join("monitoring", "local", "prometheus.yml"));
    expect(files.filter((file) => file.startsWith(`stacks${path.sep}`))).toEqual([
      path.join("stacks", "local", "cdk.tf.json"),
      path.join("stacks", "staging", "cdk.tf.json"),
    ]);
    expect(
      files.filter((file) => file.startsWith(`monitoring${path.sep}`) && !file.includes(`${path.sep}local${path.sep}`)),
    ).toEqual([]);
    expect(readdirSync(path.join(outdir, "guardrails")).sort()).toEqual(["local.json", "staging.json"]);
    expect(readFileSync(staleStack, "utf8")).toBe('{"earlier":"synth"}\n');
    expect(readFileSync(staleReport, "utf8")).toBe('{"earlier":"report"}\n');
    // A spec override for production is no unknown environment in a synth of local alone.
    expect(readFileSync(path.join(ROOT, "services", "orders", "service.ts"), "utf8")).toContain("production:");
  });

  it("GIVEN an output folder of a full synth WHEN `npm run synth -- local` runs THEN manifest.json still lists every stack, staging's and production's (and their add-ons stacks') entries and files byte-identical to before", async () => {
    const outdir = scratch("synth-manifest-kept-");
    const env = { ...process.env, CDKTF_OUTDIR: outdir };
    const full = await runCli("tools/run-app.mjs", [], { env });
    expect(full.status, full.stderr).toBe(0);
    const manifestFile = path.join(outdir, "manifest.json");
    const before = JSON.parse(readFileSync(manifestFile, "utf8")) as { stacks: Record<string, unknown> };
    expect(Object.keys(before.stacks).sort()).toEqual([
      "addons-production",
      "addons-staging",
      "local",
      "production",
      "staging",
    ]);
    const stackFiles = ["addons-staging", "staging", "addons-production", "production"].map((name) =>
      path.join(outdir, "stacks", name, "cdk.tf.json"),
    );
    const stacksBefore = stackFiles.map((file) => readFileSync(file));

    const local = await runCli("tools/run-app.mjs", ["local"], { env });

    expect(local.stderr).toMatch(/^synthesized local \(\d+ services\)/m);
    expect(local.status).toBe(0);
    const after = JSON.parse(readFileSync(manifestFile, "utf8")) as { stacks: Record<string, unknown> };
    expect(Object.keys(after.stacks).sort()).toEqual(Object.keys(before.stacks).sort());
    expect(after.stacks["addons-staging"]).toEqual(before.stacks["addons-staging"]);
    expect(after.stacks.staging).toEqual(before.stacks.staging);
    expect(after.stacks.production).toEqual(before.stacks.production);
    for (const [i, file] of stackFiles.entries()) expect(readFileSync(file).equals(stacksBefore[i]!), file).toBe(true);
    // Written through a temporary file renamed over it: none is left.
    expect(readdirSync(outdir).filter((name) => name.startsWith("manifest.json."))).toEqual([]);
  });

  it("GIVEN an earlier manifest listing staging's stacks whose folders were since removed WHEN `npm run synth -- local` runs THEN the manifest lists local alone", async () => {
    const outdir = scratch("synth-manifest-gone-");
    const env = { ...process.env, CDKTF_OUTDIR: outdir };
    expect((await runCli("tools/run-app.mjs", ["local", "staging"], { env })).status).toBe(0);
    rmSync(path.join(outdir, "stacks", "staging"), { recursive: true });
    rmSync(path.join(outdir, "stacks", "addons-staging"), { recursive: true });

    const local = await runCli("tools/run-app.mjs", ["local"], { env });

    expect(local.status, local.stderr).toBe(0);
    const after = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, unknown>;
    };
    expect(Object.keys(after.stacks)).toEqual(["local"]);
  });

  it("GIVEN `npm run synth -- production staging` WHEN run THEN both are synthesized with their add-ons stacks, in deploy order, and local is not", async () => {
    const outdir = scratch("synth-two-");
    const run = await runCli("tools/run-app.mjs", ["production", "staging"], {
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect(run.stderr).toMatch(/^synthesized staging, production \(\d+ services\)/m);
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(outdir, "stacks")).sort()).toEqual([
      "addons-production",
      "addons-staging",
      "production",
      "staging",
    ]);
  });

  it("GIVEN an option or a name the synth does not know (--bogus, prod) WHEN run THEN it exits 2 naming each and what is accepted, and writes nothing", async () => {
    const outdir = scratch("synth-bogus-");
    const run = await runCli("tools/run-app.mjs", ["--bogus", "local", "prod"], {
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect(run.stderr.split("\n")[0]).toBe(
      'synth: "--bogus", "prod" are not accepted; accepted: environment names (local, staging, production) and --help',
    );
    expect(run.stderr).toContain("Usage: npm run synth");
    expect(run.status).toBe(2);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it("GIVEN --help WHEN asked THEN the README section it names for the settings exists in README.md by that name", async () => {
    const run = await runCli("tools/run-app.mjs", ["--help"]);
    expect(run.status).toBe(0);
    const named = [...run.stdout.matchAll(/README\.md, "([^"]+)"/g)].map((match) => match[1]);
    expect(named).toEqual(["Environments and state backends"]);
    const headings = readFileSync(path.join(ROOT, "README.md"), "utf8")
      .split("\n")
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => line.replace(/^#+ /, ""));
    for (const section of named) expect(headings).toContain(section);
  });
});

describe("parseSynthArguments", () => {
  it("GIVEN no argument, names in any order and repeated, -h, and an unknown one WHEN parsed THEN every environment, the named ones in deploy order, help, and a refusal", () => {
    expect(parseSynthArguments([])).toEqual({ kind: "synth", environments: ["local", "staging", "production"] });
    expect(parseSynthArguments(["production", "local", "production"])).toEqual({
      kind: "synth",
      environments: ["local", "production"],
    });
    expect(parseSynthArguments(["--bogus", "-h"])).toEqual({ kind: "help" });
    expect(parseSynthArguments(["Local"])).toEqual({
      kind: "refused",
      problem: '"Local" is not accepted; accepted: environment names (local, staging, production) and --help',
    });
  });
});
