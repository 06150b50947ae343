import { chmodSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./cli.js";

/** A shell program at `file` that appends `<name> <arguments>` to `log`, then runs `then` (default: exits 0). */
export function recordingStandIn(file: string, log: string, name: string, then = ""): void {
  writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${then}`);
  chmodSync(file, 0o755);
}

/**
 * Makes the node_modules/.bin/cdktf of a copy of the repository a recording stand-in (see
 * `recordingStandIn`; no Terraform, no Docker engine here); every other module is the
 * repository's own. Returns the copy.
 */
export function withStandInCdktf(copy: string, log: string, then = ""): string {
  const modules = path.join(copy, "node_modules");
  rmSync(modules);
  mkdirSync(path.join(modules, ".bin"), { recursive: true });
  const real = path.join(ROOT, "node_modules");
  for (const entry of readdirSync(real))
    if (entry !== ".bin") symlinkSync(path.join(real, entry), path.join(modules, entry));
  for (const entry of readdirSync(path.join(real, ".bin")))
    if (entry !== "cdktf") symlinkSync(path.join(real, ".bin", entry), path.join(modules, ".bin", entry));
  recordingStandIn(path.join(modules, ".bin", "cdktf"), log, "cdktf", then);
  return copy;
}
