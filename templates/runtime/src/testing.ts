import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { startApplication, type Application, type RunningApplication } from "./application.js";
import type { Variables } from "./config.js";
import type { ServiceManifest } from "./service-manifest.js";
import type { Tracing } from "./telemetry.js";

/** Options of {@link startForTest}. */
export interface TestStartOptions {
  /** Variables on top of the test defaults (PORT=0, LOG_LEVEL=silent, no drain). @default none */
  readonly variables?: Variables;
  /** Receives every log line, parsed. @default lines are dropped */
  readonly logs?: Array<Record<string, unknown>>;
  /** The service's `migrations/` folder. @default none: no migrations are applied */
  readonly migrationsDir?: string;
  /**
   * Whether each answer of a contract operation is checked against the contract: an
   * answer it does not declare is a 500 naming the operation and the field.
   * @default true: a handler's answer that breaks the contract is a bug the tests show
   */
  readonly validateResponses?: boolean;
  /** The tracing the service runs with (a test's tracer provider). @default none: tracing off */
  readonly tracing?: Tracing;
}

/**
 * Starts a service for a test: on a free loopback port, quiet, with no drain delay and no
 * load shedding (a test of it sets LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS).
 * Stop it with `stop()` when the test is done.
 */
export async function startForTest<M extends ServiceManifest>(
  application: Application<M>,
  options: TestStartOptions = {},
): Promise<RunningApplication<M>> {
  const logs = options.logs;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (logs)
        for (const line of chunk.toString("utf8").split("\n"))
          if (line.trim() !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return startApplication(application, {
    host: "127.0.0.1",
    logDestination: destination,
    // The entry script of a test is vitest's: without a folder given, none is looked for.
    migrationsDir: options.migrationsDir ?? false,
    validateResponses: options.validateResponses ?? true,
    tracing: options.tracing,
    variables: {
      PORT: "0",
      LOG_LEVEL: logs ? "info" : "silent",
      SHUTDOWN_DRAIN_MS: "0",
      // The service runs in the test's own thread, beside the other tests of its worker: the
      // event loop's delay there is theirs as much as its own, and on a loaded machine it shed
      // a test's requests and called it not ready. A test of load shedding turns it on.
      LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: "0",
      ...options.variables,
    },
  });
}

/** The bundler every service's `npm run build` runs (this package's `bundle-service` bin). */
export const BUNDLE_SERVICE_SCRIPT = fileURLToPath(new URL("../bin/bundle-service.mjs", import.meta.url));

/** A service's bundle, started the way its image starts it. */
export interface BundledService {
  /** The files of the folder it runs from, sorted: the bundle and its source map, and `migrations` if the service has them. */
  readonly files: readonly string[];
  /** Its base URL on loopback, like http://127.0.0.1:41234. */
  readonly url: string;
  /** Every line it wrote on stdout so far, parsed. */
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  /** Its process id, to send it signals (SIGKILL, SIGSTOP, SIGCONT) in fault tests. */
  readonly pid: number;
  /** Whether its process still runs (it has not exited, nor been killed). */
  readonly running: boolean;
  /**
   * Resolves once its readiness path (`/readyz`) answers 200: it listens before it connects
   * and migrates. Polls every 20 ms: back to back, the polls would compete for the CPU with
   * the start they wait for.
   */
  ready(): Promise<void>;
  /** Sends SIGTERM, as the platform does, and resolves with its exit code and signal. */
  terminate(): Promise<[number | null, NodeJS.Signals | null]>;
  /** Kills it if it still runs and deletes its folder. */
  remove(): void;
}

/**
 * Bundles the service in `serviceDir` as `npm run build` does, copies the bundle alone
 * into an empty folder (no node_modules anywhere above it, as in the image), and runs it
 * with `node main.mjs` and only `variables` (plus PATH, PORT=0 and no drain; a PORT in
 * `variables` wins, to start a service again where its callers expect it). Resolves
 * once it logs "listening"; rejects when the bundler fails (with what it printed on
 * stderr) or when the bundle exits first.
 */
export async function startBundledService(serviceDir: string, variables: Variables = {}): Promise<BundledService> {
  const work = mkdtempSync(path.join(os.tmpdir(), `${path.basename(serviceDir)}-bundle-`));
  const remove = () => rmSync(work, { recursive: true, force: true });
  try {
    const bundler = spawn(process.execPath, [BUNDLE_SERVICE_SCRIPT, path.join(work, "dist")], {
      cwd: serviceDir,
      stdio: ["ignore", "inherit", "pipe"],
    });
    let complaint = "";
    bundler.stderr!.setEncoding("utf8").on("data", (chunk: string) => (complaint += chunk));
    const [code, signal] = (await once(bundler, "close")) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`bundle-service in ${serviceDir}: exited ${code ?? signal}: ${complaint.trim()}`);
    const folder = path.join(work, "app");
    cpSync(path.join(work, "dist"), folder, { recursive: true });
    const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).sort();

    const child = spawn(process.execPath, ["main.mjs"], {
      cwd: folder,
      env: { PATH: process.env.PATH, PORT: "0", SHUTDOWN_DRAIN_MS: "0", ...variables },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    const lines: Array<Record<string, unknown>> = [];
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === "listening") resolve(entry.port as number);
      });
      void exited.then(([exitCode, exitSignal]) =>
        reject(new Error(`the bundle of ${serviceDir} exited ${exitCode ?? exitSignal} before it listened`)),
      );
    });
    const url = `http://127.0.0.1:${port}`;
    return {
      files,
      url,
      lines,
      pid: child.pid!,
      get running() {
        return child.exitCode === null && child.signalCode === null;
      },
      async ready() {
        while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      },
      terminate() {
        child.kill("SIGTERM");
        return exited;
      },
      remove() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

// Real PostgreSQL, Redis and RabbitMQ servers for a service's own tests (Debian's packages).
export { type ManifestServers, startServersFor } from "./test-servers.js";

// An OTLP/HTTP receiver of traces, to see the spans a service sends.
export { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver.js";

// A bounded load of HTTP requests that keeps every answer, to inject faults under load.
export {
  BoundedLoad,
  type BoundedLoadOptions,
  type LoadRequest,
  type LoadRoute,
  type LoadSample,
  type LoadSummary,
  latencyMs,
  percentile,
  succeeded,
  summarize,
} from "./bounded-load.js";
