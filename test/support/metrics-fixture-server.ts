import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTRACT } from "../../infra/monitoring/metrics-contract.js";

/**
 * A stand-in for a service in the monitoring tests: an HTTP server on 127.0.0.1 that
 * instruments itself with the metrics contract's names and labels and serves them in
 * the Prometheus text format on `metricsPath`. `GET /` answers 200, `GET /fail` 500,
 * anything else 404.
 */
export interface MetricsFixtureServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the fixture on a free loopback port. */
export async function startMetricsFixtureServer(metricsPath = "/metrics"): Promise<MetricsFixtureServer> {
  const { requests, duration, process: processMetrics } = METRICS_CONTRACT;
  const counts = new Map<string, number>();
  const buckets = new Map<string, number[]>();
  const sums = new Map<string, number>();

  const record = (route: string, method: string, status: number, seconds: number) => {
    const labels = `route="${route}",method="${method}",status="${status}"`;
    counts.set(labels, (counts.get(labels) ?? 0) + 1);
    const perBucket = buckets.get(labels) ?? duration.buckets.map(() => 0);
    duration.buckets.forEach((bound, i) => {
      if (seconds <= bound) perBucket[i]! += 1;
    });
    buckets.set(labels, perBucket);
    sums.set(labels, (sums.get(labels) ?? 0) + seconds);
  };

  const exposition = (): string => {
    const lines = [`# HELP ${requests.name} ${requests.help}`, `# TYPE ${requests.name} counter`];
    for (const [labels, value] of counts) lines.push(`${requests.name}{${labels}} ${value}`);
    lines.push(`# HELP ${duration.name} ${duration.help}`, `# TYPE ${duration.name} histogram`);
    for (const [labels, perBucket] of buckets) {
      duration.buckets.forEach((bound, i) => {
        lines.push(`${duration.name}_bucket{${labels},le="${bound}"} ${perBucket[i]}`);
      });
      lines.push(`${duration.name}_bucket{${labels},le="+Inf"} ${counts.get(labels)}`);
      lines.push(`${duration.name}_sum{${labels}} ${sums.get(labels)}`);
      lines.push(`${duration.name}_count{${labels}} ${counts.get(labels)}`);
    }
    const cpu = process.cpuUsage();
    lines.push(
      `# TYPE ${processMetrics.cpuSeconds} counter`,
      `${processMetrics.cpuSeconds} ${(cpu.user + cpu.system) / 1e6}`,
    );
    lines.push(
      `# TYPE ${processMetrics.residentMemoryBytes} gauge`,
      `${processMetrics.residentMemoryBytes} ${process.memoryUsage().rss}`,
    );
    return `${lines.join("\n")}\n`;
  };

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === metricsPath) {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition());
      return;
    }
    const status = path === "/" ? 200 : path === "/fail" ? 500 : 404;
    response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok\n" : "failed\n");
    record(status === 404 ? "unknown" : path, request.method ?? "GET", status, (performance.now() - started) / 1000);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
