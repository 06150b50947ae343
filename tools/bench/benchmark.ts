import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type HttpServerName,
  type HttpThroughputMeasurement,
  measureHttpThroughput,
  ratioOf,
  unmeasuredHttp,
} from "./http-throughput.js";
import { CommandFailedError, measure, scriptArgv, type MeasuredCommand, type RunSample } from "./measure.js";
import {
  isMeasured,
  notAvailable,
  unmeasured,
  type BenchReport,
  type CatalogueMeasurement,
  type Figure,
  type InfraDiffMeasurement,
  type Linearity,
  type Measurement,
  type TargetResult,
} from "./report.js";
import { leastSquares, median } from "./statistics.js";
import { syntheticCatalogue } from "./synthetic-catalogue.js";
import {
  cloneWithDependencies,
  commitAll,
  copyProject,
  git,
  replaceServices,
  temporaryFolder,
  writeFiles,
} from "./workspace.js";

/** The parts of the benchmark `--skip` can leave out. */
export const BENCH_STEPS = [
  "synth",
  "cdktf",
  "catalogue",
  "data-catalogue",
  "infra-diff",
  "new-service",
  "http",
  "tests",
] as const;
/** One part of the benchmark. */
export type BenchStep = (typeof BENCH_STEPS)[number];

/** The name new:service is asked to make, in a throw-away copy. */
export const NEW_SERVICE_NAME = "bench-probe";

/** Settings of one benchmark run. */
export interface BenchOptions {
  /** The repository measured (the one with package.json, infra/, services/). */
  readonly root: string;
  /** Measured runs of each command (cdktf and infra:diff: at most `slowRuns`). */
  readonly runs: number;
  /** Unmeasured runs before the measured ones. */
  readonly warmup: number;
  /** Measured runs of `npx cdktf synth` and `infra:diff`, the slow ones. */
  readonly slowRuns: number;
  /** Synthetic catalogue sizes, ascending. */
  readonly sizes: readonly number[];
  /** Seconds of load per round and server in the HTTP throughput part. */
  readonly httpSeconds: number;
  readonly skip: ReadonlySet<BenchStep>;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
}

interface Context {
  readonly options: BenchOptions;
  readonly scratch: string;
  readonly scripts: Readonly<Record<string, string>>;
  readonly failures: string[];
  readonly stepTotal: number;
  stepIndex: number;
}

function summarize(command: string, samples: readonly RunSample[]): Measurement {
  const spread = (values: readonly (number | undefined)[], what: string) => {
    const numbers = values.filter((v): v is number => v !== undefined);
    if (numbers.length < values.length || numbers.length === 0) {
      const reason = notAvailable(`no node process reported its ${what}`);
      return { median: reason, min: reason, max: reason, samples: numbers };
    }
    return { median: median(numbers), min: Math.min(...numbers), max: Math.max(...numbers), samples: numbers };
  };
  return {
    command,
    runs: samples.length,
    wallMs: spread(
      samples.map((s) => s.wallMs),
      "wall time",
    ),
    peakRssMiB: spread(
      samples.map((s) => s.peakRssMiB),
      "peak RSS",
    ),
    cpuMs: spread(
      samples.map((s) => s.cpuMs),
      "CPU time",
    ),
  };
}

/** Runs one measurement as a numbered step; a failing command becomes a "not available" figure and a failure. */
async function step(
  context: Context,
  title: string,
  display: string,
  options: {
    runs: number;
    warmup: number;
    command: (run: { index: number; warmup: boolean }) => MeasuredCommand;
    after?: (sample: RunSample, run: { index: number; warmup: boolean }) => void;
  },
): Promise<{ measurement: Measurement; samples: RunSample[] }> {
  context.stepIndex++;
  const prefix = `bench [${context.stepIndex}/${context.stepTotal}] ${title}`;
  context.options.progress(`${prefix}: ${display}`);
  try {
    const samples = await measure({ ...options, progress: (line) => context.options.progress(`${prefix}: ${line}`) });
    return { measurement: summarize(display, samples), samples };
  } catch (error) {
    if (!(error instanceof CommandFailedError)) throw error;
    context.failures.push(`${title}: ${error.message}`);
    context.options.progress(`${prefix}: FAILED: ${error.message}`);
    return { measurement: unmeasured(display, `failed: ${error.exit}`), samples: [] };
  }
}

