import type { Application } from "./application.js";
import { startApplication } from "./application.js";
import { ConfigError } from "./config.js";
import type { ServiceManifest } from "./service-manifest.js";
import { startTracing } from "./telemetry.js";

/**
 * Runs a service as a process: starts it from the process environment, shuts it down
 * gracefully on SIGTERM (the platform's stop signal) and SIGINT (Ctrl-C), and exits 0
 * after a clean shutdown, 1 after a forced one or a failed start. A bad configuration
 * is reported as one JSON line listing every problem. Tracing is on when the `OTEL_*`
 * variables ask for it: see `tracingRequested` and `startTracing`.
 */
export async function runApplication<M extends ServiceManifest>(application: Application<M>): Promise<void> {
  const fatal = (message: string, fields: Record<string, unknown>): void => {
    process.stderr.write(
      `${JSON.stringify({ level: "fatal", time: new Date().toISOString(), service: application.manifest.name, msg: message, ...fields })}\n`,
    );
  };
  process.on("uncaughtException", (error) => {
    fatal("uncaught exception", { err: { type: error.name, message: error.message, stack: error.stack } });
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    fatal("unhandled rejection", {
      err:
        reason instanceof Error ? { type: reason.name, message: reason.message, stack: reason.stack } : String(reason),
    });
    process.exit(1);
  });

  let running: Awaited<ReturnType<typeof startApplication<M>>>;
  const { manifest } = application;
  let tracing: Awaited<ReturnType<typeof startTracing>>;
  try {
    // Before the service starts: its first requests and connections are traced.
    tracing = await startTracing({ serviceName: process.env.SERVICE_NAME || manifest.name });
    running = await startApplication(application, { tracing });
  } catch (error) {
    await tracing?.shutdown();
    if (error instanceof ConfigError) fatal("invalid configuration", { problems: error.problems });
    else
      fatal("start failed", {
        err: error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : String(error),
      });
    process.exitCode = 1;
    return;
  }
  const service = running;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      service.context.log.info({ signal }, "stop requested");
      void service.stop().then(({ clean }) => process.exit(clean ? 0 : 1));
    });
  }
}
