import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvironmentConfigError, loadEnvironments } from "../../infra/environments.js";
import { runCli } from "../support/cli.js";
import { scratchFolders } from "../support/scratch.js";
import { thrownBy } from "../support/thrown.js";

const { folder: scratch } = scratchFolders();

/** An S3 state backend whose bucket and region are not set. */
const S3_WITHOUT_BUCKET = { PLATFORM_STATE_BACKEND: "s3" };

describe("loadEnvironments: a setting fails only the environments that use it", () => {
  it("GIVEN PLATFORM_STATE_BACKEND=s3 without a bucket WHEN local alone is loaded THEN it loads, with its own file state", () => {
    const environments = loadEnvironments(S3_WITHOUT_BUCKET, ["local"]);
    expect(environments.map((e) => [e.name, e.backend])).toEqual([
      ["local", { type: "local", path: "terraform.local.tfstate" }],
    ]);
  });

  it("GIVEN the same setting WHEN staging, or every environment, is loaded THEN the missing bucket is refused naming exactly the environments that keep their state there", () => {
    const staging = thrownBy(() => loadEnvironments(S3_WITHOUT_BUCKET, ["staging"]));
    expect(staging).toBeInstanceOf(EnvironmentConfigError);
    expect((staging as Error).message).toBe(
      "environment variable PLATFORM_STATE_BUCKET is not set; accepted: a non-empty value when PLATFORM_STATE_BACKEND=s3, the state backend of staging (local keeps its state in a file and needs none)",
    );
    expect((thrownBy(() => loadEnvironments(S3_WITHOUT_BUCKET)) as Error).message).toContain(
      "the state backend of staging and production (local",
    );
  });

  it("GIVEN Kubernetes-only settings that are invalid (a state backend, a scrape mode, a Grafana URL) WHEN local alone is loaded THEN none of them is read", () => {
    for (const variables of [
      { PLATFORM_STATE_BACKEND: "consul" },
      { PLATFORM_SCRAPE: "sidecar" },
      { PLATFORM_GRAFANA_URL: "grafana" },
    ]) {
      expect(loadEnvironments(variables, ["local"]).map((e) => e.name)).toEqual(["local"]);
      expect(thrownBy(() => loadEnvironments(variables, ["production"]))).toBeInstanceOf(EnvironmentConfigError);
    }
  });

  it("GIVEN the environments named out of order WHEN loaded THEN they come in deploy order, with the settings they had when all were loaded", () => {
    const variables = { PLATFORM_STATE_BACKEND: "gcs", PLATFORM_STATE_BUCKET: "acme-tfstate" };
    const all = loadEnvironments(variables);
    expect(loadEnvironments(variables, ["production", "local"])).toEqual([all[0], all[2]]);
  });
});

describe("npm run synth with PLATFORM_STATE_BACKEND=s3 and no bucket", () => {
  const env = (outdir: string) => ({ ...process.env, ...S3_WITHOUT_BUCKET, CDKTF_OUTDIR: outdir });

  it("GIVEN no bucket WHEN `npm run synth -- local` runs THEN local is synthesized: it keeps no state in S3", async () => {
    const outdir = scratch("synth-s3-local-");
    const run = await runCli("tools/run-app.mjs", ["local"], { env: env(outdir) });
    expect(run.stderr).toMatch(/^synthesized local \(\d+ services\)/m);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(outdir, "stacks", "local", "cdk.tf.json"))).toBe(true);
  });

  it("GIVEN no bucket WHEN every environment is synthesized THEN it fails naming the variable and staging and production, and writes no stack", async () => {
    const outdir = scratch("synth-s3-all-");
    const run = await runCli("tools/run-app.mjs", [], { env: env(outdir) });
    expect(run.stderr).toBe(
      "synth failed:\nenvironment variable PLATFORM_STATE_BUCKET is not set; accepted: a non-empty value when PLATFORM_STATE_BACKEND=s3, the state backend of staging and production (local keeps its state in a file and needs none)\n",
    );
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });
});