function skipped(context: Context, title: string, display: string, reason: string): Measurement {
  context.options.progress(`bench: ${title}: ${notAvailable(reason)}`);
  return unmeasured(display, reason);
}

function readScripts(root: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  return manifest.scripts ?? {};
}

function repositoryState(root: string): BenchReport["repository"] {
  try {
    return { commit: git(root, ["rev-parse", "HEAD"]), dirty: git(root, ["status", "--porcelain"]) !== "" };
  } catch {
    return { commit: notAvailable("not a git repository"), dirty: false };
  }
}

/** How many synth runs have had an output folder of their own so far (the folders' names). */
let synthOutputs = 0;

/**
 * The synth script's command, writing to an output folder no run used before
 * (`<outputs>/<n>`): each run does the whole work, as the first synth of a fresh clone.
 * The folders are removed with the benchmark's scratch folder at the end, not before each
 * run: on a file system without a journal (this machine's ext4), creating files right after
 * deleting thousands of them costs up to several times the system time, which a fresh
 * clone does not pay.
 */
function synthCommand(context: Context, cwd: string, outputs: string): MeasuredCommand {
  const outdir = path.join(outputs, String(++synthOutputs));
  const script = context.scripts.synth!;
  return { display: script, argv: scriptArgv(script, []), cwd, env: { CDKTF_OUTDIR: outdir } };
}

/** The ratio of two medians, or why there is none. */
function ratio(numerator: Figure, denominator: Figure): Figure {
  if (!isMeasured(numerator)) return numerator;
  if (!isMeasured(denominator)) return denominator;
  return numerator / denominator;
}

function difference(minuend: Figure, subtrahend: Figure): Figure {
  if (!isMeasured(minuend)) return minuend;
  if (!isMeasured(subtrahend)) return subtrahend;
  return minuend - subtrahend;
}

/** Fits synth time (wall or CPU) against catalogue size. */
export function linearityOf(catalogues: readonly CatalogueMeasurement[], time: "wallMs" | "cpuMs"): Linearity {
  const points = catalogues
    .filter((c) => isMeasured(c[time].median))
    .map((c) => [c.services, c[time].median as number] as const);
  const marginal = catalogues.slice(1).map((c, i) => {
    const previous = catalogues[i]!;
    const extraMs = difference(c[time].median, previous[time].median);
    return {
      fromServices: previous.services,
      toServices: c.services,
      msPerService: isMeasured(extraMs) ? extraMs / (c.services - previous.services) : extraMs,
    };
  });
  if (points.length < 2) {
    const reason = notAvailable(catalogues.length < 2 ? "needs two sizes or more" : "fewer than two sizes measured");
    return { slopeMsPerService: reason, interceptMs: reason, rSquared: reason, marginal, marginalRatio: reason };
  }
  const fit = leastSquares(points);
  const first = marginal[0]?.msPerService;
  const last = marginal.at(-1)?.msPerService;
  const marginalRatio =
    marginal.length < 2
      ? notAvailable("needs three sizes or more")
      : isMeasured(first!) && isMeasured(last!)
        ? last / first
        : notAvailable("a size was not measured");
  return { slopeMsPerService: fit.slope, interceptMs: fit.intercept, rSquared: fit.rSquared, marginal, marginalRatio };
}

/** Infra-diff's own account of its synth phase, from its progress line; undefined when it does not print one. */
export function ownSynthPhaseMs(stderr: string): number | undefined {
  const match = /synthesized both sides in (\d+(?:\.\d+)?)s/.exec(stderr);
  return match ? Number(match[1]) * 1000 : undefined;
}

