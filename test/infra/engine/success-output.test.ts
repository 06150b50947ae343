import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { synthOutput } from "../../../infra/engine/success-output.js";
import { ROOT } from "../../support/cli.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();

/** The real `cdktf synth` of one environment into a folder of its own; resolves with all it printed. */
function cdktfSynth(environment: string): Promise<{ status: number | null; output: string }> {
  const out = folder("cdktf-synth-out-");
  const cliConfig = path.join(folder("cdktf-synth-home-"), "empty.tfrc");
  writeFileSync(cliConfig, "");
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "cdktf"),
      ["synth", "--app", `node tools/run-app.mjs ${environment}`, "--output", out],
      {
        cwd: ROOT,
        // An empty CLI configuration: terraform's complaint about a missing one is no concern here.
        env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", NO_COLOR: "1", TF_CLI_CONFIG_FILE: cliConfig },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
  });
}

describe("the synth run by the cdktf CLI", () => {
  it("GIVEN staging, which synthesizes with warnings and no guardrail error WHEN cdktf synth runs the app THEN no line is an [ERROR]: the summary and the synthesized line are plain, the warnings are cdktf's WARN", async () => {
    const run = await cdktfSynth("staging");
    expect(run.status, run.output).toBe(0);
    // Before: "[ERROR] default - guardrails (40 rules) ...", "[ERROR] default - synthesized staging ...",
    // "[ERROR] default - warning: staging: PLATFORM_KUBE_API_CIDR is not set ...".
    expect(run.output).not.toContain("[ERROR]");
    expect(run.output).toMatch(/^guardrails \(\d+ rules\)\s+errors\s+warnings\s+suppressed$/m);
    expect(run.output).toMatch(/^synthesized staging \(\d+ services\) in \d+\.\d+s$/m);
    expect(run.output).toContain("WARN [staging/kubernetes]: staging: PLATFORM_KUBE_API_CIDR is not set");
  });
});

describe("synthOutput: where each kind of line goes", () => {
  it("GIVEN the variables the cdktf CLI sets WHEN a warning that is no annotation is printed (a cycle, a folder left out) THEN it goes to stdout, which cdktf shows as it is, not as an [ERROR]", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      synthOutput({ SYNTH_HCL_OUTPUT: "false", CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" }).warning(
        "warning: w",
      );
      synthOutput({}).warning("warning: by npm run synth");
      expect(log.mock.calls).toEqual([["warning: w"]]);
      expect(error.mock.calls).toEqual([["warning: by npm run synth"]]);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
