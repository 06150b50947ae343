import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type Result as LoadResult } from "autocannon";
import { type OtlpReceiver, startOtlpReceiver } from "../../templates/runtime/src/otlp-receiver.js";
import { TRACE_SAMPLING_RATIOS } from "../../infra/tracing-settings.js";
import { scriptArgv } from "./measure.js";
import { type Figure, isMeasured, notAvailable } from "./report.js";
import { median } from "./statistics.js";
import { copyProject } from "./workspace.js";

/** The service the benchmark makes from the http-service template, in a temporary copy. */
export const HTTP_SERVICE_NAME = "bench-http";
/** The route of the template service that is loaded, and what the bare server answers the same way. */
export const HTTP_PATH = "/hello";

const BARE_SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "bare-http-server.mjs");

/** The servers measured side by side, in this order: the first is the reference. */
export const HTTP_SERVERS = [
  { name: "bare", display: "bare `node:http`, same JSON" },
  { name: "service-warn", display: "template service (runtime bundle), LOG_LEVEL=warn" },
  { name: "service-default", display: "template service (runtime bundle), default configuration (request lines on)" },
  {
    name: "service-traced",
    display:
      "template service (runtime bundle), LOG_LEVEL=warn, tracing on (default sampling, parentbased_always_on; OTLP/HTTP to a local sink)",
  },
  {
    name: "service-traced-production",
    display: `template service (runtime bundle), LOG_LEVEL=warn, tracing on at production's default sampling (parentbased_traceidratio, ${TRACE_SAMPLING_RATIOS.production}; OTLP/HTTP to a local sink)`,
  },
] as const;
/** One of {@link HTTP_SERVERS}. */
export type HttpServerName = (typeof HTTP_SERVERS)[number]["name"];

/** The load of one server, over the rounds. */
export interface HttpServerMeasurement {
  readonly server: HttpServerName;
  /** What it is, for people. */
  readonly display: string;
  /** Rounds measured. */
  readonly rounds: number;
  /** Mean requests per second of each round, in order. */
  readonly samples: readonly number[];
  /** Median over the rounds of the mean requests per second. */
  readonly requestsPerSecond: Figure;
  /** That median over the bare server's. */
  readonly ratioToBare: Figure;
  /** Median over the rounds of the 50th and 99th percentile latency, in ms. */
  readonly latencyP50Ms: Figure;
  readonly latencyP99Ms: Figure;
  /**
   * Median over the rounds of the server process's CPU time (user + system) per answered
   * request, in µs: what a request costs, which other load on the machine changes less
   * than it changes requests/s.
   */
  readonly cpuMicrosPerRequest: Figure;
  /** The bare server's CPU time per request over this one's: the throughput ratio when both are CPU-bound. */
  readonly cpuRatioToBare: Figure;
  /** The server process's peak resident memory (VmHWM) after the rounds, in MiB. */
  readonly peakRssMiB: Figure;
  /** Connection errors, timeouts and non-2xx answers over all rounds (0 in a sound run). */
  readonly failedRequests: number;
}

/** `http` in the report: throughput of the runtime against a bare server, in one run. */
export interface HttpThroughputMeasurement {
  /** The URL path loaded (GET). */
  readonly path: string;
  readonly connections: number;
  /** Seconds of load per round and server. */
  readonly durationSeconds: number;
  /** Seconds of unmeasured load per server before the rounds (JIT warm-up). */
  readonly warmupSeconds: number;
  readonly servers: readonly HttpServerMeasurement[];
}

/** Settings of {@link measureHttpThroughput}. */
export interface HttpThroughputOptions {
  /** The repository whose template and runtime are measured. */
  readonly root: string;
  /** A scratch folder of the benchmark's own. */
  readonly scratch: string;
  /** Measured rounds; each loads every server once, in turn. */
  readonly rounds: number;
  /** @default 10 */
  readonly durationSeconds?: number;
  /** @default 3 */
  readonly warmupSeconds?: number;
  /** @default 32, as the figures of issue 17 (wrk, 32 connections) */
  readonly connections?: number;
  readonly progress: (line: string) => void;
}

/** A figure for every server when the measurement could not run. */
export function unmeasuredHttp(
  reason: string,
  options: Partial<HttpThroughputOptions> = {},
): HttpThroughputMeasurement {
  const figure = notAvailable(reason);
  return {
    path: HTTP_PATH,
    connections: options.connections ?? 32,
    durationSeconds: options.durationSeconds ?? 10,
    warmupSeconds: options.warmupSeconds ?? 3,
    servers: HTTP_SERVERS.map(({ name, display }) => ({
      server: name,
      display,
      rounds: 0,
      samples: [],
      requestsPerSecond: figure,
      ratioToBare: figure,
      latencyP50Ms: figure,
      latencyP99Ms: figure,
      cpuMicrosPerRequest: figure,
      cpuRatioToBare: figure,
      peakRssMiB: figure,
      failedRequests: 0,
    })),
  };
}

