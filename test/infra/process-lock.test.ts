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
});
