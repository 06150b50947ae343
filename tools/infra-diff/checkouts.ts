import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { removeLeftoversOfDeadRuns } from "../../infra/dead-run-leftovers.js";
import { acquireProcessLock, isProcessAlive } from "../../infra/process-lock.js";
import { scratchRoot } from "./scratch.js";

/**
 * The two sides of a diff on disk: the working tree as it is, or a commit checked out
 * in a temporary git worktree that borrows the working tree's installed dependencies.
 * Worktrees are always removed again, also when the diff fails or is interrupted.
 */

/** Input the command cannot work with: exit 2, with this message. */
export class BadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadInputError";
  }
}

/** The repository the command runs in. */
export interface Repository {
  /** The git working tree's top folder. */
  readonly gitRoot: string;
  /** The project folder (the one with cdktf.json), relative to `gitRoot` ("" when it is the top). */
  readonly projectPrefix: string;
  /** The project folder in the working tree. */
  readonly projectRoot: string;
  /** The git folder shared by every worktree (`.git`). */
  readonly gitCommonDir: string;
}

/** One side of the diff, ready to synthesize. */
export interface Checkout {
  /** What the user named: a ref, or null for the working tree. */
  readonly ref: string | null;
  /** The commit, or null for the working tree. */
  readonly commit: string | null;
  /** The project folder of this side. */
  readonly projectRoot: string;
  /** The project folder relative to the repository's top ("" when it is the top). */
  readonly projectPrefix: string;
  /**
   * Whether the folder still holds exactly the files of `commit`: always for a worktree
   * of its own; for the working tree, asked of git again (an editor or a checkout may
   * have changed it while it synthesized). A synth is cached as the commit's only then.
   */
  stillHoldsCommit(): boolean;
  /** Removes the temporary worktree; does nothing for the working tree. Safe to call twice. */
  dispose(): void;
  /** {@link dispose} without blocking: the files are removed while the diff goes on. */
  release(): Promise<void>;
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

const execFileAsync = promisify(execFile);

function gitAsync(cwd: string, args: readonly string[]): Promise<string> {
  return execFileAsync("git", args, { cwd, encoding: "utf8" }).then(({ stdout }) => stdout.trim());
}

function gitError(error: unknown): string {
  const stderr = (error as { stderr?: string | Buffer }).stderr;
  return (stderr ? String(stderr) : String((error as Error).message)).trim();
}

/** Finds the repository and the project folder (the nearest folder above `cwd` with a cdktf.json). */
export function findRepository(cwd: string): Repository {
  let gitRoot: string;
  try {
    gitRoot = git(cwd, ["rev-parse", "--show-toplevel"]);
  } catch (error) {
    throw new BadInputError(
      `${cwd} is not inside a git repository (${gitError(error)}); run the command from the project's repository`,
    );
  }
  let projectRoot = path.resolve(cwd);
  while (!existsSync(path.join(projectRoot, "cdktf.json"))) {
    const parent = path.dirname(projectRoot);
    if (parent === projectRoot || !projectRoot.startsWith(gitRoot)) {
      throw new BadInputError(
        `no cdktf.json found in ${cwd} or above it inside ${gitRoot}; run the command from the project folder`,
      );
    }
    projectRoot = parent;
  }
  const gitCommonDir = path.resolve(gitRoot, git(gitRoot, ["rev-parse", "--git-common-dir"]));
  return { gitRoot, projectPrefix: path.relative(gitRoot, projectRoot), projectRoot, gitCommonDir };
}

/** The commit a ref names; a BadInputError that says so when there is none. */
export function resolveCommit(repository: Repository, ref: string, option: string): string {
  if (ref.startsWith("-")) throw new BadInputError(`${option}: "${ref}" is not a git ref`);
  try {
    return git(repository.gitRoot, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  } catch {
    throw new BadInputError(
      `${option}: unknown git ref "${ref}"; give a branch, tag or commit of this repository` +
        ` (in CI, fetch the base branch first, e.g. actions/checkout with fetch-depth: 0)`,
    );
  }
}

/** The working tree as one side. */
export function workingTree(repository: Repository): Checkout {
  return {
    ref: null,
    commit: null,
    projectRoot: repository.projectRoot,
    projectPrefix: repository.projectPrefix,
    stillHoldsCommit: () => false,
    dispose() {},
    release: async () => {},
  };
}

/** The tree (all files, by content) of a commit. */
export function treeOf(repository: Repository, commit: string): string {
  return git(repository.gitRoot, ["rev-parse", "--verify", "--end-of-options", `${commit}^{tree}`]);
}

/**
 * The tree of HEAD when the working tree holds exactly HEAD's files, so that a synth
 * there is the synth of HEAD's commit: nothing modified, staged or untracked, no index
 * entry git is told not to look at (assume-unchanged, skip-worktree), and nothing
 * ignored but the `node_modules` folders a worktree gets linked in too (see
 * {@link checkoutCommit}). Undefined otherwise (a `cdktf.out` of an earlier synth is
 * enough: what the app reads is its own business).
 */
export function cleanWorkingTree(repository: Repository): string | undefined {
  const status = git(repository.gitRoot, [
    "status",
    "--porcelain=v1",
    "-z",
    "--ignored=traditional",
    "--untracked-files=normal",
  ]);
  const linked = new Set(
    dependencyFolders(repository.projectPrefix).map((folder) =>
      path.posix.join(folder.split(path.sep).join("/"), "node_modules"),
    ),
  );
  for (const entry of status.split("\0").filter(Boolean)) {
    if (!entry.startsWith("!! ") || !linked.has(entry.slice(3).replace(/\/$/, ""))) return undefined;
  }
  const flagged = git(repository.gitRoot, ["ls-files", "-v", "-z"])
    .split("\0")
    .filter((line) => line !== "" && !line.startsWith("H "));
  if (flagged.length > 0) return undefined;
  try {
    return treeOf(repository, "HEAD");
  } catch {
    return undefined; // no commit yet
  }
}

/** The working tree as the side of `commit`, whose files it holds (see {@link cleanWorkingTree}). */
export function workingTreeAt(repository: Repository, ref: string, commit: string): Checkout {
  return {
    ...workingTree(repository),
    ref,
    commit,
    stillHoldsCommit: () => cleanWorkingTree(repository) === treeOf(repository, commit),
  };
}

const liveWorktrees = new Set<Checkout>();
let cleanupInstalled = false;

/** The lock file, in the git folder, that `git worktree add` takes turns with. */
export const WORKTREE_LOCK = "infra-diff-worktrees.lock";

/** Removes every worktree still checked out (on exit or on a signal). */
export function disposeAllCheckouts(): void {
  for (const checkout of [...liveWorktrees]) checkout.dispose();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", disposeAllCheckouts);
  for (const [signal, number] of [
    ["SIGINT", 2],
    ["SIGTERM", 15],
    ["SIGHUP", 1],
  ] as const) {
    process.once(signal, () => {
      disposeAllCheckouts();
      process.exit(128 + number);
    });
  }
}

/**
 * Checks `commit` out in a temporary detached worktree and links the working tree's
 * `node_modules` into it, so that it synthesizes with the dependencies installed now
 * (npm workspaces resolve through the same link), in the scratch folder (a RAM disk
 * when there is one, see scratch.ts). Both sides are checked out at once:
 * writing 1,500 files of a large catalogue is mostly system time, which a second core
 * halves.
 */
export async function checkoutCommit(
  repository: Repository,
  ref: string,
  commit: string,
  label: string,
): Promise<Checkout> {
  installCleanup();
  const folder = scratchFolder(label);
  const worktree = path.join(folder, "tree");
  // Registered before git runs, so that an interrupted checkout is removed too.
  let disposed = false;
  // Removing the folder and pruning leaves git without a stale entry, with one git
  // process instead of `git worktree remove` and a prune.
  const checkout: Checkout = {
    ref,
    commit,
    projectRoot: path.join(worktree, repository.projectPrefix),
    projectPrefix: repository.projectPrefix,
    stillHoldsCommit: () => true,
    dispose() {
      if (disposed) return;
      disposed = true;
      liveWorktrees.delete(checkout);
      rmSync(folder, { recursive: true, force: true });
      try {
        git(repository.gitRoot, ["worktree", "prune"]);
      } catch {
        // Nothing more can be done; the folder is gone.
      }
    },
    async release() {
      if (disposed) return;
      try {
        await rm(folder, { recursive: true, force: true });
      } catch {
        // dispose() below removes what is left.
      }
      // Still registered until now: an exit meanwhile removes the rest synchronously.
      checkout.dispose();
    },
  };
  liveWorktrees.add(checkout);
  try {
    // git registers a worktree by writing files that another `git worktree add` of the
    // same repository reads, half-written, and dies on ("failed to read
    // .git/worktrees/tree/commondir"): registrations take turns, across runs too. The
    // files are then written outside the lock, both sides at once.
    const lock = await acquireProcessLock(path.join(repository.gitCommonDir, WORKTREE_LOCK));
    try {
      await gitAsync(repository.gitRoot, ["worktree", "add", "--detach", "--no-checkout", "--quiet", worktree, commit]);
    } finally {
      lock.release();
    }
    await gitAsync(worktree, ["reset", "--hard", "--quiet"]);
  } catch (error) {
    checkout.dispose();
    throw new BadInputError(
      `cannot check out the ${label} (${ref}, ${commit.slice(0, 12)}) in a temporary git worktree: ${gitError(error)}`,
    );
  }
  linkDependencies(repository, worktree);
  return checkout;
}

/**
 * Links each `node_modules` of the working tree, from the project folder up to the
 * repository's top (a monorepo may hoist them there), into the same place of the
 * worktree, so the worktree resolves every package, and the caches tools keep in
 * `node_modules/.cache`, to the working tree's.
 */
function linkDependencies(repository: Repository, worktree: string): void {
  for (const folder of dependencyFolders(repository.projectPrefix)) {
    const modules = path.join(repository.gitRoot, folder, "node_modules");
    const linked = path.join(worktree, folder, "node_modules");
    if (existsSync(modules) && existsSync(path.dirname(linked)) && !existsSync(linked))
      symlinkSync(modules, linked, "dir");
  }
}

/** The project folder and each folder above it up to the repository's top ("" for the top). */
function dependencyFolders(projectPrefix: string): string[] {
  const folders: string[] = [];
  for (
    let folder = projectPrefix === "." ? "" : projectPrefix;
    ;
    folder = path.dirname(folder) === "." ? "" : path.dirname(folder)
  ) {
    folders.push(folder);
    if (folder === "") return folders;
  }
}

/**
 * The files that differ between the base commit and the head (a commit, or the working
 * tree with its untracked files), relative to the project folder.
 */
export function changedFiles(repository: Repository, baseCommit: string, headCommit: string | null): string[] {
  const prefix = repository.projectPrefix ? `${repository.projectPrefix}/` : "";
  const scope = ["--", repository.projectPrefix || "."];
  const tracked = git(repository.gitRoot, [
    "diff",
    "--name-only",
    "--no-renames",
    baseCommit,
    ...(headCommit ? [headCommit] : []),
    ...scope,
  ]);
  const untracked = headCommit ? "" : git(repository.gitRoot, ["ls-files", "--others", "--exclude-standard", ...scope]);
  return [...tracked.split("\n"), ...untracked.split("\n")]
    .filter(Boolean)
    .map((file) => (file.startsWith(prefix) ? file.slice(prefix.length) : file));
}

/**
 * The folders this command makes in the scratch folder, `infra-diff-<side>-<pid>-<random>`
 * (a worktree in its `tree/`) and `infra-diff-<side>-out-<pid>-<random>` (a synth's
 * output): group 1 is the pid of the run that made it.
 */
export const SCRATCH_FOLDER = /^infra-diff-[a-z]+(?:-out)?-(\d+)-[^/\\]+$/;

/** The folder, in the scratch folder, for one side's worktree or output: named with this run's pid. */
export function scratchFolder(side: string): string {
  return mkdtempSync(path.join(scratchRoot(), `infra-diff-${side}-${process.pid}-`));
}

/**
 * Removes what runs of this command that were stopped (killed; a run that fails cleans
 * up itself) left: their folders in the scratch folder, and this repository's
 * worktrees in such folders wherever they are, with git's entries for them (`git
 * worktree prune`). The folders of runs still going are theirs and stay. Returns the
 * folders removed.
 */
export function removeLeftoverCheckouts(repository: Repository): string[] {
  const root = scratchRoot();
  const removed = removeLeftoversOfDeadRuns(root, SCRATCH_FOLDER).map((name) => path.join(root, name));
  let stale = false;
  for (const line of git(repository.gitRoot, ["worktree", "list", "--porcelain"]).split("\n")) {
    if (!line.startsWith("worktree ")) continue;
    const tree = line.slice("worktree ".length);
    const folder = path.dirname(tree);
    const pid = path.basename(tree) === "tree" ? SCRATCH_FOLDER.exec(path.basename(folder))?.[1] : undefined;
    if (pid === undefined || (Number(pid) !== process.pid && isProcessAlive(Number(pid)))) continue;
    stale = true;
    // git may give the folder's real path (a /tmp that is a link): the name tells it.
    if (removed.some((done) => path.basename(done) === path.basename(folder))) continue;
    rmSync(folder, { recursive: true, force: true });
    removed.push(folder);
  }
  if (stale) {
    try {
      git(repository.gitRoot, ["worktree", "prune"]);
    } catch {
      // The folders are gone; git's entries for them go with the next prune.
    }
  }
  return removed;
}

/** A short commit for people. */
export function shortCommit(commit: string | null): string {
  return commit ? commit.slice(0, 12) : "working tree";
}
