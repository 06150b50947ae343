import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "./process-lock.js";

/**
 * Removes what runs that were stopped half way (killed, or crashed) left in `dir`: every
 * entry whose name matches `pattern`, whose first group is the pid of the run that made
 * it, when that process is gone or is this one (which calls this before it makes its
 * own). The entries of live runs are theirs and stay, and so are those this user may not
 * remove. Returns the names removed, sorted; nothing when `dir` does not exist.
 */
export function removeLeftoversOfDeadRuns(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")
      return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined) continue;
    if (Number(pid) !== process.pid && isProcessAlive(Number(pid))) continue;
    try {
      rmSync(path.join(dir, name), { recursive: true, force: true });
    } catch (error) {
      // Another user's, in a shared folder such as /dev/shm: theirs to remove.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") continue;
      throw error;
    }
    removed.push(name);
  }
  return removed.sort();
}
