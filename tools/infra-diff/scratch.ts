import { accessSync, constants, statfsSync, statSync } from "node:fs";
import os from "node:os";

/**
 * Where the diff puts its temporary worktrees and synthesized outputs. Creating files
 * is what a large diff spends its system time on (a 500-service revision: 1,500 files
 * checked out, 4,500 files synthesized, on each side); in memory that is several times
 * cheaper than on a disk. So a RAM-backed folder is used when there is one with room to
 * spare, else the system's temporary folder. INFRA_DIFF_SCRATCH names another folder
 * (one that must exist): for a small /dev/shm, or to keep runs apart.
 */

/** RAM-backed folders tried first (Linux mounts one at /dev/shm). */
export const RAM_FOLDERS: readonly string[] = ["/dev/shm"];

/**
 * Free space a RAM folder must have to be used: a 500-service diff keeps about 200 MB
 * there while it runs, and the memory is shared with the two synths.
 */
export const RAM_FOLDER_MIN_FREE_BYTES = 2 * 1024 ** 3;

let chosen: string | undefined;

/** The folder for temporary files of this run (see the module comment); chosen once. */
export function scratchRoot(): string {
  chosen ??= process.env.INFRA_DIFF_SCRATCH || chooseScratchRoot(RAM_FOLDERS, RAM_FOLDER_MIN_FREE_BYTES);
  return chosen;
}

/** The first candidate that is a writable folder with `minFreeBytes` free, or the system's temporary folder. */
export function chooseScratchRoot(candidates: readonly string[], minFreeBytes: number): string {
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isDirectory()) continue;
      accessSync(candidate, constants.W_OK);
      const space = statfsSync(candidate);
      if (space.bavail * space.bsize >= minFreeBytes) return candidate;
    } catch {
      // Missing, not writable or not a file system node can ask: not this one.
    }
  }
  return os.tmpdir();
}
