import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CatalogueFile } from "./synthetic-catalogue.js";

/**
 * Temporary copies of the repository for the benchmark to work in, so that it never
 * writes to the repository it measures (its services/, its cdktf.out).
 */

/** What a synth needs besides the services; tools/ and templates/ for the tools measured. */
const PROJECT_ENTRIES = [
  "infra",
  "tools",
  "templates",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "cdktf.json",
] as const;

/** A fresh temporary folder below the system's temp folder. */
export function temporaryFolder(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Copies the project parts of `root` (infra/, tools/, templates/, the manifests) into
 * `target`, with or without its services, and links `node_modules` to the installed one,
 * so nothing is installed again.
 */
export function copyProject(root: string, target: string, options: { withServices: boolean }): void {
  mkdirSync(target, { recursive: true });
  const entries = options.withServices ? [...PROJECT_ENTRIES, "services"] : PROJECT_ENTRIES;
  for (const entry of entries) {
    const source = path.join(root, entry);
    if (!existsSync(source)) continue;
    cpSync(source, path.join(target, entry), {
      recursive: true,
      filter: (file) => !file.split(path.sep).includes("node_modules") && !file.split(path.sep).includes("cdktf.out"),
    });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(target, "node_modules"), "dir");
  writeFileSync(path.join(target, ".gitignore"), "node_modules\ncdktf.out\n");
}

/** Writes `files` below `root`, each through a temp file and a rename. */
export function writeFiles(root: string, files: readonly CatalogueFile[]): void {
  for (const file of files) {
    const target = path.join(root, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    const staging = `${target}.tmp-${process.pid}`;
    writeFileSync(staging, file.content);
    renameSync(staging, target);
  }
}

/** Replaces the services of the project at `root` with `files`. */
export function replaceServices(root: string, files: readonly CatalogueFile[]): void {
  rmSync(path.join(root, "services"), { recursive: true, force: true });
  writeFiles(root, files);
}

/** Runs git in `cwd` with a fixed identity, so commits work on a machine without one. */
export function git(cwd: string, args: readonly string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", ...args],
    {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  ).trim();
}

/** Makes `root` a git repository and commits everything in it. */
export function commitAll(root: string, message: string): void {
  if (!existsSync(path.join(root, ".git"))) git(root, ["init", "--quiet", "--initial-branch=main"]);
  git(root, ["add", "--all"]);
  git(root, ["commit", "--quiet", "--no-verify", "-m", message]);
}

/** Clones the repository `origin` to `target` and links the installed `node_modules` of `root` into it. */
export function cloneWithDependencies(origin: string, target: string, root: string): void {
  git(path.dirname(target), ["clone", "--quiet", "--local", origin, target]);
  symlinkSync(path.join(root, "node_modules"), path.join(target, "node_modules"), "dir");
}