/**
 * Measures HTTP throughput on loopback with autocannon, in one run: a bare `node:http`
 * server answering the same JSON, and the http-service template's service (made with
 * new:service in a temporary copy, bundled with bundle-service as its image is, started
 * with `node main.mjs`) once with LOG_LEVEL=warn, once with the default configuration,
 * its request log lines going to a file, and once with LOG_LEVEL=warn and tracing on at
 * the default sampling, its spans sent (OTLP/HTTP, protobuf) to a sink of the bench's that
 * reads none of them, and once more so at production's default sampling ratio
 * (infra/tracing-settings.ts), for reference: the tracing target is judged on the default
 * sampling (ratio 1, as local and staging). The servers run at once, each in its own
 * process; the rounds take them in turn, so that other load on the machine falls on all
 * alike. Throws
 * when a step fails, with what it printed.
 */
export async function measureHttpThroughput(options: HttpThroughputOptions): Promise<HttpThroughputMeasurement> {
  const durationSeconds = options.durationSeconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 3;
  const connections = options.connections ?? 32;
  const bundle = bundleTemplateService(options.root, path.join(options.scratch, "http"));
  const logFile = path.join(options.scratch, "http", "request-lines.log");
  const started: StartedServer[] = [];
  // The traced server's spans go here: read by nobody, answered at once.
  const sink = await startOtlpReceiver();
  try {
    for (const { name } of HTTP_SERVERS) started.push(await startServer(name, bundle, logFile, sink));
    for (const server of started) {
      options.progress(`warm-up of ${server.name}: ${warmupSeconds} s`);
      await load(server.url, connections, warmupSeconds);
    }
    const results = new Map<HttpServerName, LoadResult[]>(started.map((s) => [s.name, []]));
    const cpuPerRequest = new Map<HttpServerName, Figure[]>(started.map((s) => [s.name, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const server of started) {
        const cpuBefore = cpuSeconds(server.process.pid);
        const result = await load(server.url, connections, durationSeconds);
        const cpuAfter = cpuSeconds(server.process.pid);
        results.get(server.name)!.push(result);
        cpuPerRequest
          .get(server.name)!
          .push(
            cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
              ? notAvailable("no /proc/<pid>/stat (Linux only)")
              : ((cpuAfter - cpuBefore) / result.requests.total) * 1e6,
          );
        options.progress(
          `round ${round}/${options.rounds}, ${server.name}: ${Math.round(answeredPerSecond(result))} requests/s, p99 ${result.latency.p99} ms`,
        );
      }
    }
    const rssOf = new Map(started.map((s) => [s.name, peakRssMiB(s.process.pid)]));
    // The default configuration is measured with its request lines on: they must be there.
    const requestLines = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes('"msg":"request"'));
    if (requestLines.length === 0)
      throw new Error(`http: the default configuration wrote no request line to ${logFile}`);
    // The traced server is measured with its spans exported: they must have arrived.
    if (sink.exportsReceived === 0) throw new Error(`http: the traced server exported no span to ${sink.url}`);
    const perServer = HTTP_SERVERS.map(({ name, display }) => {
      const runs = results.get(name)!;
      return {
        server: name,
        display,
        rounds: runs.length,
        samples: runs.map(answeredPerSecond),
        requestsPerSecond: median(runs.map(answeredPerSecond)),
        latencyP50Ms: median(runs.map((r) => r.latency.p50)),
        latencyP99Ms: median(runs.map((r) => r.latency.p99)),
        cpuMicrosPerRequest: medianFigure(cpuPerRequest.get(name)!),
        peakRssMiB: rssOf.get(name)!,
        failedRequests: runs.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
      };
    });
    const bare = perServer[0]!;
    return {
      path: HTTP_PATH,
      connections,
      durationSeconds,
      warmupSeconds,
      servers: perServer.map((s) => ({
        ...s,
        ratioToBare: ratioOf(s.requestsPerSecond, bare.requestsPerSecond),
        cpuRatioToBare: ratioOf(bare.cpuMicrosPerRequest, s.cpuMicrosPerRequest),
      })),
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await sink.close();
  }
}

/** `value / reference`, or whichever of the two was not measured. */
export function ratioOf(value: Figure, reference: Figure): Figure {
  if (!isMeasured(value)) return value;
  if (!isMeasured(reference)) return reference;
  return value / reference;
}

function load(url: string, connections: number, duration: number): Promise<LoadResult> {
  return autocannon({ url: `${url}${HTTP_PATH}`, connections, pipelining: 1, duration });
}

/**
 * Makes the template's service in a copy of `root` with new:service (no backing service,
 * no dependency) and bundles it with the runtime's bundle-service; returns the bundle.
 */
function bundleTemplateService(root: string, work: string): string {
  const copy = path.join(work, "project");
  copyProject(root, copy, { withServices: false });
  mkdirSync(path.join(copy, "services"), { recursive: true });
  const scripts = (
    JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const newService = scripts["new:service"];
  if (!newService) throw new Error("http: no new:service script in package.json");
  run(scriptArgv(newService, [HTTP_SERVICE_NAME, "--no-install"]), copy);
  // The runtime bundled is the copy's, that is this checkout's: through node_modules, the
  // package would be the one the installed workspace links to, which for a git worktree
  // sharing another checkout's node_modules is that other checkout's runtime.
  const serviceModules = path.join(copy, "services", HTTP_SERVICE_NAME, "node_modules", "@platform");
  mkdirSync(serviceModules, { recursive: true });
  symlinkSync(path.join(copy, "templates/runtime"), path.join(serviceModules, "service-runtime"), "dir");
  const runtimeModules = path.join(root, "templates/runtime/node_modules");
  if (existsSync(runtimeModules)) symlinkSync(runtimeModules, path.join(copy, "templates/runtime/node_modules"), "dir");
  const outdir = path.join(work, "dist");
  run(
    [process.execPath, path.join(copy, "templates/runtime/bin/bundle-service.mjs"), outdir],
    path.join(copy, "services", HTTP_SERVICE_NAME),
  );
  const bundle = path.join(outdir, "main.mjs");
  if (!existsSync(bundle)) throw new Error(`http: bundle-service wrote no ${bundle}`);
  return bundle;
}

function run(argv: readonly string[], cwd: string): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(
      `http: ${argv.join(" ")} in ${cwd}: exited ${result.status ?? result.signal}: ${result.stderr.slice(-2000)}`,
    );
}

interface StartedServer {
  readonly name: HttpServerName;
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(
  name: HttpServerName,
  bundle: string,
  logFile: string,
  sink: OtlpReceiver,
): Promise<StartedServer> {
  const port = await freePort();
  const base = { PATH: process.env.PATH ?? "", PORT: String(port), SERVICE_NAME: HTTP_SERVICE_NAME };
  const warn = { ...base, LOG_LEVEL: "warn", SHUTDOWN_DRAIN_MS: "0" };
  const [script, env, stdout] =
    name === "bare"
      ? [BARE_SERVER_SCRIPT, base, "ignore" as const]
      : name === "service-warn"
        ? [bundle, warn, "ignore" as const]
        : name === "service-traced"
          ? // The OTel defaults otherwise: http/protobuf, parentbased_always_on, batches of 512 every 5 s.
            [bundle, { ...warn, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, "ignore" as const]
          : name === "service-traced-production"
            ? // The variables the platform sets in production (infra/tracing-settings.ts).
              [
                bundle,
                {
                  ...warn,
                  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
                  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
                  OTEL_TRACES_SAMPLER_ARG: String(TRACE_SAMPLING_RATIOS.production),
                },
                "ignore" as const,
              ]
            : // The default configuration: LOG_LEVEL unset (info), one line a request, into a file.
              [bundle, { ...base, SHUTDOWN_DRAIN_MS: "0" }, openSync(logFile, "a")];
  const child = spawn(process.execPath, [script], {
    cwd: path.dirname(script),
    env,
    stdio: ["ignore", stdout, "pipe"],
  });
  if (typeof stdout === "number") closeSync(stdout);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit");
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await exited;
  };
  if (!(await answersWithin(`${url}${HTTP_PATH}`, 30_000, child))) {
    await stop();
    throw new Error(`http: ${name} did not answer GET ${HTTP_PATH} on ${url} within 30 s: ${stderr.slice(-2000)}`);
  }
  return { name, url, process: child, stop };
}

/**
 * The 2xx answers a second of a round: a 503 the service sheds under load (or any other
 * refusal) is counted in the failed requests, not as throughput.
 */
function answeredPerSecond(result: LoadResult): number {
  return result["2xx"] / result.duration;
}

/** Whether `url` answers 2xx before `ms` pass, asked every 100 ms while `child` runs. */
async function answersWithin(url: string, ms: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("http: no free port");
  return address.port;
}

function medianFigure(figures: readonly Figure[]): Figure {
  const missing = figures.find((f) => !isMeasured(f));
  return missing ?? median(figures as number[]);
}

/** Clock ticks per second of /proc/<pid>/stat's times. */
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** The CPU time (user + system) a process has used, in seconds, from Linux's /proc; undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name (which may hold spaces), from the 3rd on: utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The peak resident memory of a process, from Linux's /proc. */
function peakRssMiB(pid: number | undefined): Figure {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib ? Number(kib) / 1024 : notAvailable("no VmHWM in /proc/<pid>/status");
  } catch {
    return notAvailable("no /proc/<pid>/status (Linux only)");
  }
}
