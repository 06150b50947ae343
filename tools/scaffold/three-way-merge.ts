import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** One version of a file in a three-way merge, with the label its conflict markers show. */
export interface MergeSide {
  readonly text: string;
  readonly label: string;
}

/** What a three-way merge gives: the merged text, and how many conflicts it marks in it (0: merged cleanly). */
export interface MergeResult {
  readonly text: string;
  readonly conflicts: number;
}

/**
 * Merges into `ours` the change from `base` to `theirs`, as `git merge-file --diff3`
 * does: changes that do not overlap are both kept; overlapping ones are left between
 * conflict markers that show all three versions, each with its label
 * (`<<<<<<< ours`, `||||||| base`, `=======`, `>>>>>>> theirs`), and counted.
 *
 * git's own merge is used, not a diff3 of our own: git is there wherever the repository
 * is, its merge is the one every developer resolves conflicts of every day (the same
 * markers, the same tools understand them), and a hand-written diff3 would be a second
 * merge algorithm to get right and keep right.
 */
export function mergeThreeWays(ours: MergeSide, base: MergeSide, theirs: MergeSide): MergeResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), "platform-merge-"));
  try {
    const files = (["ours", "base", "theirs"] as const).map((name, index) => {
      const file = path.join(dir, name);
      writeFileSync(file, [ours, base, theirs][index]!.text);
      return file;
    });
    const merge = spawnSync(
      "git",
      ["merge-file", "-p", "--diff3", "-L", ours.label, "-L", base.label, "-L", theirs.label, ...files],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
    // Its exit status is the number of conflicts (at most 127); above that, an error (a binary file).
    if (merge.error || merge.status === null || merge.status > 127)
      throw new Error(`git merge-file failed on ${ours.label}: ${merge.error?.message ?? merge.stderr.trim()}`);
    return { text: merge.stdout, conflicts: merge.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether a text holds the conflict markers a merge leaves (a line starting `<<<<<<< `
 * and one starting `>>>>>>> `): a conflict nobody resolved yet.
 */
export function hasConflictMarkers(text: string): boolean {
  return /^<{7} /m.test(text) && /^>{7} /m.test(text);
}