async function measureExample(context: Context): Promise<{ synth: Measurement; cdktf: Measurement }> {
  const { options } = context;
  const synthDisplay = context.scripts.synth ?? "npm run synth";
  const cdktfDisplay = "npx cdktf synth";
  const wantSynth = !options.skip.has("synth");
  const wantCdktf = !options.skip.has("cdktf");
  if (!context.scripts.synth) {
    return {
      synth: skipped(context, "synth", synthDisplay, "tool missing: no synth script in package.json"),
      cdktf: unmeasured(cdktfDisplay, "tool missing: no synth script"),
    };
  }
  if (!wantSynth && !wantCdktf)
    return { synth: unmeasured(synthDisplay, "skipped"), cdktf: unmeasured(cdktfDisplay, "skipped") };
  const copy = path.join(context.scratch, "example");
  copyProject(options.root, copy, { withServices: true });
  const outputs = path.join(context.scratch, "example-out");
  const synth = wantSynth
    ? (
        await step(context, "synth, example catalogue", synthDisplay, {
          runs: options.runs,
          warmup: options.warmup,
          command: () => synthCommand(context, copy, outputs),
        })
      ).measurement
    : unmeasured(synthDisplay, "skipped");
  const cdktf = wantCdktf
    ? (
        await step(context, "cdktf synth, example catalogue", cdktfDisplay, {
          runs: options.slowRuns,
          warmup: options.warmup,
          // CHECKPOINT_DISABLE stops the CLI calling home, which would only make it slower.
          command: () => {
            const cdktfOutdir = path.join(context.scratch, "cdktf-out");
            rmSync(cdktfOutdir, { recursive: true, force: true });
            return {
              display: cdktfDisplay,
              argv: ["npx", "--no-install", "cdktf", "synth", "--output", cdktfOutdir],
              cwd: copy,
              env: { CHECKPOINT_DISABLE: "1" },
            };
          },
        })
      ).measurement
    : unmeasured(cdktfDisplay, "skipped");
  return { synth, cdktf };
}

async function measureCatalogues(context: Context): Promise<CatalogueMeasurement[]> {
  const results: CatalogueMeasurement[] = [];
  for (const size of context.options.sizes)
    results.push(await measureCatalogue(context, size, { step: "catalogue", withDatabases: false }));
  return results;
}

/**
 * Synth of a catalogue of the largest size in which every service owns a PostgreSQL
 * database: what the data resources (password, container, network, Cluster, policies)
 * add to the same catalogue without them.
 */
function measureDataCatalogue(context: Context): Promise<CatalogueMeasurement> {
  return measureCatalogue(context, Math.max(...context.options.sizes), {
    step: "data-catalogue",
    withDatabases: true,
  });
}

/** The synth of one generated catalogue, in a copy of the repository of its own. */
async function measureCatalogue(
  context: Context,
  size: number,
  kind: { readonly step: "catalogue" | "data-catalogue"; readonly withDatabases: boolean },
): Promise<CatalogueMeasurement> {
  const { options } = context;
  const display = context.scripts.synth ?? "npm run synth";
  let measurement: Measurement;
  if (options.skip.has(kind.step)) measurement = unmeasured(display, "skipped");
  else if (!context.scripts.synth) measurement = unmeasured(display, "tool missing: no synth script in package.json");
  else {
    const copy = path.join(context.scratch, `${kind.step}-${size}`);
    copyProject(options.root, copy, { withServices: false });
    writeFiles(copy, syntheticCatalogue({ services: size, withDatabases: kind.withDatabases }).files);
    const outputs = path.join(context.scratch, `${kind.step}-${size}-out`);
    const title = `synth, ${size} services${kind.withDatabases ? ", each with a database" : ""}`;
    // The copy and the outputs stay until the scratch folder goes (see synthCommand).
    measurement = (
      await step(context, title, display, {
        runs: options.runs,
        warmup: options.warmup,
        command: () => synthCommand(context, copy, outputs),
      })
    ).measurement;
  }
  const perService = (median: Figure) => (isMeasured(median) ? median / size : median);
  return {
    ...measurement,
    services: size,
    msPerService: perService(measurement.wallMs.median),
    cpuMsPerService: perService(measurement.cpuMs.median),
  };
}

