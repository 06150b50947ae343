import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, ROOT, runCli } from "../support/cli.js";
import {
  normaliseOutput,
  readmeOutputBlocks,
  withReadmeOutputs,
  writeFileAtomically,
} from "../support/readme-outputs.js";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";

/**
 * The README's example outputs, each made by its real command in a copy of the repository
 * that is a git repository (as a user runs it: node and the npm script's file, no terminal).
 * A block marked `<!-- output: <id> -->` must equal its command's output, up to what
 * `normaliseOutput` makes equal (durations, commits, temporary paths).
 * `README_UPDATE=1 npx vitest run test/repository/readme-outputs.test.ts` rewrites the blocks.
 */
const README = path.join(ROOT, "README.md");
const UPDATE = process.env.README_UPDATE === "1";
const HOW_TO_UPDATE =
  "the README's example output is stale: run README_UPDATE=1 npx vitest run test/repository/readme-outputs.test.ts and review the diff of README.md";

/** Replaces `from` by `to` in a file of the copy, failing when `from` is not there (the example would silently change). */
function edit(repository: RepositoryCopy, file: string, from: string, to: string): void {
  const absolute = path.join(repository.dir, file);
  const text = readFileSync(absolute, "utf8");
  if (!text.includes(from))
    throw new Error(`${file} no longer holds ${JSON.stringify(from)}: update the README example`);
  writeFileSync(absolute, text.replace(from, to));
}

/** Puts the copy back to its commit, keeping the ignored output folders (cdktf.out). */
function restore(repository: RepositoryCopy): void {
  for (const args of [
    ["checkout", "--quiet", "--", "."],
    ["clean", "--quiet", "-fd"],
  ]) {
    const result = repository.run("git", args);
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  }
}

/** What a user sees of a run: stdout then stderr, as a terminal shows a command that prints on both. */
function printed(run: CliRun): string {
  return `${run.stdout}${run.stderr}`;
}

const outputs: Record<string, string> = {};
const statuses: Record<string, number | null> = {};
/** What each command printed on stderr, shown when one ends otherwise than the README says. */
const failures: Record<string, string> = {};
let repository: RepositoryCopy;
let scratch: string;

beforeAll(async () => {
  repository = copyRepository();
  // The copy leaves cdktf.json out; infra:diff runs the app it names.
  copyFileSync(path.join(ROOT, "cdktf.json"), path.join(repository.dir, "cdktf.json"));
  for (const args of [
    ["add", "cdktf.json"],
    ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "cdktf.json"],
    ["branch", "-M", "main"],
  ]) {
    const result = repository.run("git", args);
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  }
  // The stand-ins, and infra:diff's worktrees in a folder of this test's own (another
  // infra:diff removes what dead runs left in the shared one).
  scratch = mkdtempSync(path.join(os.tmpdir(), "platform-readme-scratch-"));
  const worktrees = path.join(scratch, "infra-diff");
  mkdirSync(worktrees);
  const env = { ...process.env, CI: "true", NO_COLOR: "1", INFRA_DIFF_SCRATCH: worktrees };
  const cli = (script: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(script, args, { cwd: repository.dir, env: { ...env, ...extra }, timeoutMs: 180_000 });
  const record = (id: string, run: CliRun, command?: string) => {
    // The copy's temporary path reads <tmp> in the README too (see normaliseOutput).
    outputs[id] = `${command === undefined ? "" : `$ ${command}\n`}${printed(run)}`.split(repository.dir).join("<tmp>");
    statuses[id] = run.status;
    failures[id] = run.stderr;
  };

  // Stand-ins on PATH: a Terraform that says its version (as `terraform version -json`
  // does), and an npm whose install succeeds (the copy cannot install; the output shown is
  // the scaffolder's, not npm's).
  const bin = path.join(scratch, "bin");
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, "terraform"),
    `#!/bin/sh\necho '{"terraform_version":"1.11.4","platform":"linux_amd64"}'\n`,
  );
  writeFileSync(path.join(bin, "npm"), "#!/bin/sh\nexit 0\n");
  for (const standIn of ["terraform", "npm"]) chmodSync(path.join(bin, standIn), 0o755);
  const standIns = { PATH: `${bin}${path.delimiter}${process.env.PATH}` };

  // Side by side, as none writes what another reads: npm run synth on the example
  // catalogue; npm run deploy, stopped by its preflight (no Docker engine at DOCKER_HOST, an
  // empty provider mirror);
  // npm run new:service, refused before it takes its lock or writes anything.
  const refused = "npm run new:service -- Payments --depends-on billing";
  const emptyMirror = path.join(repository.dir, "providers");
  mkdirSync(emptyMirror);
  const [synth, preflight, refusal] = await Promise.all([
    cli("tools/run-app.mjs", []),
    cli("tools/deploy.ts", ["deploy"], {
      ...standIns,
      DOCKER_HOST: `unix://${repository.dir}/docker.sock`,
      // An empty provider mirror: the same line on every machine, where the registry's depends on its network.
      PLATFORM_PROVIDER_MIRROR: emptyMirror,
    }),
    cli("tools/new-service.ts", ["Payments", "--depends-on", "billing"]),
  ]);
  record("synth", synth);
  record("deploy-preflight-failed", preflight);
  record("new-service-refused", refusal, refused);

  // npm run new:service, accepted.
  record(
    "new-service-created",
    await cli("tools/new-service.ts", ["payments", "--depends-on", "orders", "--database"], standIns),
  );
  restore(repository);

  // npm run template:check, after the templates' shared Dockerfile changed.
  edit(
    repository,
    "templates/_base/Dockerfile",
    "ARG BASE_IMAGE=",
    "# The platform team pins the base image here.\nARG BASE_IMAGE=",
  );
  record("template-check-drifted", await cli("tools/template-check.ts", []));
  restore(repository);

  // npm run infra:diff, on a working tree that bumps orders, adds an egress CIDR and raises its production minimum.
  edit(repository, "services/orders/package.json", '"version": "1.0.0"', '"version": "1.1.0"');
  edit(
    repository,
    "services/orders/service.ts",
    '  egress: [{ cidr: "203.0.113.0/24", ports: [443], description: "payment provider API" }],\n',
    '  egress: [\n    { cidr: "203.0.113.0/24", ports: [443], description: "payment provider API" },\n    { cidr: "198.51.100.0/24", ports: [443], description: "fraud checks" },\n  ],\n',
  );
  edit(
    repository,
    "services/orders/service.ts",
    "production: { scaling: { min: 3,",
    "production: { scaling: { min: 4,",
  );
  const diff = await cli("tools/infra-diff/cli.ts", ["--base", "main"]);
  // The Markdown, for a pull request comment, is its stdout; its progress lines go to stderr.
  outputs["infra-diff-markdown"] = diff.stdout;
  statuses["infra-diff-markdown"] = diff.status;
  failures["infra-diff-markdown"] = diff.stderr;
  restore(repository);

  // npm run synth, with a service file that throws while it is loaded.
  edit(
    repository,
    "services/orders/service.ts",
    'import { defineService } from "../../infra/spec/index.js";\n',
    'import { defineService } from "../../infra/spec/index.js";\n\nif (!process.env.ORDERS_LIMIT) throw new Error("ORDERS_LIMIT is not set");\n',
  );
  record("synth-failed-service-file", await cli("tools/run-app.mjs", []));
  restore(repository);

  if (UPDATE) {
    // Only the blocks that differ: one that differs by a duration or a commit stays as it is.
    const readme = readFileSync(README, "utf8");
    const stale = readmeOutputBlocks(readme).filter(
      (block) => normaliseOutput(block.content) !== normaliseOutput(outputs[block.id] ?? "", [repository.dir]),
    );
    const rewritten = Object.fromEntries(stale.map((block) => [block.id, outputs[block.id] ?? ""]));
    writeFileAtomically(README, withReadmeOutputs(readme, rewritten));
  }
  // Seven runs of the platform's commands, three side by side, one synthesizing twice (infra:diff).
}, 600_000);

