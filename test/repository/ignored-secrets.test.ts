import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The paths of `candidates` that git would ignore in this repository (git check-ignore exits 1 when none is). */
function ignoredByGit(candidates: readonly string[]): string[] {
  try {
    return execFileSync("git", ["check-ignore", "--no-index", "--", ...candidates], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe("files that carry secrets", () => {
  it("GIVEN dotenv files, variable files and plan files anywhere in the tree WHEN git is asked THEN it ignores each of them", () => {
    const secretFiles = [
      ".env",
      ".env.local",
      "services/orders/.env.production",
      "local.tfvars",
      "cdktf.out/x/prod.tfvars.json",
      "staging-plan.json",
      "plans/staging.json",
      "staging.tfplan",
    ];
    expect(ignoredByGit(secretFiles)).toEqual(secretFiles);
  });

  it("GIVEN the files the repository keeps WHEN git is asked THEN none of them is ignored", () => {
    const kept = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    expect(ignoredByGit(kept)).toEqual([]);
  });

  it("GIVEN the README's example of a real plan WHEN the file it writes is checked THEN git ignores it", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const written = [...readme.matchAll(/terraform show -json \S+ > (\S+?)`/g)].map((match) =>
      path.normalize(path.join("cdktf.out/stacks/staging", match[1]!)),
    );
    const read = [...readme.matchAll(/--plan staging=(\S+)/g)].map((match) => match[1]!);
    expect(written.length).toBeGreaterThan(0);
    expect(read.length).toBeGreaterThan(0);
    expect(ignoredByGit([...written, ...read])).toEqual([...written, ...read]);
  });
});
