import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironments } from "../../../infra/environments.js";
import type { StackJson } from "../../../infra/guardrails/synthesized-stack.js";
import { withGuardrailFindings } from "../../../tools/infra-diff/guardrail-findings.js";
import { snapshotOfStack } from "../../../tools/infra-diff/stack-snapshot.js";
import { ROOT } from "../../support/cli.js";

/** The reviewed snapshot of a stack. */
function snapshot(name: string): StackJson {
  return JSON.parse(readFileSync(path.join(ROOT, "test", "infra", "__snapshots__", `${name}.cdk.tf.json`), "utf8"));
}

describe("withGuardrailFindings: the add-ons stacks", () => {
  it("GIVEN the add-ons stack of staging as synthesized WHEN the diff checks it THEN the rules run on it, as synth runs them, and find nothing", () => {
    const json = snapshot("addons-staging");
    const checked = withGuardrailFindings(
      new Map([["addons-staging", snapshotOfStack("addons-staging", json)]]),
      undefined,
      loadEnvironments({}),
    );
    expect(checked.get("addons-staging")?.findings).toEqual([]);
  });

  it("GIVEN that stack with a state backend that does not lock WHEN checked THEN TF-01 finds it, under the stack's name", () => {
    const json = snapshot("addons-staging") as StackJson & { terraform: Record<string, unknown> };
    json.terraform = { ...json.terraform, backend: { local: { path: "addons.tfstate" } } };
    const findings = withGuardrailFindings(
      new Map([["addons-staging", snapshotOfStack("addons-staging", json)]]),
      undefined,
      loadEnvironments({}),
    ).get("addons-staging")?.findings;
    expect(findings?.map((f) => [f.rule, f.environment])).toEqual([["TF-01", "addons-staging"]]);
  });
});