afterAll(() => {
  repository?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the README's example outputs", () => {
  it("GIVEN each command the README shows the output of WHEN it runs THEN it ends as a user expects from the example", () => {
    expect(statuses, JSON.stringify(failures, null, 2)).toEqual({
      synth: 0,
      "deploy-preflight-failed": 1,
      "new-service-refused": 2,
      "new-service-created": 0,
      "template-check-drifted": 1,
      "infra-diff-markdown": 1,
      "synth-failed-service-file": 1,
    });
  });

  it("GIVEN the README WHEN its marked blocks are read THEN each is the output of a command this test runs, and each command's output is in it", () => {
    const ids = readmeOutputBlocks(readFileSync(README, "utf8")).map((block) => block.id);
    expect([...ids].sort()).toEqual(Object.keys(outputs).sort());
  });

  it("GIVEN the README's marked blocks WHEN compared with what the commands printed THEN each is the same, up to durations, commits and temporary paths", () => {
    const blocks = readmeOutputBlocks(readFileSync(README, "utf8"));
    const inReadme = Object.fromEntries(blocks.map((block) => [block.id, normaliseOutput(block.content)]));
    const printedNow = Object.fromEntries(
      blocks.map((block) => [block.id, normaliseOutput(outputs[block.id] ?? "", [repository.dir])]),
    );
    expect(inReadme, HOW_TO_UPDATE).toEqual(printedNow);
  });
});

describe("the README's output blocks, read and rewritten", () => {
  const readme = [
    "# Title",
    "<!-- output: greeting -->",
    "```",
    "hello in 0.33s from `main` (4558c9fb962e)",
    "```",
    "",
    "```",
    "an unmarked block",
    "```",
    "",
  ].join("\n");

  it("GIVEN a marked block WHEN read THEN its id and its lines between the fences are returned, and an unmarked block is not", () => {
    expect(readmeOutputBlocks(readme)).toEqual([
      { id: "greeting", content: "hello in 0.33s from `main` (4558c9fb962e)" },
    ]);
  });

  it("GIVEN an output that differs by its duration and commit only WHEN normalised THEN it equals the block; one word more and it does not", () => {
    const block = readmeOutputBlocks(readme)[0]!.content;
    expect(normaliseOutput("hello in 12.5s from `main` (0123456789ab)\n")).toBe(normaliseOutput(block));
    expect(normaliseOutput("hello again in 0.33s from `main` (4558c9fb962e)\n")).not.toBe(normaliseOutput(block));
    expect(normaliseOutput("a line\n")).not.toBe(normaliseOutput("a line\nanother line\n"));
  });

  it("GIVEN a new output WHEN the README is rewritten THEN the marked block holds it and every other line stays", () => {
    expect(withReadmeOutputs(readme, { greeting: "hi\nthere\n", unknown: "x" })).toBe(
      readme.replace("hello in 0.33s from `main` (4558c9fb962e)", "hi\nthere"),
    );
  });
});
