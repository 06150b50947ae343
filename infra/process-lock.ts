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
 * When the process with this pid started, in clock ticks since boot (field 22 of
 * Linux's `/proc/<pid>/stat`); undefined where there is no /proc or no such process.
 * A pid with another start time is another process that the system gave the same pid.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the fields after
    // its last ")" start with the third.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3];
  } catch {
    return undefined;
  }
}

/** A lock's holder as its file names it: the pid, and when that process started where known. */
interface Holder {
  readonly pid: number;
  readonly started?: string;
}

/** This process, as it writes itself into a lock file. */
const SELF: Holder = { pid: process.pid, started: processStartTime(process.pid) };

/**
 * Whether the holder still runs: its pid is alive and, when the file says when it
 * started, it is still that process (after a reboot, or in a container whose folder
 * outlived it, the pid may have gone to an unrelated process).
 */
function holderAlive(holder: Holder): boolean {
  if (!isProcessAlive(holder.pid)) return false;
  if (holder.started === undefined) return true;
  const started = processStartTime(holder.pid);
  return started === undefined || started === holder.started;
}

/**
 * The lock files this process holds, each with what its release settles. A lock file
 * names a process, not a caller: a second caller in this process waits here for the
 * first's release, since the file alone would make it take the lock over as its own.
 */
const heldHere = new Map<string, Promise<void>>();

/**
 * Takes the lock file `file` (its folder is made if needed), waiting while a live
 * process, or another caller in this one, holds it. A lock whose process is gone is
 * taken over.
 */
export async function acquireProcessLock(file: string, options: ProcessLockOptions = {}): Promise<ProcessLock> {
  const key = path.resolve(file);
  if (heldHere.has(key)) options.onWait?.(process.pid);
  for (let held = heldHere.get(key); held !== undefined; held = heldHere.get(key)) await held;
  let settle = () => {};
  heldHere.set(
    key,
    new Promise<void>((resolve) => {
      settle = resolve;
    }),
  );
  try {
    return await acquireFile(file, options, () => {
      heldHere.delete(key);
      settle();
    });
  } catch (error) {
    heldHere.delete(key);
    settle();
    throw error;
  }
}

/** Takes the lock file for this process; `released` runs once, when the lock is given back. */
async function acquireFile(file: string, options: ProcessLockOptions, released: () => void): Promise<ProcessLock> {
  const poll = options.pollMilliseconds ?? 50;
  mkdirSync(path.dirname(file), { recursive: true });
  removeOwnTemporariesOfDeadRuns(file);
  let announced: number | undefined;
  for (;;) {
    const holder = tryLock(file);
    if (holder === undefined) break;
    if (holder !== announced && holder !== 0) options.onWait?.(holder);
    announced = holder;
    await sleep(poll);
  }
  let given = false;
  return {
    file,
    release() {
      if (given) return;
      given = true;
      try {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      } finally {
        released();
      }
    },
  };
}

/**
 * Takes the lock if it is free or its holder is gone; otherwise returns the live holder's
 * pid, or 0 while another waiter takes over a dead holder's lock (to look again after a
 * pause, never in a busy loop).
 */
function tryLock(file: string): number | undefined {
  for (;;) {
    if (createHolding(file)) return undefined;
    const holder = readHolder(file);
    // Removed between the two looks: tried again at once.
    if (holder === undefined) continue;
    if (holder.pid !== process.pid && holderAlive(holder)) return holder.pid;
    if (!removeDeadLock(file, holder)) return 0;
  }
}

/**
 * Creates `file` holding this pid, whole or not at all: written beside it first, then
 * linked into place (a link fails if the name exists, like an O_EXCL create, and a
 * reader never sees the file without its pid). False when it exists.
 */
function createHolding(file: string): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  const holding = `${SELF.pid}${SELF.started === undefined ? "" : ` ${SELF.started}`}\n`;
  try {
    writeFileSync(temporary, holding);
  } catch (error) {
    // Its folder was removed while this process waited (the run that made it cleaned up).
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, holding);
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

/** The holder the lock file names; undefined when there is no file; pid 0 when it names none. */
function readHolder(file: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const match = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  return match ? { pid: Number(match[1]), started: match[2] } : { pid: 0 };
}

/**
 * Removes a lock whose holder `dead` is gone. Two waiters may find the same dead holder
 * at once: the second must not remove the lock the first has taken in the meantime. So
 * a takeover is done by one process at a time (a guard file taken like the lock), which
 * looks again at the lock before it removes it. A guard left by a process killed in
 * those few microseconds is removed like a dead lock.
 */
function removeDeadLock(file: string, dead: Holder): boolean {
  const guard = `${file}.takeover`;
  if (!createHolding(guard)) {
    // This process is never inside a takeover here: a guard with its own pid was left by
    // an earlier process that had the same pid.
    const guardHolder = readHolder(guard);
    if (guardHolder !== undefined && (guardHolder.pid === process.pid || !holderAlive(guardHolder)))
      rmSync(guard, { force: true });
    return false;
  }
  try {
    const holder = readHolder(file);
    if (holder?.pid === dead.pid && holder.started === dead.started) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
  return true;
}

/** Removes `<file>.<pid>.tmp` of processes killed while they took the lock. */
function removeOwnTemporariesOfDeadRuns(file: string): void {
  const prefix = `${path.basename(file)}.`;
  for (const name of readdirSync(path.dirname(file))) {
    const match = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match && !isProcessAlive(Number(match[1]))) rmSync(path.join(path.dirname(file), name), { force: true });
  }
}
