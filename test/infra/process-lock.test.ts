import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireProcessLock, processStartTime } from "../../infra/process-lock.js";
import { DEAD_PID } from "../support/processes.js";
import { scratchFolders } from "../support/scratch.js";

const scratch = scratchFolders();

describe("acquireProcessLock", () => {
  it("GIVEN a free lock WHEN taken THEN the file names this process and when it started, and release removes it", async () => {
    const file = path.join(scratch.folder("process-lock-"), "x.lock");
    const lock = await acquireProcessLock(file);
    expect(readFileSync(file, "utf8")).toBe(`${process.pid} ${processStartTime(process.pid)}\n`);
    lock.release();
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });

  it("GIVEN a lock left by a process whose pid now belongs to another process (another start time) WHEN taken THEN it is taken over, without waiting", async () => {
    const file = path.join(scratch.folder("process-lock-"), "x.lock");
    // pid 1 runs, but it is not the process that wrote this file.
    expect(processStartTime(1)).toMatch(/^\d+$/);
    writeFileSync(file, `1 ${Number(processStartTime(1)) + 12345}\n`);
    const waitedFor: number[] = [];
    const lock = await acquireProcessLock(file, { onWait: (holder) => waitedFor.push(holder) });
    expect(waitedFor).toEqual([]);
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    lock.release();
  });

  it("GIVEN a dead holder's lock and a takeover guard left by an earlier process with this pid WHEN taken THEN it is taken, the guard removed", async () => {
    const file = path.join(scratch.folder("process-lock-"), "x.lock");
    writeFileSync(file, `${DEAD_PID}\n`);
    writeFileSync(`${file}.takeover`, `${process.pid}\n`);
    const lock = await acquireProcessLock(file, { pollMilliseconds: 5 });
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    expect(() => readFileSync(`${file}.takeover`)).toThrow(/ENOENT/);
    lock.release();
  });

  it("GIVEN a lock this process holds WHEN a second caller in it takes the lock THEN it waits for the first's release, then holds the file", async () => {
    const file = path.join(scratch.folder("process-lock-"), "x.lock");
    const first = await acquireProcessLock(file);
    const waitedFor: number[] = [];
    let secondTaken = false;
    const second = acquireProcessLock(file, { onWait: (holder) => waitedFor.push(holder) }).then((lock) => {
      secondTaken = true;
      return lock;
    });
    // Every pending callback has run: the second caller is still waiting, the file is the first's.
    await new Promise((resolve) => setImmediate(resolve));
    expect([secondTaken, waitedFor]).toEqual([false, [process.pid]]);
    first.release();
    const lock = await second;
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    first.release();
    expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    lock.release();
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});
