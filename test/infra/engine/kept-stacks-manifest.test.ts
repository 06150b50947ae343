import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keepEarlierStacks, MANIFEST_FILE, readManifestStacks } from "../../../infra/engine/kept-stacks-manifest.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder: scratch } = scratchFolders();

/** A manifest entry as cdktf writes it, for the stack `name`. */
const entryOf = (name: string, note = "") => ({
  name,
  constructPath: name,
  synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
  annotations: note ? [{ level: "@cdktf/warn", message: note, constructPath: name }] : [],
});

/** GIVEN helper: an output folder with the stack files of `stacks` and a manifest listing `listed`. */
function outputFolder(stacks: readonly string[], listed: readonly string[]): string {
  const outdir = scratch("kept-stacks-");
  for (const name of stacks) {
    mkdirSync(path.join(outdir, "stacks", name), { recursive: true });
    writeFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "{}");
  }
  writeFileSync(
    path.join(outdir, MANIFEST_FILE),
    JSON.stringify({ version: "0.21.0", stacks: Object.fromEntries(listed.map((n) => [n, entryOf(n)])) }),
  );
  return outdir;
}

describe("keepEarlierStacks", () => {
  it("GIVEN earlier entries for staging (its file there), production (its file gone) and local (written again) WHEN kept for staging and production THEN staging alone is added and local is the new entry", () => {
    const outdir = outputFolder(["local", "staging"], ["local"]);
    const earlier = {
      local: entryOf("local", "old"),
      staging: entryOf("staging", "then"),
      production: entryOf("production"),
    };

    const added = keepEarlierStacks(outdir, earlier, ["staging", "production"]);

    expect(added).toEqual(["staging"]);
    const manifest = JSON.parse(readFileSync(path.join(outdir, MANIFEST_FILE), "utf8")) as {
      version: string;
      stacks: object;
    };
    expect(manifest.version).toBe("0.21.0");
    expect(manifest.stacks).toEqual({ local: entryOf("local"), staging: entryOf("staging", "then") });
    expect(readdirSync(outdir).sort()).toEqual([MANIFEST_FILE, "stacks"]);
  });

  it("GIVEN nothing to keep WHEN kept THEN the manifest cdktf wrote is not touched", () => {
    const outdir = outputFolder(["local"], ["local"]);
    const before = readFileSync(path.join(outdir, MANIFEST_FILE), "utf8");
    expect(keepEarlierStacks(outdir, {}, ["staging"])).toEqual([]);
    expect(readFileSync(path.join(outdir, MANIFEST_FILE), "utf8")).toBe(before);
  });
});

describe("readManifestStacks", () => {
  it("GIVEN no manifest, one that is not JSON, and one without stacks WHEN read THEN none is listed", () => {
    const outdir = scratch("earlier-manifest-");
    expect(readManifestStacks(outdir)).toEqual({});
    writeFileSync(path.join(outdir, MANIFEST_FILE), "{ half");
    expect(readManifestStacks(outdir)).toEqual({});
    writeFileSync(path.join(outdir, MANIFEST_FILE), "null");
    expect(readManifestStacks(outdir)).toEqual({});
  });
});
