import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/** Temporary folders of one test file: `folder` makes one, `removeLater` adopts one made elsewhere. */
export interface ScratchFolders {
  folder(prefix: string): string;
  removeLater(dir: string): string;
}

/**
 * Temporary folders that are removed after the tests of the file that calls this (at its
 * top level, so that vitest registers the clean-up).
 */
export function scratchFolders(): ScratchFolders {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const removeLater = (dir: string) => {
    made.push(dir);
    return dir;
  };
  return { folder: (prefix) => removeLater(mkdtempSync(path.join(os.tmpdir(), prefix))), removeLater };
}
