import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeArguments } from "./cli.js";

/** The repository these tests run in. */
export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What a command printed and how it ended. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throw-away copy of the repository that is a real git repository. */
export interface RepositoryCopy {
  readonly dir: string;
  /**
   * Runs `<script> ...args` with node in the copy as its npm script does (`nodeArguments`), with no terminal, as CI
   * would.
   */
  node(script: string, args?: readonly string[]): CommandResult;
  /** Like `node`, without blocking: for commands that may run side by side. */
  nodeAsync(script: string, args?: readonly string[]): Promise<CommandResult>;
  /** Runs any command in the copy. */
  run(command: string, args: readonly string[]): CommandResult;
  /** `git status --porcelain` and the hash of every file: equal snapshots mean a byte-for-byte equal tree. */
  snapshot(): { status: string; files: Record<string, string> };
  remove(): void;
}

const COPIED = [
  "infra",
  "services",
  "templates",
  "tools",
  "package.json",
  "package-lock.json",
  "images.lock.json",
  "tsconfig.json",
  "vitest.config.ts",
  // vitest.config.ts names it: the run's own temporary folder.
  "test/global-setup.ts",
  "biome.jsonc",
  ".gitignore",
];

/**
 * Copies what the platform's tools need (infra/, services/, templates/, tools/, the
 * root manifests and the formatter's configuration) into a temporary folder, links node_modules (copying it would take
 * longer than the tests), and commits it all to a fresh git repository.
 */
export function copyRepository(): RepositoryCopy {
  const dir = mkdtempSync(path.join(os.tmpdir(), "platform-repo-"));
  for (const entry of COPIED) {
    cpSync(path.join(REPOSITORY_ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
    });
  }
  symlinkSync(path.join(REPOSITORY_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const env = { ...process.env, CI: "true", NO_COLOR: "1" };
  const run = (command: string, args: readonly string[]): CommandResult => {
    const result: SpawnSyncReturns<string> = spawnSync(command, args, {
      cwd: dir,
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const git = (...args: string[]) => {
    const result = run("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args]);
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  };
  git("init", "--quiet");
  git("add", "-A");
  git("commit", "--quiet", "-m", "copy");

  return {
    dir,
    run,
    node: (script, args = []) => run(process.execPath, nodeArguments(script, args)),
    nodeAsync: (script, args = []) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, nodeArguments(script, args), {
          cwd: dir,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += String(chunk)));
        child.stderr.on("data", (chunk) => (stderr += String(chunk)));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      }),
    snapshot() {
      const files: Record<string, string> = {};
      const walk = (relative: string) => {
        for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
          const child = relative ? `${relative}/${entry.name}` : entry.name;
          if (child === ".git" || child === "node_modules") continue;
          if (entry.isDirectory()) walk(child);
          else
            files[child] = createHash("sha256")
              .update(readFileSync(path.join(dir, child)))
              .digest("hex");
        }
      };
      walk("");
      return { status: run("git", ["status", "--porcelain", "--untracked-files=all", "--ignored"]).stdout, files };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
