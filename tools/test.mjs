#!/usr/bin/env node
/**
 * `npm test`: the type check (`tsc --noEmit`) and the test suite (`vitest run`) at the
 * same time, exiting non-zero when either fails. Arguments go to vitest
 * (`npm test -- test/infra` runs those tests, and still type-checks everything).
 *
 * Run one after the other, the type check (about 7 s of CPU) added its whole time to the
 * suite's. Side by side it uses the moments the suite waits on the processes it starts.
 * It is incremental: its build info is kept in node_modules/.cache/tsc, so a second run
 * checks only what changed (about half the CPU); a fresh clone has none and checks
 * everything. It runs at the normal priority: at a lower one, on a machine shared with
 * other busy processes, it could get so little CPU that it would finish long after the tests.
 *
 * Biome (`biome check`: the formatter and the linter, configured in biome.jsonc) runs
 * beside them too; it takes about a second. `npm run format` writes what it asks for.
 *
 * tsc and Biome print nothing here but their errors; they are printed after the tests'
 * output, each as one block, not interleaved with it. Plain JavaScript, like
 * tools/run-app.mjs: it starts the TypeScript tools, it needs none to start.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/**
 * Runs `command`, resolving with its exit code (1 when it dies of a signal or cannot start) and what it printed when
 * buffered.
 */
function run(command, args, { buffer }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: buffer ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (buffer) {
      child.stdout.setEncoding("utf8").on("data", (chunk) => (output += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    }
    child.on("error", (error) => resolve({ code: 1, output: `${command}: ${error.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const typecheck = run(
  bin("tsc"),
  [
    "--noEmit",
    "--incremental",
    "--tsBuildInfoFile",
    path.join("node_modules", ".cache", "tsc", "typecheck.tsbuildinfo"),
  ],
  { buffer: true },
);
const style = run(bin("biome"), ["check", "--colors=off", "--error-on-warnings", "."], { buffer: true });
const tests = await run(bin("vitest"), ["run", ...process.argv.slice(2)], { buffer: false });
const types = await typecheck;
if (types.code !== 0) process.stderr.write(`\ntsc --noEmit failed (exit ${types.code}):\n${types.output}`);
else process.stderr.write("tsc --noEmit: no type errors\n");
const checked = await style;
if (checked.code !== 0)
  process.stderr.write(
    `\nbiome check failed (exit ${checked.code}; npm run format fixes formatting):\n${checked.output}`,
  );
else process.stderr.write("biome check: formatted, no lint findings\n");
process.exitCode = [tests.code, types.code, checked.code].find((code) => code !== 0) ?? 0;