async function measureInfraDiff(
  context: Context,
  catalogues: readonly CatalogueMeasurement[],
): Promise<InfraDiffMeasurement> {
  const { options } = context;
  const services = Math.max(...options.sizes);
  const args = ["--base", "HEAD~1", "--head", "HEAD", "--format", "json"];
  const script = context.scripts["infra:diff"];
  const display = `${script ?? "npm run infra:diff --"} ${args.join(" ")}`;
  const withoutFigures = (measurement: Measurement): InfraDiffMeasurement => ({
    ...measurement,
    services,
    onTopOfTwoSynthsMs: measurement.wallMs.median,
    cpuOnTopOfTwoSynthsMs: measurement.wallMs.median,
    ownSynthPhaseMs: measurement.wallMs.median,
    onTopOfOwnSynthPhaseMs: measurement.wallMs.median,
  });
  if (options.skip.has("infra-diff")) return withoutFigures(unmeasured(display, "skipped"));
  if (!script)
    return withoutFigures(
      skipped(context, "infra:diff", display, "tool missing: no infra:diff script in package.json"),
    );

  // A repository with two commits of the same catalogue size: the base, and a head that
  // changes one service, as a pull request would.
  const origin = path.join(context.scratch, "infra-diff-origin");
  copyProject(options.root, origin, { withServices: false });
  writeFiles(origin, syntheticCatalogue({ services, revision: 1 }).files);
  commitAll(origin, `base: ${services} synthetic services`);
  replaceServices(origin, syntheticCatalogue({ services, revision: 2 }).files);
  commitAll(origin, "head: svc-0001 scales further in production");

  // Each run in a fresh clone, as in CI: nothing a previous run left in the clone (a
  // cache of synthesized revisions, say) makes a later run faster. Cloning is not timed.
  const clone = path.join(context.scratch, "infra-diff");
  const { measurement, samples } = await step(context, `infra:diff, ${services} services`, display, {
    runs: options.slowRuns,
    warmup: options.warmup,
    command: () => {
      rmSync(clone, { recursive: true, force: true });
      cloneWithDependencies(origin, clone, options.root);
      return { display, argv: scriptArgv(script, args), cwd: clone, okExitCodes: [0, 1] };
    },
    after: (sample) => {
      try {
        JSON.parse(sample.stdout);
      } catch {
        throw new CommandFailedError(display, "did not print JSON on stdout", sample.stderr.slice(-2000));
      }
    },
  });
  rmSync(clone, { recursive: true, force: true });
  rmSync(origin, { recursive: true, force: true });
  const synth = catalogues.find((c) => c.services === services);
  const twice = (median: Figure | undefined) =>
    median === undefined
      ? notAvailable(`no synth of ${services} services measured`)
      : isMeasured(median)
        ? 2 * median
        : median;
  const phases = samples.map((s) => ownSynthPhaseMs(s.stderr));
  const ownSynth: Figure =
    samples.length === 0
      ? measurement.wallMs.median
      : phases.every((p): p is number => p !== undefined)
        ? median(phases)
        : notAvailable("infra-diff did not print its synth time");
  return {
    ...measurement,
    services,
    onTopOfTwoSynthsMs: difference(measurement.wallMs.median, twice(synth?.wallMs.median)),
    cpuOnTopOfTwoSynthsMs: difference(measurement.cpuMs.median, twice(synth?.cpuMs.median)),
    ownSynthPhaseMs: ownSynth,
    onTopOfOwnSynthPhaseMs: difference(measurement.wallMs.median, ownSynth),
  };
}

async function measureNewService(context: Context): Promise<Measurement> {
  const { options } = context;
  const args = [NEW_SERVICE_NAME, "--no-install"];
  const script = context.scripts["new:service"];
  const display = `${script ?? "npm run new:service --"} ${args.join(" ")}`;
  if (options.skip.has("new-service")) return unmeasured(display, "skipped");
  if (!script) return skipped(context, "new:service", display, "tool missing: no new:service script in package.json");
  // A fresh copy each run (the service must not exist yet), at the same path each time,
  // because tsx's transform cache is keyed by path as well as content: a user's repository
  // does not move between runs. Copying is not timed.
  const copy = path.join(context.scratch, "new-service");
  return (
    await step(context, "new:service", display, {
      runs: options.runs,
      warmup: options.warmup,
      command: () => {
        rmSync(copy, { recursive: true, force: true });
        copyProject(options.root, copy, { withServices: true });
        return { display, argv: scriptArgv(script, args), cwd: copy };
      },
      after: (sample) => {
        const made = existsSync(path.join(copy, "services", NEW_SERVICE_NAME, "service.ts"));
        rmSync(copy, { recursive: true, force: true });
        if (!made)
          throw new CommandFailedError(
            display,
            `exited 0 but wrote no services/${NEW_SERVICE_NAME}/service.ts`,
            sample.stderr.slice(-2000),
          );
      },
    })
  ).measurement;
}

