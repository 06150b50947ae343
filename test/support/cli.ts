import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for assertions that do not care which. */
  readonly output: string;
}

/**
 * node's arguments to run `script` the way its npm script does: a TypeScript file with the
 * tsx loader, a JavaScript file (the compiled launcher tools/run-app.mjs) with node alone.
 */
export function nodeArguments(script: string, args: readonly string[] = []): string[] {
  return script.endsWith(".ts") ? ["--import", "tsx", script, ...args] : [script, ...args];
}

/**
 * Runs a CLI the way its npm script does (see `nodeArguments`), from
 * `cwd` (default: this repository). Asynchronous, so that servers the test itself runs keep answering.
 * `timeoutMs` (default 120 s, the suite's test budget) ends a CLI that hangs: a ceiling, not a
 * measure of speed. At 60 s it could end a working infra:diff (two synths) on a 2-core machine
 * shared with other test runs, which would then fail with no exit code and half its output.
 */
export function runCli(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArguments(path.join(options.cwd ?? ROOT, script), args), {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr, output: `${stdout}${stderr}` }));
    child.stdin.end(options.input ?? "");
  });
}

/** A CLI running in the background (see `startCli`). */
export interface StartedCli {
  readonly pid: number;
  /** Resolves with stdout and stderr so far as soon as they match `pattern`; rejects if the CLI ends first. */
  outputMatching(pattern: RegExp): Promise<string>;
  /** How it ended. */
  readonly finished: Promise<CliRun>;
}

/**
 * Starts a CLI as `runCli` does and returns at once, so that a test can wait for what it
 * prints (that it is waiting for a lock, say) before it acts.
 */
export function startCli(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): StartedCli {
  const child = spawn(process.execPath, nodeArguments(path.join(options.cwd ?? ROOT, script), args), {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watch of watchers) watch();
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    notify();
  });
  const finished = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, stdout, stderr, output: `${stdout}${stderr}` });
      notify();
    });
  });
  return {
    pid: child.pid!,
    finished,
    outputMatching: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = () => {
          const output = `${stdout}${stderr}`;
          if (pattern.test(output)) {
            watchers.delete(watch);
            resolve(output);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(watch);
            reject(new Error(`${script} ended (status ${child.exitCode}) without printing ${pattern}:\n${output}`));
          }
        };
        watchers.add(watch);
        watch();
      }),
  };
}
