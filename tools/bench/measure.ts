import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Runs a command and measures it: wall time from spawn to exit, as the parent sees it
 * (node start-up included), and the peak resident memory of the largest node process
 * it ran, reported by a module preloaded into every node process through NODE_OPTIONS.
 */

/** The preload that reports each node process's peak RSS at exit. */
export const PEAK_RSS_REPORTER = path.join(path.dirname(fileURLToPath(import.meta.url)), "peak-rss-reporter.mjs");

/** A command to measure. */
export interface MeasuredCommand {
  /** What the command is, for people: `node --import tsx infra/main.ts`. */
  readonly display: string;
  /** The program and its arguments. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Added to this process's environment. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that count as success. @default [0] */
  readonly okExitCodes?: readonly number[];
  /** Stops the command after this long. @default 600000 (ten minutes) */
  readonly timeoutMs?: number;
}

/** One run of a command. */
export interface RunSample {
  readonly wallMs: number;
  /** Peak RSS of the largest node process, in MiB; undefined when no node process reported one. */
  readonly peakRssMiB: number | undefined;
  /** CPU time (user and system) of all its node processes together, in ms; undefined when none reported. */
  readonly cpuMs: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command that did not succeed: how it ended and the end of what it printed. */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exit: string,
    readonly outputTail: string,
  ) {
    super(`${command} ${exit}${outputTail ? `; it printed:\n${outputTail}` : ""}`);
    this.name = "CommandFailedError";
  }
}

/**
 * Splits a simple command line (words without quotes, pipes or variables, like npm
 * scripts usually are) into argv; undefined when it needs a shell.
 */
export function splitSimpleCommand(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!/^[\w@./:=+,%-]+(\s+[\w@./:=+,%-]+)*$/.test(trimmed)) return undefined;
  return trimmed.split(/\s+/);
}

/** The argv of an npm script plus arguments: direct when simple, through sh otherwise. */
export function scriptArgv(script: string, args: readonly string[]): string[] {
  const simple = splitSimpleCommand(script);
  if (simple) return [...simple, ...args];
  return ["/bin/sh", "-c", `${script} "$@"`, "sh", ...args];
}

/** Runs `command` once. */
export function runOnce(command: MeasuredCommand): Promise<RunSample> {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), "bench-rss-"));
  const reportFile = path.join(reportDir, "peak-rss");
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${pathToFileURL(PEAK_RSS_REPORTER).href}`]
    .filter(Boolean)
    .join(" ");
  const binPath = path.join(command.cwd, "node_modules", ".bin");
  const env = {
    ...process.env,
    ...command.env,
    PATH: `${binPath}${path.delimiter}${process.env.PATH ?? ""}`,
    NODE_OPTIONS: nodeOptions,
    BENCH_PEAK_RSS_FILE: reportFile,
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command.argv[0]!, command.argv.slice(1), {
      cwd: command.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timeoutMs = command.timeoutMs ?? 600_000;
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      rmSync(reportDir, { recursive: true, force: true });
      reject(new CommandFailedError(command.display, `could not start (${error.message})`, ""));
    });
    child.on("close", (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      const { peakRssMiB, cpuMs } = readProcessReports(reportFile);
      rmSync(reportDir, { recursive: true, force: true });
      if (code === null || !(command.okExitCodes ?? [0]).includes(code)) {
        const exit =
          code === null
            ? `was stopped by ${signal}${signal === "SIGTERM" ? ` (timeout ${timeoutMs / 1000}s?)` : ""}`
            : `exited with status ${code}`;
        reject(new CommandFailedError(command.display, exit, tail(`${stdout}${stderr}`)));
        return;
      }
      resolve({ wallMs, peakRssMiB, cpuMs, stdout, stderr });
    });
  });
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Measured runs. */
  readonly runs: number;
  /** Unmeasured runs first (caches, the tsx transform cache, the page cache). */
  readonly warmup: number;
  /** Called before each run, warm-up included; returns the command of that run. */
  readonly command: (run: { index: number; warmup: boolean }) => MeasuredCommand;
  /** Called after each run, warm-up included, to check its output and clean up. @default nothing */
  readonly after?: (sample: RunSample, run: { index: number; warmup: boolean }) => void;
  /** Progress lines. */
  readonly progress: (line: string) => void;
}

/** Warm-up runs, then measured runs; returns the measured samples. */
export async function measure(options: MeasureOptions): Promise<RunSample[]> {
  const samples: RunSample[] = [];
  for (let i = 0; i < options.warmup; i++) {
    options.progress(`warm-up ${i + 1}/${options.warmup}`);
    const run = { index: i, warmup: true };
    const sample = await runOnce(options.command(run));
    options.after?.(sample, run);
  }
  for (let i = 0; i < options.runs; i++) {
    const run = { index: i, warmup: false };
    const sample = await runOnce(options.command(run));
    options.after?.(sample, run);
    const cpu = sample.cpuMs === undefined ? "CPU not reported" : `${(sample.cpuMs / 1000).toFixed(2)} s CPU`;
    const rss = sample.peakRssMiB === undefined ? "peak RSS not reported" : `${sample.peakRssMiB.toFixed(0)} MiB`;
    options.progress(`run ${i + 1}/${options.runs}: ${(sample.wallMs / 1000).toFixed(2)} s, ${cpu}, ${rss}`);
    samples.push(sample);
  }
  return samples;
}

function readProcessReports(file: string): { peakRssMiB: number | undefined; cpuMs: number | undefined } {
  if (!existsSync(file)) return { peakRssMiB: undefined, cpuMs: undefined };
  const reports = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" ").map(Number))
    .filter((fields) => fields.length === 4 && fields.every(Number.isFinite));
  if (reports.length === 0) return { peakRssMiB: undefined, cpuMs: undefined };
  return {
    peakRssMiB: Math.max(...reports.map(([, kib]) => kib!)) / 1024,
    cpuMs: reports.reduce((sum, [, , user, system]) => sum + (user! + system!) / 1000, 0),
  };
}

function tail(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines
    .slice(-30)
    .map((line) => `  ${line}`)
    .join("\n");
}
