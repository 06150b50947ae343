import { Writable } from "node:stream";
import { startApplication, type Application, type RunningApplication } from "./application.js";
import type { Variables } from "./config.js";

/** Options of {@link startForTest}. */
export interface TestStartOptions {
  /** Variables on top of the test defaults (PORT=0, LOG_LEVEL=silent, no drain). @default none */
  readonly variables?: Variables;
  /** Receives every log line, parsed. @default lines are dropped */
  readonly logs?: Array<Record<string, unknown>>;
}

/**
 * Starts a service for a test: on a free loopback port, quiet, with no drain delay.
 * Stop it with `stop()` when the test is done.
 */
export async function startForTest(application: Application, options: TestStartOptions = {}): Promise<RunningApplication> {
  const logs = options.logs;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (logs) for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return startApplication(application, {
    host: "127.0.0.1",
    logDestination: destination,
    variables: { PORT: "0", LOG_LEVEL: logs ? "info" : "silent", SHUTDOWN_DRAIN_MS: "0", ...options.variables },
  });
}
