import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./cli.js";

/**
 * A temporary copy of the parts of this repository that synth needs (infra/, extensions/, services/
 * without their node_modules, templates/, tools/, package.json, tsconfig.json, cdktf.json, images.lock.json), with
 * node_modules linked to the real one so nothing is installed again.
 */
export function copyRepository(prefix = "platform-copy-"): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const entry of [
    "infra",
    "extensions",
    "services",
    "templates",
    "tools",
    "package.json",
    "tsconfig.json",
    "cdktf.json",
    "images.lock.json",
  ]) {
    try {
      cpSync(path.join(ROOT, entry), path.join(copy, entry), {
        recursive: true,
        filter: (source) =>
          !source.includes(`${path.sep}node_modules`) && !source.includes(`${path.sep}dist${path.sep}`),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}

/** Gives the copy's `orders` a PostgreSQL backing service named `db`; returns the copy. */
export function withOrdersDatabase(copy: string): string {
  const file = path.join(copy, "services", "orders", "service.ts");
  const spec = readFileSync(file, "utf8");
  if (!spec.includes("  port: 8080,\n")) throw new Error(`${file}: no "port: 8080," line to add the database after`);
  writeFileSync(
    file,
    spec.replace("  port: 8080,\n", '  port: 8080,\n  backingServices: { db: { type: "postgres" } },\n'),
  );
  return copy;
}

/**
 * Gives the copy's `orders` one backing service of each type: besides the PostgreSQL database
 * `db` it owns, a Redis store `cache` and a queue `jobs` (queue `orders-placed`); returns the copy.
 */
export function withOrdersBackingServices(copy: string): string {
  const file = path.join(copy, "services", "orders", "service.ts");
  const spec = readFileSync(file, "utf8");
  const owned = '  backingServices: { db: { type: "postgres" } },\n';
  if (!spec.includes(owned)) throw new Error(`${file}: no "${owned.trim()}" line to add the backing services to`);
  writeFileSync(
    file,
    spec.replace(
      owned,
      '  backingServices: { db: { type: "postgres" }, cache: { type: "redis" }, jobs: { type: "queue", queues: ["orders-placed"] } },\n',
    ),
  );
  return copy;
}

/** Runs git in `repo` as a test user (its author and committer set), returning what it printed, trimmed. */
export function gitIn(repo: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
  }).trim();
}
