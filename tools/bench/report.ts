import type { HttpThroughputMeasurement } from "./http-throughput.js";

/**
 * The benchmark's results: the JSON shape `--json` writes (documented in
 * docs/BENCHMARKS.md) and its Markdown rendering.
 */

/**
 * A measured figure: a number, or a string that starts with "not available" and says
 * why (skipped, tool missing, command failed, not enough sizes ...).
 */
export type Figure = number | string;

/** A figure that could not be measured, with the reason. */
export function notAvailable(reason: string): string {
  return `not available (${reason})`;
}

/** Whether a figure holds a number. */
export function isMeasured(figure: Figure): figure is number {
  return typeof figure === "number";
}

/** Median and range of the measured runs. */
export interface Spread {
  readonly median: Figure;
  readonly min: Figure;
  readonly max: Figure;
  /** Every measured run, in order; empty when not measured. */
  readonly samples: readonly number[];
}

/** One measured command. */
export interface Measurement {
  /** The command, as run (no npm wrapper unless it says npm). */
  readonly command: string;
  /** Measured runs (warm-up runs not counted); 0 when not measured. */
  readonly runs: number;
  /** Wall time from spawn to exit, node start-up included. */
  readonly wallMs: Spread;
  /** Peak resident memory of the largest node process the command ran, in MiB. */
  readonly peakRssMiB: Spread;
  /**
   * CPU time (user + system) of all the node processes the command ran, in ms: less sensitive to other load than wall
   * time.
   */
  readonly cpuMs: Spread;
}

/** A synth of a synthetic catalogue of one size. */
export interface CatalogueMeasurement extends Measurement {
  readonly services: number;
  /** Median wall time divided by the number of services. */
  readonly msPerService: Figure;
  /** Median CPU time divided by the number of services. */
  readonly cpuMsPerService: Figure;
}

/** How synth time grows with the number of services. */
export interface Linearity {
  /** Least-squares slope of median wall time over services: the cost of one more service. */
  readonly slopeMsPerService: Figure;
  /** The line's value at zero services: start-up and fixed costs. */
  readonly interceptMs: Figure;
  /** R² of that line over the sizes (1 is a perfect line). */
  readonly rSquared: Figure;
  /** Extra time per extra service between consecutive sizes. */
  readonly marginal: ReadonlyArray<{
    readonly fromServices: number;
    readonly toServices: number;
    readonly msPerService: Figure;
  }>;
  /** The last marginal per-service time divided by the first: about 1 when linear, above 1 when it grows faster. */
  readonly marginalRatio: Figure;
}

/** `infra:diff` between two synthetic catalogues of the same size. */
export interface InfraDiffMeasurement extends Measurement {
  readonly services: number;
  /** Median wall time minus two median synths of a catalogue of that size (measured above). */
  readonly onTopOfTwoSynthsMs: Figure;
  /** The same in CPU time: the work infra:diff adds to the two synths, however it schedules them. */
  readonly cpuOnTopOfTwoSynthsMs: Figure;
  /** Median of the synth phase infra-diff reports itself (it synthesizes both sides at once). */
  readonly ownSynthPhaseMs: Figure;
  /** Median wall time minus that synth phase: checkouts, comparison, rendering, start-up. */
  readonly onTopOfOwnSynthPhaseMs: Figure;
}

/** One target of issue 8 and whether this run met it. */
export interface TargetResult {
  readonly name: string;
  /** The target, for people: "< 1.5 s". */
  readonly target: string;
  readonly measured: Figure;
  /** Unit of `measured`. */
  readonly unit: "ms" | "MiB" | "x" | "R²";
  readonly met: boolean | "not available";
}

