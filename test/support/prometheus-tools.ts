import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { loadEnvironments } from "../../infra/environments.js";
import { renderMonitoring, ruleTestFiles } from "../../infra/monitoring/monitoring-files.js";
import { resolveCatalogue, type DiscoveredService } from "../../infra/spec/model.js";

/**
 * The real Prometheus tools in tests: `promtool` and the `prometheus` server of Debian's
 * `prometheus` package, and `amtool` of its `prometheus-alertmanager`, which `.ci/run`
 * installs. A test that needs them fails, with the command that installs them, when they
 * are missing: it never skips.
 */

/** Throws, naming the install command, when `tool` cannot be run. */
export function requirePrometheusTool(tool: "promtool" | "prometheus"): void {
  const result = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${tool} is not installed (${result.error?.message ?? `exit ${result.status}`}); these tests run the real Prometheus tools: ` +
        "install Debian's prometheus package with `apt-get update && apt-get install -y --no-install-recommends prometheus` (.ci/run does)",
    );
  }
}

/** What a command printed and how it ended. */
export interface ToolRun {
  readonly code: number;
  readonly output: string;
}

/** Runs promtool in `cwd`, without throwing on a non-zero exit; stdout and stderr together. */
export function promtool(args: readonly string[], cwd: string): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile("promtool", [...args], { cwd, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Throws, naming the install command, when `amtool` (Debian's `prometheus-alertmanager` package) cannot be run. */
export function requireAmtool(): void {
  const result = spawnSync("amtool", ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new Error(
      `amtool is not installed (${result.error?.message ?? `exit ${result.status}`}); these tests run the real Alertmanager tool: ` +
        "install Debian's prometheus-alertmanager package with `apt-get update && apt-get install -y --no-install-recommends prometheus-alertmanager` (.ci/run does)",
    );
  }
}

/** Runs amtool in `cwd`, without throwing on a non-zero exit; stdout and stderr apart. */
export function amtool(args: readonly string[], cwd: string): Promise<ToolRun & { readonly stdout: string }> {
  return new Promise((resolve) => {
    execFile("amtool", [...args], { cwd, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`, stdout });
    });
  });
}

/**
 * Renders the monitoring files of every environment for these services into a fresh
 * temporary folder, laid out as `npm run synth` lays out `cdktf.out/monitoring/`; returns it.
 * With `ruleTestsEverywhere`, staging and production get the `rule-tests/` folder that
 * synth writes for local only, so that the tests run them on those environments' rules too.
 */
export function renderMonitoringTree(
  services: readonly DiscoveredService[],
  variables: Record<string, string> = {},
  { ruleTestsEverywhere = false } = {},
): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "platform-monitoring-"));
  const environments = loadEnvironments(variables);
  for (const environment of environments) {
    const catalogue = resolveCatalogue(
      services,
      environment.name,
      environments.map((e) => e.name),
    );
    const monitoring = renderMonitoring(environment, catalogue);
    const files =
      ruleTestsEverywhere && environment.target !== "docker"
        ? [...monitoring.files, ...ruleTestFiles(environment, monitoring)]
        : monitoring.files;
    for (const file of files) {
      const target = path.join(root, environment.name, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
  }
  return root;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Prometheus server started by a test. */
export interface RunningPrometheus {
  readonly url: string;
  /** Everything it logged, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts the `prometheus` binary on a loopback port with `configFile`, its data in a
 * temporary folder, and waits (at most `readyWithinMs`) until it says it is ready. The
 * default is a ceiling for a Prometheus that never gets ready, within the suite's hook
 * budget (hookTimeout, 300 s): it opens its storage and loads its rules in about a
 * second, many times that on a 2-core machine shared with other test runs.
 */
export async function startPrometheus(configFile: string, readyWithinMs = 120_000): Promise<RunningPrometheus> {
  const port = await freeLoopbackPort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "platform-prometheus-data-"));
  let logged = "";
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => (logged += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (logged += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running: RunningPrometheus = {
    url: `http://127.0.0.1:${port}`,
    log: () => logged,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`Prometheus ready on port ${port}`, readyWithinMs, async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${logged}`);
      const response = await fetch(`${running.url}/-/ready`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    });
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

/** Polls `probe` every 250 ms until it returns a value, or fails after `withinMs` naming `what`. */
export async function waitFor<T>(what: string, withinMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof Error && /exited with/.test(error.message)) throw error;
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${withinMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs an instant query against Prometheus' HTTP API and returns its result vector. */
export async function instantQuery(
  prometheusUrl: string,
  query: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== "success") throw new Error(`query ${query} failed: ${body.error}`);
  return (body.data?.resultType === "vector" ? body.data.result : []) as Array<{
    metric: Record<string, string>;
    value: [number, string];
  }>;
}
