import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeStableJson } from "./stable-json.js";

/** The file cdktf's `App.synth()` writes in the output folder, listing the stacks it wrote. */
export const MANIFEST_FILE = "manifest.json";

/** A stack's entry in the manifest; only its file is read here, the rest is kept as it is. */
interface ManifestStack {
  readonly synthesizedStackPath?: unknown;
  readonly [field: string]: unknown;
}

/** The manifest cdktf writes: its version and one entry per stack, by name. */
interface Manifest {
  readonly stacks: Record<string, ManifestStack>;
  readonly [field: string]: unknown;
}

/**
 * The stacks the manifest in `outdir` lists now, by name; none when there is no manifest
 * or it is not one (a later synth writes it whole again). Read before a synth that writes
 * some environments only, for {@link keepEarlierStacks}.
 */
export function readManifestStacks(outdir: string): Record<string, ManifestStack> {
  try {
    const manifest = JSON.parse(readFileSync(path.join(outdir, MANIFEST_FILE), "utf8")) as Partial<Manifest> | null;
    const stacks = manifest?.stacks;
    return typeof stacks === "object" && stacks !== null && !Array.isArray(stacks) ? stacks : {};
  } catch {
    return {};
  }
}

/**
 * Adds to the manifest cdktf just wrote in `outdir` (which lists only the stacks this
 * synth wrote) the `earlier` entries of the stacks named in `kept` that it does not list
 * and whose stack file is still there: a synth of `local` alone leaves staging's files as
 * they were, and the manifest still lists them (`cdktf deploy staging --skip-synth` reads
 * it). Written whole, to a temporary file renamed over it. Returns the names added.
 */
export function keepEarlierStacks(
  outdir: string,
  earlier: Record<string, ManifestStack>,
  kept: readonly string[],
): string[] {
  const file = path.join(outdir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  const added = kept.filter((name) => {
    const entry = earlier[name];
    if (entry === undefined || name in manifest.stacks) return false;
    const stackFile = entry.synthesizedStackPath;
    return typeof stackFile === "string" && existsSync(path.join(outdir, stackFile));
  });
  if (added.length === 0) return added;
  const stacks = { ...manifest.stacks };
  for (const name of added) stacks[name] = earlier[name]!;
  // The text cdktf writes (json-stable-stringify, two spaces), through a temporary file.
  writeStableJson(file, { ...manifest, stacks });
  return added;
}
