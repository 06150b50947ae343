import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

/**
 * tools/test.mjs (`npm test`) is run in a temporary project whose tsc and vitest are
 * stand-ins, and so is biome: shell scripts that print what they were given and exit with
 * the code the test asks for. What is tested is the command's own work: all three run,
 * arguments reach vitest, the exit code fails when any fails, tsc's and biome's errors
 * are printed.
 */
let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), "platform-test-command-"));
  mkdirSync(path.join(project, "tools"));
  copyFileSync(path.join(ROOT, "tools", "test.mjs"), path.join(project, "tools", "test.mjs"));
  const bin = path.join(project, "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  const standIn = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  standIn(
    "tsc",
    'echo "tsc $*" > "$PWD/tsc-args"\n[ "$TSC_FAILS" = 1 ] && { echo "infra/app.ts(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'."; exit 2; }\nexit 0',
  );
  standIn("vitest", 'echo "vitest $*"\n[ "$VITEST_FAILS" = 1 ] && { echo "1 failed"; exit 1; }\nexit 0');
  standIn(
    "biome",
    'echo "biome $*" > "$PWD/biome-args"\n[ "$BIOME_FAILS" = 1 ] && { echo "infra/app.ts:3:7 lint/suspicious/noExplicitAny"; exit 1; }\nexit 0',
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function npmTest(args: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [path.join(project, "tools", "test.mjs"), ...args], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Its output as a terminal shows it: stdout and stderr in the order they were written. */
function npmTestOutput(env: Record<string, string>) {
  const script = path.join(project, "tools", "test.mjs");
  return spawnSync("sh", ["-c", `"${process.execPath}" "${script}" 2>&1`], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, ...env },
  }).stdout;
}

describe("npm test (tools/test.mjs)", () => {
  it("GIVEN a type check and tests that pass WHEN run with arguments THEN vitest gets them, tsc checks incrementally, and it exits 0", () => {
    const run = npmTest(["test/infra", "--reporter=default"]);
    expect(run.stdout).toContain("vitest run test/infra --reporter=default");
    expect(run.stderr).toContain("tsc --noEmit: no type errors");
    expect(readFileSync(path.join(project, "tsc-args"), "utf8")).toBe(
      `tsc --noEmit --incremental --tsBuildInfoFile ${path.join("node_modules", ".cache", "tsc", "typecheck.tsbuildinfo")}\n`,
    );
    expect(run.status).toBe(0);
  });

  it("GIVEN a type error and passing tests WHEN run THEN it prints tsc's errors after the tests and exits with tsc's code", () => {
    const run = npmTest([], { TSC_FAILS: "1" });
    expect(run.stderr).toContain(
      "tsc --noEmit failed (exit 2):\ninfra/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    );
    expect(run.status).toBe(2);
    const output = npmTestOutput({ TSC_FAILS: "1" });
    expect(output.indexOf("vitest run")).toBeGreaterThanOrEqual(0);
    expect(output.indexOf("vitest run")).toBeLessThan(output.indexOf("tsc --noEmit failed"));
  });

  it("GIVEN a lint finding and passing tests WHEN run THEN biome checks the whole tree, its report is printed after the tests, and it exits 1", () => {
    const run = npmTest([], { BIOME_FAILS: "1" });
    expect(readFileSync(path.join(project, "biome-args"), "utf8")).toBe(
      "biome check --colors=off --error-on-warnings .\n",
    );
    expect(run.stderr).toContain(
      "biome check failed (exit 1; npm run format fixes formatting):\ninfra/app.ts:3:7 lint/suspicious/noExplicitAny",
    );
    expect(run.status).toBe(1);
    expect(npmTest([]).stderr).toContain("biome check: formatted, no lint findings");
  });

  it("GIVEN a failing test WHEN run THEN it exits with vitest's code, whatever tsc says", () => {
    expect(npmTest([], { VITEST_FAILS: "1" }).status).toBe(1);
    expect(npmTest([], { VITEST_FAILS: "1", TSC_FAILS: "1" }).status).toBe(1);
  });
});
