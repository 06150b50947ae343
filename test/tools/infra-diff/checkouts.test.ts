import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkoutCommit, findRepository } from "../../../tools/infra-diff/checkouts.js";
import { scratchFolders } from "../../support/scratch.js";

const scratch = scratchFolders();

/**
 * git registers a worktree by writing files in `.git/worktrees/<name>/` that a second
 * `git worktree add` of the same repository reads, and dies on when it finds them
 * half-written. A stand-in `git` first on the PATH logs when each `worktree add` starts
 * and ends (pausing in between, to hold the window open), then runs the real git.
 */
describe("checkoutCommit", () => {
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  const bin = scratch.folder("infra-diff-git-bin-");
  const log = path.join(bin, "worktree-add.log");
  writeFileSync(
    path.join(bin, "git"),
    `#!/bin/sh
if [ "$1" = worktree ] && [ "$2" = add ]; then
  echo "start $$" >> "${log}"
  sleep 0.3
  "${realGit}" "$@"; status=$?
  echo "end $$" >> "${log}"
  exit $status
fi
exec "${realGit}" "$@"
`,
  );
  chmodSync(path.join(bin, "git"), 0o755);
  const savedPath = process.env.PATH;
  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it("GIVEN both sides checked out at once WHEN their worktrees are registered THEN git's worktree add runs one at a time, and both hold the commit's files", async () => {
    const repo = scratch.folder("infra-diff-checkouts-");
    const run = (...args: string[]) => execFileSync(realGit, args, { cwd: repo, encoding: "utf8" });
    run("init", "-q");
    writeFileSync(path.join(repo, "cdktf.json"), "{}\n");
    mkdirSync(path.join(repo, "services"));
    writeFileSync(path.join(repo, "services", "a.txt"), "a\n");
    run("add", "-A");
    run("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base");
    const commit = run("rev-parse", "HEAD").trim();
    const repository = findRepository(repo);
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;

    const checkouts = await Promise.all([
      checkoutCommit(repository, "main", commit, "base"),
      checkoutCommit(repository, "main", commit, "head"),
    ]);

    const events = readFileSync(log, "utf8").trim().split("\n");
    expect(events.map((event) => event.split(" ")[0])).toEqual(["start", "end", "start", "end"]);
    for (const checkout of checkouts) {
      expect(readFileSync(path.join(checkout.projectRoot, "services", "a.txt"), "utf8")).toBe("a\n");
      await checkout.release();
      expect(existsSync(checkout.projectRoot)).toBe(false);
    }
  });
});
