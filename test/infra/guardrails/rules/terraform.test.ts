import { describe, expect, it } from "vitest";
import { lockingStateBackend } from "../../../../infra/guardrails/rules/tf-01-locking-state-backend.js";
import { guardrailsFixture } from "../../../support/guardrails.js";

const S3 = { PLATFORM_STATE_BACKEND: "s3", PLATFORM_STATE_BUCKET: "acme-tfstate", PLATFORM_STATE_REGION: "eu-west-1" };

describe("TF-01: shared environments lock their state", () => {
  it.each([
    ["kubernetes", {}],
    ["s3", S3],
    ["gcs", { PLATFORM_STATE_BACKEND: "gcs", PLATFORM_STATE_BUCKET: "acme-tfstate" }],
    ["pg", { PLATFORM_STATE_BACKEND: "pg" }],
  ])("GIVEN the %s backend WHEN TF-01 checks staging THEN it is compliant", (_name, variables) => {
    expect(guardrailsFixture("staging", undefined, variables).outcome(lockingStateBackend, "")).toEqual({
      status: "compliant",
    });
  });

  it("GIVEN the local environment WHEN TF-01 checks it THEN it does not apply (the developer's own state file)", () => {
    expect(guardrailsFixture("local").outcome(lockingStateBackend, "")).toEqual({ status: "not-applicable" });
  });

  it("GIVEN the s3 backend with its lock file turned off WHEN checked THEN TF-01 reports it", () => {
    const fixture = guardrailsFixture("production", undefined, S3);
    fixture.stack.addOverride("terraform.backend.s3.use_lockfile", false);
    expect(fixture.findingsOf("TF-01")).toEqual([
      {
        rule: "TF-01",
        level: "error",
        resource: "terraform",
        message: "the s3 backend locks nothing: use_lockfile is not true and there is no dynamodb_table",
      },
    ]);
  });

  it("GIVEN a shared environment moved to a local backend WHEN checked THEN TF-01 reports it", () => {
    const fixture = guardrailsFixture("staging");
    fixture.stack.addOverride("terraform.backend", { kubernetes: undefined, local: { path: "staging.tfstate" } });
    expect(fixture.findingsOf("TF-01")).toEqual([
      {
        rule: "TF-01",
        level: "error",
        resource: "terraform",
        message: "the local backend does not lock the state of a shared environment",
      },
    ]);
  });
});