/** HTTP throughput of the template service against a bare server; `slowRuns` rounds. */
async function measureHttp(context: Context): Promise<HttpThroughputMeasurement> {
  const { options } = context;
  const settings = { durationSeconds: options.httpSeconds, warmupSeconds: Math.min(3, options.httpSeconds) };
  if (options.skip.has("http")) return unmeasuredHttp("skipped", settings);
  context.stepIndex++;
  const prefix = `bench [${context.stepIndex}/${context.stepTotal}] http`;
  context.options.progress(`${prefix}: autocannon against a bare node:http server and the template service`);
  try {
    return await measureHttpThroughput({
      ...settings,
      root: options.root,
      scratch: context.scratch,
      rounds: options.slowRuns,
      progress: (line) => context.options.progress(`${prefix}: ${line}`),
    });
  } catch (error) {
    const message = (error as Error).message;
    context.failures.push(`http: ${message}`);
    context.options.progress(`${prefix}: FAILED: ${message}`);
    return unmeasuredHttp(`failed: ${message.split("\n")[0]!.slice(0, 200)}`, settings);
  }
}

async function measureTests(context: Context): Promise<Measurement> {
  const display = "npm test";
  if (context.options.skip.has("tests")) return unmeasured(display, "skipped");
  // Once, without warm-up: the suite takes long enough that one run says enough.
  return (
    await step(context, "npm test", display, {
      runs: 1,
      warmup: 0,
      command: () => ({ display, argv: ["npm", "test"], cwd: context.options.root }),
    })
  ).measurement;
}

function targetsOf(report: Omit<BenchReport, "targets" | "failures" | "finishedAt" | "machine">): TargetResult[] {
  const check = (
    name: string,
    target: string,
    measured: Figure,
    unit: TargetResult["unit"],
    passes: (value: number) => boolean,
  ): TargetResult => ({
    name,
    target,
    measured,
    unit,
    met: isMeasured(measured) ? passes(measured) : "not available",
  });
  const at500 = report.catalogues.find((c) => c.services === 500);
  const missing500 = notAvailable("500 not among --sizes");
  const withDatabases500 = report.dataCatalogue.services === 500 ? report.dataCatalogue : undefined;
  return [
    check(
      "`npm run synth`, example catalogue, median wall time",
      "< 1.5 s",
      report.exampleSynth.wallMs.median,
      "ms",
      (v) => v < 1500,
    ),
    check("`npx cdktf synth` median / `npm run synth` median", ">= 5x", report.cdktfRatio, "x", (v) => v >= 5),
    check("synth, 500 services, median wall time", "< 4 s", at500?.wallMs.median ?? missing500, "ms", (v) => v < 4000),
    check(
      "synth, 500 services, median peak RSS",
      "< 400 MiB",
      at500?.peakRssMiB.median ?? missing500,
      "MiB",
      (v) => v < 400,
    ),
    check(
      "synth, 500 services each with a database, median wall time",
      "< 4 s",
      withDatabases500?.wallMs.median ?? missing500,
      "ms",
      (v) => v < 4000,
    ),
    check(
      "synth, 500 services each with a database, median peak RSS",
      "< 400 MiB",
      withDatabases500?.peakRssMiB.median ?? missing500,
      "MiB",
      (v) => v < 400,
    ),
    // CPU time: other load on a shared machine bends the wall-time line, not the CPU-time one.
    check(
      "synth CPU time linear in services (least-squares line over the sizes)",
      "R² >= 0.99",
      report.cpuLinearity.rSquared,
      "R²",
      (v) => v >= 0.99,
    ),
    // infra:diff runs its two synths at once, so "on top of the two synths" is its wall time
    // minus its own synth phase; without that figure, minus two separately measured synths.
    isMeasured(report.infraDiff.onTopOfOwnSynthPhaseMs)
      ? check(
          `\`infra:diff\` on top of its two ${report.infraDiff.services}-service synths (total minus its synth phase)`,
          "< 2 s",
          report.infraDiff.onTopOfOwnSynthPhaseMs,
          "ms",
          (v) => v < 2000,
        )
      : check(
          `\`infra:diff\` on top of two ${report.infraDiff.services}-service synths (total minus two synths)`,
          "< 2 s",
          report.infraDiff.onTopOfTwoSynthsMs,
          "ms",
          (v) => v < 2000,
        ),
    check(
      "`new:service -- <name> --no-install`, median wall time",
      "< 1 s",
      report.newService.wallMs.median,
      "ms",
      (v) => v < 1000,
    ),
    check("`npm test`, wall time", "< 60 s", report.npmTest.wallMs.median, "ms", (v) => v < 60000),
    check(
      "HTTP requests/s, template service with LOG_LEVEL=warn / bare `node:http`",
      ">= 0.7x",
      httpRatio(report.http, "service-warn"),
      "x",
      (v) => v >= 0.7,
    ),
    check(
      "HTTP requests/s, template service with the default configuration / bare `node:http`",
      ">= 0.5x",
      httpRatio(report.http, "service-default"),
      "x",
      (v) => v >= 0.5,
    ),
    check(
      "tracing cost: HTTP requests/s, template service with tracing on (default sampling, ratio 1; production's 0.1 is a row of the HTTP table, not judged) / tracing off, LOG_LEVEL=warn",
      ">= 0.8x (cost <= 20%)",
      ratioOf(httpRatio(report.http, "service-traced"), httpRatio(report.http, "service-warn")),
      "x",
      (v) => v >= 0.8,
    ),
  ];
}

