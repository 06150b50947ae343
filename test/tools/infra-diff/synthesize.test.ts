import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Checkout } from "../../../tools/infra-diff/checkouts.js";
import { openSynthesisCache } from "../../../tools/infra-diff/synthesis-cache.js";
import { synthesize } from "../../../tools/infra-diff/synthesize.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();

/** A project whose app writes one stack and one guardrail report, as a synth does. */
function project(): string {
  const dir = folder("infra-diff-synthesize-");
  const app = `mkdir -p "$CDKTF_OUTDIR/stacks/local" "$CDKTF_OUTDIR/guardrails" && echo '{}' > "$CDKTF_OUTDIR/stacks/local/cdk.tf.json" && echo '{}' > "$CDKTF_OUTDIR/guardrails/local.json"`;
  writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ app }));
  mkdirSync(path.join(dir, "node_modules"));
  return dir;
}

function checkoutOf(projectRoot: string, stillHoldsCommit: boolean): Checkout {
  return {
    ref: "main",
    commit: "0123456789abcdef0123456789abcdef01234567",
    projectRoot,
    projectPrefix: "",
    stillHoldsCommit: () => stillHoldsCommit,
    dispose() {},
    release: async () => {},
  };
}

describe("synthesize (infra-diff)", () => {
  it("GIVEN a side whose folder no longer holds its commit's files after the synth WHEN synthesized with the cache THEN its output is used but not stored as the commit's", async () => {
    const gitDir = folder("infra-diff-git-");
    const synthesis = await synthesize(checkoutOf(project(), false), "base", openSynthesisCache(gitDir));
    expect(synthesis.cached).toBe(false);
    expect(existsSync(path.join(synthesis.outdir, "stacks", "local", "cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(gitDir, "infra-diff-cache"))).toBe(false);
    synthesis.dispose();
  });

  it("GIVEN a side that still holds its commit's files WHEN synthesized twice with the cache THEN the first is stored and the second comes from it", async () => {
    const gitDir = folder("infra-diff-git-");
    const root = project();
    const first = await synthesize(checkoutOf(root, true), "base", openSynthesisCache(gitDir));
    first.dispose();
    expect(readdirSync(path.join(gitDir, "infra-diff-cache"))).toHaveLength(1);
    const second = await synthesize(checkoutOf(root, true), "base", openSynthesisCache(gitDir));
    expect(second.cached).toBe(true);
  });
});