/** What `npm run bench -- --json FILE` writes. */
export interface BenchReport {
  readonly schemaVersion: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryMiB: number;
    readonly node: string;
    readonly platform: string;
    /** os.loadavg() (1, 5, 15 minutes) when the benchmark started and when it ended. */
    readonly loadAverageAtStart: readonly number[];
    readonly loadAverageAtEnd: readonly number[];
  };
  /** The commit measured; `dirty` when the working tree had changes. */
  readonly repository: { readonly commit: string; readonly dirty: boolean };
  readonly settings: {
    readonly runs: number;
    readonly warmup: number;
    readonly cdktfRuns: number;
    readonly infraDiffRuns: number;
    readonly sizes: readonly number[];
    readonly infraDiffServices: number;
    /** Seconds of load per round and server in the HTTP part. */
    readonly httpSeconds: number;
    readonly skipped: readonly string[];
  };
  /** `npm run synth` of the example catalogue (the script's command, without npm). */
  readonly exampleSynth: Measurement;
  /** `npx cdktf synth` of the same app, in the same run. */
  readonly cdktfSynth: Measurement;
  /** cdktf's median over synth's median: how many times faster the direct synth is. */
  readonly cdktfRatio: Figure;
  readonly catalogues: readonly CatalogueMeasurement[];
  /** Synth of a catalogue of the largest size in which every service owns a PostgreSQL database. */
  readonly dataCatalogue: CatalogueMeasurement;
  /** Growth of the median wall time with the number of services. */
  readonly linearity: Linearity;
  /** The same for the median CPU time, which other load on the machine disturbs less. */
  readonly cpuLinearity: Linearity;
  readonly infraDiff: InfraDiffMeasurement;
  /** `npm run new:service -- <name> --no-install` (the script's command, without npm), in a fresh copy each run. */
  readonly newService: Measurement;
  /** HTTP throughput on loopback: the template service against a bare `node:http` server, in the same run. */
  readonly http: HttpThroughputMeasurement;
  /** `npm test`, once. */
  readonly npmTest: Measurement;
  readonly targets: readonly TargetResult[];
  /** Commands that failed, with the end of their output. */
  readonly failures: readonly string[];
}

/** A measurement that did not happen, with every figure saying why. */
export function unmeasured(command: string, reason: string): Measurement {
  const spread: Spread = {
    median: notAvailable(reason),
    min: notAvailable(reason),
    max: notAvailable(reason),
    samples: [],
  };
  return { command, runs: 0, wallMs: spread, peakRssMiB: spread, cpuMs: spread };
}

function seconds(ms: Figure): string {
  return isMeasured(ms) ? `${(ms / 1000).toFixed(2)} s` : ms;
}

function spreadCell(spread: Spread, format: (value: number) => string, unit: string): string {
  if (!isMeasured(spread.median)) return String(spread.median);
  const range =
    isMeasured(spread.min) && isMeasured(spread.max) && spread.samples.length > 1
      ? ` (${format(spread.min)}–${format(spread.max)})`
      : "";
  return `${format(spread.median)} ${unit}${range}`;
}

const wallCell = (spread: Spread) => spreadCell(spread, (ms) => (ms / 1000).toFixed(2), "s");
const rssCell = (spread: Spread) => spreadCell(spread, (mib) => mib.toFixed(0), "MiB");

function formatMeasured(target: TargetResult): string {
  if (!isMeasured(target.measured)) return target.measured;
  switch (target.unit) {
    case "ms":
      return seconds(target.measured);
    case "MiB":
      return `${target.measured.toFixed(0)} MiB`;
    case "x":
      return `${target.measured.toFixed(target.measured < 10 ? 2 : 1)}x`;
    case "R²":
      return `R² ${target.measured.toFixed(4)}`;
  }
}