function httpRatio(http: HttpThroughputMeasurement, server: HttpServerName): Figure {
  return http.servers.find((s) => s.server === server)?.ratioToBare ?? notAvailable(`no ${server} server measured`);
}

/** Runs every step that is not skipped and returns the report. */
export async function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = os.loadavg();
  const scripts = readScripts(options.root);
  const has = (s: BenchStep) => !options.skip.has(s);
  const stepTotal =
    (has("synth") ? 1 : 0) +
    (has("cdktf") ? 1 : 0) +
    (has("catalogue") ? options.sizes.length : 0) +
    (has("data-catalogue") ? 1 : 0) +
    (has("infra-diff") && scripts["infra:diff"] ? 1 : 0) +
    (has("new-service") && scripts["new:service"] ? 1 : 0) +
    (has("http") ? 1 : 0) +
    (has("tests") ? 1 : 0);
  const scratch = temporaryFolder("bench-");
  const context: Context = { options, scratch, scripts, failures: [], stepTotal, stepIndex: 0 };
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.once("exit", removeScratch);
  try {
    const { synth: exampleSynth, cdktf: cdktfSynth } = await measureExample(context);
    const catalogues = await measureCatalogues(context);
    const dataCatalogue = await measureDataCatalogue(context);
    const infraDiff = await measureInfraDiff(context, catalogues);
    const newService = await measureNewService(context);
    const http = await measureHttp(context);
    const npmTest = await measureTests(context);
    const partial = {
      schemaVersion: 1 as const,
      startedAt,
      repository: repositoryState(options.root),
      settings: {
        runs: options.runs,
        warmup: options.warmup,
        cdktfRuns: options.slowRuns,
        infraDiffRuns: options.slowRuns,
        sizes: options.sizes,
        infraDiffServices: Math.max(...options.sizes),
        httpSeconds: options.httpSeconds,
        skipped: [...options.skip],
      },
      exampleSynth,
      cdktfSynth,
      cdktfRatio: ratio(cdktfSynth.wallMs.median, exampleSynth.wallMs.median),
      catalogues,
      dataCatalogue,
      linearity: linearityOf(catalogues, "wallMs"),
      cpuLinearity: linearityOf(catalogues, "cpuMs"),
      infraDiff,
      newService,
      http,
      npmTest,
    };
    const cpus = os.cpus();
    return {
      ...partial,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? "unknown",
        memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
        node: process.version,
        platform: `${process.platform} ${os.release()}`,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg(),
      },
      targets: targetsOf(partial),
      failures: context.failures,
    };
  } finally {
    removeScratch();
    process.removeListener("exit", removeScratch);
  }
}
