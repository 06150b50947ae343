import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_PID, startIdleProcess, type IdleProcess } from "../../support/processes.js";
import { REPOSITORY_ROOT, copyRepository, type RepositoryCopy } from "../../support/repository-copy.js";

/**
 * What an infra:diff killed half way leaves, made as it would make it (a folder named
 * with its pid in the scratch folder, a git worktree in it), instead of racing a kill.
 */
describe("npm run infra:diff after one that was killed", () => {
  let repository: RepositoryCopy;
  let running: IdleProcess;
  const folders: string[] = [];
  /** A folder of a run of `pid`, with a worktree of HEAD in it when `worktree`. */
  const leftover = (name: string, pid: number, worktree: boolean) => {
    const folder = path.join(scratch, `infra-diff-${name}-${pid}-${path.basename(repository.dir)}`);
    folders.push(folder);
    if (worktree)
      expect(
        repository.run("git", ["worktree", "add", "--detach", "--quiet", path.join(folder, "tree"), "HEAD"]).status,
      ).toBe(0);
    else {
      mkdirSync(path.join(folder, "stacks"), { recursive: true });
      writeFileSync(path.join(folder, "manifest.json"), "{}\n");
    }
    return folder;
  };
  const worktrees = () =>
    repository
      .run("git", ["worktree", "list", "--porcelain"])
      .stdout.split("\n")
      .filter((line) => line.startsWith("worktree "))
      .map((line) => line.slice(9));

  // A scratch folder of this test's own: another infra:diff running meanwhile (another
  // test file) removes the leftovers of dead runs it finds in the shared one.
  let scratch: string;
  const savedScratch = process.env.INFRA_DIFF_SCRATCH;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "platform-infra-diff-scratch-"));
    process.env.INFRA_DIFF_SCRATCH = scratch;
    repository = copyRepository();
    // The copy leaves cdktf.json out; infra:diff runs the app that names.
    copyFileSync(path.join(REPOSITORY_ROOT, "cdktf.json"), path.join(repository.dir, "cdktf.json"));
    repository.run("git", ["add", "cdktf.json"]);
    expect(
      repository.run("git", [
        "-c",
        "user.name=test",
        "-c",
        "user.email=test@example.com",
        "commit",
        "--quiet",
        "-m",
        "cdktf.json",
      ]).status,
    ).toBe(0);
    running = startIdleProcess();
  });
  afterAll(async () => {
    await running.stop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    repository.run("git", ["worktree", "prune"]);
    repository.remove();
    rmSync(scratch, { recursive: true, force: true });
    if (savedScratch === undefined) delete process.env.INFRA_DIFF_SCRATCH;
    else process.env.INFRA_DIFF_SCRATCH = savedScratch;
  });

  it("GIVEN the worktrees and output folder of a killed run, and the worktree of a running one WHEN diffed THEN the killed run's are removed with git's entries, and the running one's kept", async () => {
    const killedBase = leftover("base", DEAD_PID, true);
    const killedHead = leftover("head", DEAD_PID, true);
    const killedOutput = leftover("base-out", DEAD_PID, false);
    const live = leftover("head", running.pid, true);
    expect(worktrees()).toHaveLength(4);

    const run = await repository.nodeAsync("tools/infra-diff/cli.ts", ["--base", "HEAD"]);
    expect(run.status, run.stderr).toBe(0);
    for (const folder of [killedBase, killedHead, killedOutput])
      expect(run.stderr).toContain(`infra-diff: removed ${folder}, left by an infra:diff that was stopped\n`);
    expect([killedBase, killedHead, killedOutput, live].map((folder) => existsSync(folder))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(worktrees()).toEqual([realpathSync(repository.dir), realpathSync(path.join(live, "tree"))]);
  });
});
