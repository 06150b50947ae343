import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import path from "node:path";

/**
 * Synthesized output of committed revisions, kept in the repository's git folder
 * (`.git/infra-diff-cache/`), so that diffing against the same base again (locally,
 * while a branch is worked on) synthesizes only the head. A commit's output depends on
 * the commit, the installed dependencies and the environment variables the app reads,
 * so all three are in the key; the working tree is never cached. The most recent
 * entries are kept, the others removed.
 */

/** Entries kept; each holds one revision's stacks. */
const ENTRIES_KEPT = 8;

/**
 * Variables that differ between shells and runs but never reach the app's output
 * (`npm run` alone changes PATH and NODE).
 */
const VOLATILE_VARIABLE = /^(npm_|PATH$|NODE$|INIT_CWD$|PWD$|OLDPWD$|_$|SHLVL$|TERM|COLUMNS$|LINES$|CDKTF_OUTDIR$|SSH_|DISPLAY$|WINDOWID$|COLORTERM$|TMUX|STY$|HOSTNAME$|LS_COLORS$)/;

/** The cache of one repository. */
export interface SynthesisCache {
  /** The cached output folder of this key, or undefined. */
  lookup(key: string): string | undefined;
  /** Copies a synthesized output folder into the cache under this key. */
  store(key: string, outdir: string): void;
}

/** The key of a commit's synthesis with the dependencies in `nodeModules` and these variables. */
export function synthesisKey(commit: string, projectPrefix: string, app: string, nodeModules: string, variables: NodeJS.ProcessEnv): string {
  const lockfile = path.join(nodeModules, ".package-lock.json");
  const dependencies = existsSync(lockfile) ? `${realpathSync(nodeModules)}@${statSync(lockfile).mtimeMs}` : "no node_modules";
  const environment = Object.entries(variables)
    .filter(([name]) => !VOLATILE_VARIABLE.test(name))
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256").update(JSON.stringify({ commit, projectPrefix, app, dependencies, environment })).digest("hex").slice(0, 32);
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
      const staging = `${entry}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      cpSync(outdir, staging, { recursive: true });
      try {
        renameSync(staging, entry);
      } catch {
        rmSync(staging, { recursive: true, force: true });
      }
      prune(root);
    },
  };
}

function prune(root: string): void {
  const entries = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.includes(".tmp-"))
    .map((e) => ({ folder: path.join(root, e.name), used: statSync(path.join(root, e.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { folder } of entries.slice(ENTRIES_KEPT)) rmSync(folder, { recursive: true, force: true });
}
