/**
 * `npm run bench`: measures how fast the platform's commands are on this machine
 * (synth of the example catalogue and of synthetic catalogues of growing size, against
 * `npx cdktf synth`; infra:diff; new:service; HTTP throughput of the service runtime;
 * npm test) and prints a Markdown table.
 * It works in temporary copies and never writes to this repository. See USAGE and
 * docs/BENCHMARKS.md.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BENCH_STEPS, runBenchmark, type BenchStep } from "./bench/benchmark.js";
import { renderMarkdown } from "./bench/report.js";

const USAGE = `Usage: npm run bench -- [options]

Measures, after warm-up runs, the median and range of wall time and peak memory of:
  synth         npm run synth of the example catalogue (the script's command, no npm wrapper)
  cdktf         npx cdktf synth of the same app, and how many times slower it is
  catalogue     synth of generated catalogues of each --sizes (in a temporary copy)
  data-catalogue  synth of a catalogue of the largest size in which every service
                owns a PostgreSQL database
  infra-diff    npm run infra:diff -- --base HEAD~1 --head HEAD --format json between two
                commits of a catalogue of the largest size (in a temporary git repository)
  new-service   npm run new:service -- ${"<name>"} --no-install, in a fresh copy each run
  http          HTTP requests/s, p50/p99 latency and peak RSS (autocannon, loopback) of
                a bare node:http server and of the http-service template's service
                bundled on the runtime, with LOG_LEVEL=warn, with the default
                configuration (request lines on, to a file), and traced at the
                default sampling and at production's; rounds: as cdktf
  tests         npm test, once
A tool the repository does not have yet is reported as "not available (tool missing)".

Options:
  --runs <n>          measured runs of each command, 1-50 (default 5; cdktf and
                      infra-diff: at most 3)
  --warmup <n>        unmeasured runs before them, 0-10 (default 1)
  --sizes <a,b,...>   synthetic catalogue sizes, 1-9999 services (default 10,100,500)
  --http-seconds <n>  seconds of load per round and server in http, 1-120 (default 10)
  --skip <a,b,...>    leave out some of: ${BENCH_STEPS.join(", ")}
  --json <file>       also write the results as JSON (shape: docs/BENCHMARKS.md)
  --markdown <file>   also write the Markdown table to a file
  -h, --help          this help

Progress goes to stderr, the Markdown table to stdout. Exit 0 when everything was
measured (missed targets included: it measures, it does not judge), 1 when a measured
command failed (its figures say "not available"), 2 on bad input.`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

class BadInputError extends Error {}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new BadInputError(`${option}: "${text}" is not accepted; accepted: a whole number from ${min} to ${max}`);
  return value;
}

const OPTIONS = {
  runs: { type: "string" },
  warmup: { type: "string" },
  sizes: { type: "string" },
  "http-seconds": { type: "string" },
  skip: { type: "string", multiple: true },
  json: { type: "string" },
  markdown: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parseCommandLine(argv: string[]) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: false; strict: true; options: typeof OPTIONS }>
  >;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: OPTIONS });
  } catch (error) {
    throw new BadInputError(`${(error as Error).message}; see --help`);
  }
  const { values } = parsed;
  const runs = values.runs === undefined ? 5 : wholeNumber("--runs", values.runs, 1, 50);
  const warmup = values.warmup === undefined ? 1 : wholeNumber("--warmup", values.warmup, 0, 10);
  const sizes = [
    ...new Set((values.sizes ?? "10,100,500").split(",").map((s) => wholeNumber("--sizes", s.trim(), 1, 9999))),
  ].sort((a, b) => a - b);
  const httpSeconds =
    values["http-seconds"] === undefined ? 10 : wholeNumber("--http-seconds", values["http-seconds"], 1, 120);
  const skip = new Set<BenchStep>();
  for (const name of (values.skip ?? [])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(BENCH_STEPS as readonly string[]).includes(name))
      throw new BadInputError(`--skip: "${name}" is not accepted; accepted: ${BENCH_STEPS.join(", ")}`);
    skip.add(name as BenchStep);
  }
  return {
    help: values.help === true,
    runs,
    warmup,
    sizes,
    httpSeconds,
    skip,
    json: values.json,
    markdown: values.markdown,
  };
}

/** Writes through a temp file and a rename, so a reader never sees half a file. */
function writeAtomically(file: string, content: string): void {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = `${target}.tmp-${process.pid}`;
  writeFileSync(staging, content);
  renameSync(staging, target);
}

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    console.error(`bench: ${error.message}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await runBenchmark({
    root,
    runs: options.runs,
    warmup: options.warmup,
    slowRuns: Math.min(options.runs, 3),
    sizes: options.sizes,
    httpSeconds: options.httpSeconds,
    skip: options.skip,
    progress: (line) => console.error(line),
  });
  const markdown = renderMarkdown(report);
  process.stdout.write(markdown);
  if (options.markdown) writeAtomically(options.markdown, markdown);
  if (options.json) writeAtomically(options.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
