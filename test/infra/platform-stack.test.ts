import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../infra/app.js";
import { TerraformStack, withoutTokenTraces } from "../../infra/engine/cdk.js";
import { loadEnvironments } from "../../infra/environments.js";
import { exampleServices } from "../support/platform.js";

describe("PlatformStack", () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-stack-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("GIVEN every environment, with a stack-level override WHEN converted to Terraform JSON THEN the single-pass conversion equals cdktf's own", () => {
    const { stacks } = buildPlatformApp({ services: exampleServices(), environments: loadEnvironments({}), outdir });
    stacks[0]!.addOverride("terraform.required_version", ">= 1.5.0");
    for (const stack of stacks) {
      const ours = JSON.stringify(stack.toTerraform());
      const cdktfs = JSON.stringify(TerraformStack.prototype.toTerraform.call(stack));
      expect(ours).toEqual(cdktfs);
      expect(ours).toContain(`"stackName":"${stack.environment.name}"`);
    }
  });

  it("GIVEN token traces switched off WHEN an Error is created THEN it keeps its stack, and the switch is restored afterwards", () => {
    const capture = Error.captureStackTrace;
    const error = withoutTokenTraces(() => new Error("boom"));
    expect(error.stack).toContain("platform-stack.test.ts");
    expect(Error.captureStackTrace).toBe(capture);
  });
});
