import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import path from "node:path";
import { API_DOCUMENT_SUFFIX, API_FOLDER } from "./api-documents.js";

/**
 * Synthesized output of committed revisions, kept in the repository's git folder
 * (`.git/infra-diff-cache/`), so that diffing against the same base again (locally,
 * while a branch is worked on) synthesizes only the head. A commit's output depends on
 * the commit, the installed dependencies and the environment variables the app reads,
 * so all three are in the key; the working tree is never cached. The most recent
 * entries are kept, the others removed. An entry holds only what the diff reads (each
 * stack's `cdk.tf.json`, the guardrail reports and the API contracts): copying a whole 500-service output
 * (4,500 monitoring files besides) cost seconds of system time.
 */

/** Entries kept; each holds one revision's stacks. */
const ENTRIES_KEPT = 8;

/**
 * What an entry holds, raised when the diff reads more of an output: an entry stored
 * before the API contracts were kept would otherwise read as a revision without contracts.
 */
const ENTRY_LAYOUT = 2;

/** A staging folder older than this was left by a run that was killed; prune removes it. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/** Marks a staging folder (`<key>.tmp-<pid>-<random>`), never taken for an entry. */
const STAGING_MARK = ".tmp-";

/**
 * Variables that differ between shells and runs but never reach the app's output
 * (`npm run` alone changes PATH and NODE).
 */
const VOLATILE_VARIABLE =
  /^(npm_|PATH$|NODE$|INIT_CWD$|PWD$|OLDPWD$|_$|SHLVL$|TERM|COLUMNS$|LINES$|CDKTF_OUTDIR$|SSH_|DISPLAY$|WINDOWID$|COLORTERM$|TMUX|STY$|HOSTNAME$|LS_COLORS$)/;

/** The cache of one repository. */
export interface SynthesisCache {
  /** The cached output folder of this key, or undefined. */
  lookup(key: string): string | undefined;
  /** Copies what the diff reads of a synthesized output folder into the cache under this key. */
  store(key: string, outdir: string): void;
}

/** The key of a commit's synthesis with the dependencies in `nodeModules` and these variables. */
export function synthesisKey(
  commit: string,
  projectPrefix: string,
  app: string,
  nodeModules: string,
  variables: NodeJS.ProcessEnv,
): string {
  const lockfile = path.join(nodeModules, ".package-lock.json");
  const dependencies = existsSync(lockfile)
    ? `${realpathSync(nodeModules)}@${statSync(lockfile).mtimeMs}`
    : "no node_modules";
  const environment = Object.entries(variables)
    .filter(([name]) => !VOLATILE_VARIABLE.test(name))
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256")
    .update(JSON.stringify({ layout: ENTRY_LAYOUT, commit, projectPrefix, app, dependencies, environment }))
    .digest("hex")
    .slice(0, 32);
}

/** The cache in `<gitCommonDir>/infra-diff-cache`. */
export function openSynthesisCache(gitCommonDir: string): SynthesisCache {
  const root = path.join(gitCommonDir, "infra-diff-cache");
  return {
    lookup(key) {
      const entry = path.join(root, key);
      if (!existsSync(path.join(entry, "stacks"))) return undefined;
      const now = new Date();
      utimesSync(entry, now, now);
      return entry;
    },
    store(key, outdir) {
      mkdirSync(root, { recursive: true });
      const entry = path.join(root, key);
      if (existsSync(entry)) return;
      const staging = mkdtempSync(path.join(root, `${key}${STAGING_MARK}${process.pid}-`));
      try {
        for (const file of filesTheDiffReads(outdir)) {
          mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
          copyFileSync(path.join(outdir, file), path.join(staging, file));
        }
        renameSync(staging, entry);
      } catch {
        // Another run stored it meanwhile, or the disk is full: the diff goes on without.
        rmSync(staging, { recursive: true, force: true });
      }
      prune(root);
    },
  };
}

/** The files of a synthesized output the diff reads, relative to it: the stacks, the guardrail reports and the API contracts. */
function filesTheDiffReads(outdir: string): string[] {
  const list = (folder: string) =>
    existsSync(path.join(outdir, folder)) ? readdirSync(path.join(outdir, folder), { withFileTypes: true }) : [];
  return [
    ...list("stacks")
      .filter((e) => e.isDirectory() && existsSync(path.join(outdir, "stacks", e.name, "cdk.tf.json")))
      .map((e) => path.join("stacks", e.name, "cdk.tf.json")),
    ...list("guardrails")
      .filter((e) => e.isFile() && e.name.endsWith(".json"))
      .map((e) => path.join("guardrails", e.name)),
    ...list(API_FOLDER)
      .filter((e) => e.isFile() && e.name.endsWith(API_DOCUMENT_SUFFIX))
      .map((e) => path.join(API_FOLDER, e.name)),
  ];
}

function prune(root: string): void {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, folder: path.join(root, e.name), used: statSync(path.join(root, e.name)).mtimeMs }));
  const stale = Date.now() - STALE_STAGING_MS;
  for (const { folder } of folders.filter((f) => f.name.includes(STAGING_MARK) && f.used < stale))
    rmSync(folder, { recursive: true, force: true });
  const entries = folders.filter((f) => !f.name.includes(STAGING_MARK)).sort((a, b) => b.used - a.used);
  for (const { folder } of entries.slice(ENTRIES_KEPT)) rmSync(folder, { recursive: true, force: true });
}
