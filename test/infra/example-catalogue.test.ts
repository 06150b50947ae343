import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../infra/app.js";
import { discoverServices } from "../../infra/discover-services.js";
import { ENVIRONMENT_NAMES, loadEnvironments } from "../../infra/environments.js";
import { ROOT } from "../support/cli.js";

describe("The example catalogue", () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  beforeAll(async () => {
    // GIVEN the services of this repository and the default settings WHEN synthesized
    const services = await discoverServices(ROOT);
    buildPlatformApp({ services, environments: loadEnvironments({}), outdir }).app.synth();
  });

  // One snapshot per environment, so that a reviewer sees every change to the output.
  it.each(ENVIRONMENT_NAMES)("THEN the %s stack matches its reviewed snapshot", async (environment) => {
    const stack = readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8");
    await expect(stack).toMatchFileSnapshot(`__snapshots__/${environment}.cdk.tf.json`);
  });
});
