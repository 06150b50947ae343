import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../infra/app.js";
import { discoverServices } from "../../infra/discover-services.js";
import { loadEnvironments } from "../../infra/environments.js";
import { STACK_NAMES } from "../../infra/stack-names.js";
import { ROOT } from "../support/cli.js";

describe("The example catalogue", () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  beforeAll(async () => {
    // GIVEN the services of this repository and the default settings WHEN synthesized
    const services = await discoverServices(ROOT);
    buildPlatformApp({ services, environments: loadEnvironments({}), outdir }).app.synth();
  });

  // One snapshot per stack (each environment's, and the add-ons stack of each Kubernetes
  // one), so that a reviewer sees every change to the output.
  it.each(STACK_NAMES)("THEN the %s stack matches its reviewed snapshot", async (stackName) => {
    const stack = readFileSync(path.join(outdir, "stacks", stackName, "cdk.tf.json"), "utf8");
    await expect(stack).toMatchFileSnapshot(`__snapshots__/${stackName}.cdk.tf.json`);
  });
});