/** The report as Markdown: the measurements, the growth with catalogue size, and the targets. */
export function renderMarkdown(report: BenchReport): string {
  const row = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  const measurementRow = (name: string, m: Measurement) => {
    const wall = wallCell(m.wallMs);
    const cpu = wallCell(m.cpuMs);
    const rss = rssCell(m.peakRssMiB);
    return row([name, m.runs, wall, cpu === wall ? "–" : cpu, rss === wall ? "–" : rss]);
  };
  const lines: string[] = [];
  const load = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(", ");
  lines.push(
    `Measured ${report.startedAt} on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryMiB} MiB, node ${report.machine.node};` +
      ` load average ${load(report.machine.loadAverageAtStart)} at the start, ${load(report.machine.loadAverageAtEnd)} at the end;` +
      ` commit ${report.repository.commit}${report.repository.dirty ? " (with uncommitted changes)" : ""};` +
      ` ${report.settings.warmup} warm-up run(s) before the measured ones.`,
    "",
    row([
      "measurement",
      "runs",
      "wall time, median (min–max)",
      "CPU time, median (min–max)",
      "peak RSS, median (min–max)",
    ]),
    row(["---", "---:", "---:", "---:", "---:"]),
    measurementRow("`npm run synth`, example catalogue (node directly)", report.exampleSynth),
    measurementRow("`npx cdktf synth`, same app", report.cdktfSynth),
    ...report.catalogues.map((c) => measurementRow(`synth, ${c.services} synthetic services`, c)),
    measurementRow(
      `synth, ${report.dataCatalogue.services} synthetic services, each with a database`,
      report.dataCatalogue,
    ),
    measurementRow(`\`infra:diff\`, two ${report.infraDiff.services}-service commits`, report.infraDiff),
    measurementRow("`new:service -- <name> --no-install`", report.newService),
    measurementRow("`npm test`", report.npmTest),
    "",
  );
  lines.push(
    `Direct synth vs \`npx cdktf synth\`: ${isMeasured(report.cdktfRatio) ? `${report.cdktfRatio.toFixed(1)}x faster` : report.cdktfRatio}.`,
    "",
    row([
      "services",
      "wall ms per service",
      "extra wall ms per extra service",
      "CPU ms per service",
      "extra CPU ms per extra service",
    ]),
    row(["---:", "---:", "---:", "---:", "---:"]),
    ...report.catalogues.map((c, i) => {
      const previous = i > 0 ? report.catalogues[i - 1] : undefined;
      const marginal = (linearity: Linearity) => {
        const step = linearity.marginal.find((m) => m.toServices === c.services);
        return step && previous ? `${formatNumber(step.msPerService, 1)} (from ${previous.services})` : "";
      };
      return row([
        c.services,
        formatNumber(c.msPerService, 1),
        marginal(report.linearity),
        formatNumber(c.cpuMsPerService, 1),
        marginal(report.cpuLinearity),
      ]);
    }),
    "",
    ...(["wall", "CPU"] as const).map((kind) => {
      const linearity = kind === "wall" ? report.linearity : report.cpuLinearity;
      return (
        `Least-squares line of ${kind} time over the sizes: ${formatNumber(linearity.slopeMsPerService, 2)} ms per service + ${formatNumber(linearity.interceptMs, 0)} ms fixed, R² ${formatNumber(linearity.rSquared, 4)};` +
        ` last over first marginal cost per service: ${formatNumber(linearity.marginalRatio, 2)}.`
      );
    }),
    "",
    isMeasured(report.infraDiff.wallMs.median)
      ? `\`infra:diff\` of two ${report.infraDiff.services}-service commits: its synth phase (both sides at once, as it reports it) ${seconds(report.infraDiff.ownSynthPhaseMs)},` +
          ` the rest (checkouts, reading, comparison, start-up) ${seconds(report.infraDiff.onTopOfOwnSynthPhaseMs)}.` +
          ` Against two synths measured above: ${seconds(report.infraDiff.cpuOnTopOfTwoSynthsMs)} more CPU time, ${seconds(report.infraDiff.onTopOfTwoSynthsMs)} more wall time` +
          ` (less when running both at once on two cores beats running them one after the other).`
      : `\`infra:diff\`: ${report.infraDiff.wallMs.median}.`,
    "",
    ...renderHttp(report.http, row),
    row(["target", "wanted", "measured", "result"]),
    row(["---", "---", "---:", "---"]),
    ...report.targets.map((t) =>
      row([
        t.name,
        t.target,
        formatMeasured(t),
        t.met === "not available" ? "not available" : t.met ? "met" : "**missed**",
      ]),
    ),
  );
  if (report.failures.length > 0)
    lines.push("", "Failed commands:", "", ...report.failures.map((f) => `- ${f.split("\n")[0]}`));
  return `${lines.join("\n")}\n`;
}

function renderHttp(http: HttpThroughputMeasurement, row: (cells: readonly (string | number)[]) => string): string[] {
  const cell = (figure: Figure, digits: number, unit: string) =>
    isMeasured(figure) ? `${figure.toFixed(digits)}${unit}` : figure;
  return [
    `HTTP throughput (autocannon, loopback, GET ${http.path}, ${http.connections} connections, ${http.durationSeconds} s a round after ${http.warmupSeconds} s of warm-up; median of the rounds, the servers taken in turn):`,
    "",
    row([
      "server",
      "rounds",
      "requests/s",
      "ratio to bare",
      "p50 latency",
      "p99 latency",
      "server CPU per request",
      "ratio to bare by CPU per request",
      "peak RSS",
      "failed requests",
    ]),
    row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...http.servers.map((s) =>
      row([
        s.display,
        s.rounds,
        cell(s.requestsPerSecond, 0, ""),
        cell(s.ratioToBare, 2, "x"),
        cell(s.latencyP50Ms, 0, " ms"),
        cell(s.latencyP99Ms, 0, " ms"),
        cell(s.cpuMicrosPerRequest, 0, " µs"),
        cell(s.cpuRatioToBare, 2, "x"),
        cell(s.peakRssMiB, 0, " MiB"),
        s.failedRequests,
      ]),
    ),
    "",
  ];
}

function formatNumber(figure: Figure, digits: number): string {
  return isMeasured(figure) ? figure.toFixed(digits) : figure;
}
