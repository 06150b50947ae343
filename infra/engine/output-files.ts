import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The names {@link replaceFolder} gives the folders it makes beside the folders named
 * `folders`, `<folder>.tmp-<pid>` and `<folder>.old-<pid>` (group 1: the pid): what a
 * synth killed half way leaves, for the next one to remove. Only those names: the
 * output folder may hold a user's own folders, whatever they are called.
 */
export function replaceFolderLeftovers(folders: readonly string[]): RegExp {
  // No folder: a pattern that matches nothing (an empty alternative would match `.tmp-1`).
  if (folders.length === 0) return /(?!)/;
  return new RegExp(`^(?:${folders.map(escapeRegExp).join("|")})\\.(?:tmp|old)-(\\d+)$`);
}

/** `text` matched literally in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A file to write, relative to the folder it is written in. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Replaces `folder` with exactly `files`, never leaving it half-written: the files go
 * to a sibling temp folder first, which then takes the folder's place by rename.
 *
 * A file whose content is the same as in the folder it replaces is hard-linked from
 * there instead of written again. Creating files is most of the cost of writing a large
 * catalogue's monitoring files (thousands of them), and a synth changes few of them.
 */
export function replaceFolder(folder: string, files: readonly OutputFile[]): void {
  const parent = path.dirname(folder);
  mkdirSync(parent, { recursive: true });
  const staging = `${folder}.tmp-${process.pid}`;
  const previous = `${folder}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // A first synth (or one into an emptied cdktf.out) has nothing to link from: it does
  // not try to read thousands of files that are not there.
  const hasPrevious = existsSync(folder);
  // Each folder is made once: thousands of files share a handful of folders.
  const made = new Set<string>([staging]);
  for (const file of files) {
    const target = path.join(staging, file.path);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    if (!hasPrevious || !linkedUnchanged(path.join(folder, file.path), target, file.content))
      writeFileSync(target, file.content);
  }
  rmSync(previous, { recursive: true, force: true });
  try {
    renameSync(folder, previous);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  renameSync(staging, folder);
  rmSync(previous, { recursive: true, force: true });
}

/** Hard-links `existing` to `target` when it holds `content`; false when it does not, or cannot be linked. */
function linkedUnchanged(existing: string, target: string, content: string): boolean {
  let current: Buffer;
  try {
    current = readFileSync(existing);
  } catch {
    return false;
  }
  if (current.length !== Buffer.byteLength(content) || current.toString() !== content) return false;
  try {
    linkSync(existing, target);
    return true;
  } catch {
    // A file system without hard links: the file is written instead.
    return false;
  }
}
