import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A lock file that holds the pid of the process that holds it: taken by creating the
 * file (an atomic, exclusive link), given back by removing it, and taken over when the
 * process it names is gone (killed, or crashed before it could remove it).
 *
 * Not a library (proper-lockfile): that one decides a lock is stale by its age and
 * keeps it fresh with a timer, so a killed run blocks the next for its stale time (10 s
 * by default), and a run that stalls longer loses its lock. A pid says at once whether
 * the holder is alive, and needs no timer. Both commands that use it run on one machine,
 * where pids mean something.
 */

/** A lock this process holds. */
export interface ProcessLock {
  /** The lock file. */
  readonly file: string;
  /** Gives the lock back (removes the file if it is still this process's). Safe to call twice. */
  release(): void;
}

/** How {@link acquireProcessLock} waits. */
export interface ProcessLockOptions {
  /**
   * Called once per holder this process waits for, with its pid: to say what it waits for.
   * @default - nothing is said
   */
  readonly onWait?: (holder: number) => void;
  /**
   * How often, in milliseconds, the holder is looked at again while waiting.
   * @default 50
   */
  readonly pollMilliseconds?: number;
}

/**
 * Whether a process with this pid runs. A process of another user counts (EPERM):
 * the pid is taken. A pid the system gave to a new process since is taken too; the
 * messages of the callers name the lock file so that a person can remove it.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock file `file` (its folder is made if needed), waiting while a live
 * process holds it. A lock whose process is gone is taken over.
 */
export async function acquireProcessLock(file: string, options: ProcessLockOptions = {}): Promise<ProcessLock> {
  const poll = options.pollMilliseconds ?? 50;
  mkdirSync(path.dirname(file), { recursive: true });
  removeOwnTemporariesOfDeadRuns(file);
  let announced: number | undefined;
  for (;;) {
    const holder = tryLock(file);
    if (holder === undefined) break;
    if (holder !== announced) options.onWait?.(holder);
    announced = holder;
    await sleep(poll);
  }
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      if (readHolder(file) === process.pid) rmSync(file, { force: true });
    },
  };
}

/** Takes the lock if it is free or its holder is gone; otherwise returns the live holder's pid. */
function tryLock(file: string): number | undefined {
  for (;;) {
    if (createHolding(file)) return undefined;
    const holder = readHolder(file);
    // Removed between the two looks: tried again at once.
    if (holder === undefined) continue;
    if (holder !== process.pid && isProcessAlive(holder)) return holder;
    removeDeadLock(file, holder);
  }
}

/**
 * Creates `file` holding this pid, whole or not at all: written beside it first, then
 * linked into place (a link fails if the name exists, like an O_EXCL create, and a
 * reader never sees the file without its pid). False when it exists.
 */
function createHolding(file: string): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${process.pid}\n`);
  } catch (error) {
    // Its folder was removed while this process waited (the run that made it cleaned up).
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, `${process.pid}\n`);
  }
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The pid in the lock file; undefined when there is no file; 0 when it holds no pid. */
function readHolder(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return /^\d+\n?$/.test(text) ? Number(text) : 0;
}

/**
 * Removes a lock whose holder `dead` is gone. Two waiters may find the same dead holder
 * at once: the second must not remove the lock the first has taken in the meantime. So
 * a takeover is done by one process at a time (a guard file taken like the lock), which
 * looks again at the lock before it removes it. A guard left by a process killed in
 * those few microseconds is removed like a dead lock.
 */
function removeDeadLock(file: string, dead: number): void {
  const guard = `${file}.takeover`;
  if (!createHolding(guard)) {
    const guardHolder = readHolder(guard);
    if (guardHolder !== undefined && guardHolder !== process.pid && !isProcessAlive(guardHolder)) rmSync(guard, { force: true });
    return;
  }
  try {
    if (readHolder(file) === dead) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Removes `<file>.<pid>.tmp` of processes killed while they took the lock. */
function removeOwnTemporariesOfDeadRuns(file: string): void {
  const prefix = `${path.basename(file)}.`;
  for (const name of readdirSync(path.dirname(file))) {
    const match = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match && !isProcessAlive(Number(match[1]))) rmSync(path.join(path.dirname(file), name), { force: true });
  }
}
