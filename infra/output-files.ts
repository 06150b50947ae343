import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A file to write, relative to the folder it is written in. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Replaces `folder` with exactly `files`, never leaving it half-written: the files go
 * to a sibling temp folder first, which then takes the folder's place by rename.
 */
export function replaceFolder(folder: string, files: readonly OutputFile[]): void {
  const parent = path.dirname(folder);
  mkdirSync(parent, { recursive: true });
  const staging = `${folder}.tmp-${process.pid}`;
  const previous = `${folder}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(staging, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  mkdirSync(staging, { recursive: true });
  rmSync(previous, { recursive: true, force: true });
  try {
    renameSync(folder, previous);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  renameSync(staging, folder);
  rmSync(previous, { recursive: true, force: true });
}
