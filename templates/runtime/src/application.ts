import type { FastifyInstance } from "fastify";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ResourceClient, ResourceName } from "./backing-services/backing-service.js";
import { BackingServices } from "./backing-services/backing-services.js";
import { loadConfig, type ServiceConfig, type Variables } from "./config.js";
import type { Contract } from "./contract/define-contract.js";
import { checkRoutesAgainstContract } from "./contract-routes.js";
import { DependencyClient } from "./dependency-client.js";
import { createHttpServer } from "./http-server.js";
import { createLogger, type DestinationStream, type Logger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { Router } from "./router.js";
import type { Tracing } from "./telemetry.js";
import { connectedResources, type ServiceManifest } from "./service-manifest.js";

/** What a service's code gets from the runtime; `M` is its manifest, which types `resource()`. */
export interface ServiceContext<M extends ServiceManifest = ServiceManifest> {
  readonly config: ServiceConfig;
  /** The variables the configuration was read from: read the service's own settings here. */
  readonly variables: Variables;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  /** The client of a dependency listed in the manifest; an unlisted name throws. */
  dependency(name: string): DependencyClient;
  /**
   * The connected client of a backing service in the manifest, typed by its type: a pg
   * `Pool` for `postgres`, a node-redis client for `redis`, a `QueueClient` for
   * `queue`. Usable from `onStart` on; an undeclared name throws, listing the declared ones.
   */
  resource<N extends ResourceName<M>>(name: N): ResourceClient<M, N>;
}

/** A service's own code, as `src/application.ts` declares it; `M` is its manifest's type. */
export interface Application<M extends ServiceManifest = ServiceManifest> {
  readonly manifest: M;
  /**
   * The service's API contract, the default export of `src/api.ts`: every route must then
   * be one of its operations, registered with `router.implement` (checked at start), and
   * it is served as OpenAPI 3.1 at `/openapi.json`.
   * @default none: plain routes, no checks, no `/openapi.json`
   */
  readonly contract?: Contract;
  /**
   * Registers the service's routes.
   * @default no routes beyond health and metrics
   */
  routes?(router: Router, context: ServiceContext<M>): void;
  /**
   * Runs once the server listens and the backing services are connected and migrated;
   * readiness stays false until it resolves, and a failure stops the service.
   * @default nothing to prepare
   */
  onStart?(context: ServiceContext<M>): Promise<void> | void;
  /**
   * Runs on shutdown after the drain, before the server and the backing services'
   * clients close: stop background work here.
   * @default nothing to stop
   */
  onStop?(context: ServiceContext<M>): Promise<void> | void;
}

/** Options of {@link startApplication}. */
export interface StartOptions {
  /** The variables to read the configuration from. @default process.env */
  readonly variables?: Variables;
  /** Where log lines go. @default stdout */
  readonly logDestination?: DestinationStream;
  /** The address to listen on. @default every interface, as a container needs */
  readonly host?: string;
  /**
   * The service's `migrations/` folder of SQL files for its PostgreSQL resources; `false`
   * applies none.
   * @default {@link defaultMigrationsDir}: beside the entry script (`dist/migrations`, as
   * the bundle carries it), else beside its folder (`migrations`, for `src/main.ts`)
   */
  readonly migrationsDir?: string | false;
  /**
   * Whether each answer of a contract operation is checked against the contract (an
   * undeclared status or a body that does not match becomes a 500 and an error line
   * naming the operation and the field): on in tests, off in production for its cost.
   * @default false
   */
  readonly validateResponses?: boolean;
  /**
   * The process's tracing, started by {@link runApplication} from the `OTEL_*` variables:
   * a span for each request, trace ids on the log lines, and a flush at shutdown.
   * @default none: tracing off
   */
  readonly tracing?: Tracing;
}

/**
 * Where a service's migrations are when none is given: `migrations/` beside the entry
 * script (`/app/migrations` in the image, `dist/migrations` for `npm start`), else beside
 * the entry script's folder (the service's own `migrations/` when run from `src/main.ts`).
 */
export function defaultMigrationsDir(entryScript = process.argv[1] ?? "."): string {
  const besideScript = join(dirname(entryScript), "migrations");
  const besideFolder = join(dirname(entryScript), "..", "migrations");
  return existsSync(besideScript) || !existsSync(besideFolder) ? besideScript : besideFolder;
}

/** Where a service is in its life: readiness is true only in "ready". */
export type ServiceState = "starting" | "ready" | "draining" | "stopped";

/** A started service. */
export interface RunningApplication<M extends ServiceManifest = ServiceManifest> {
  /** Its base URL, like http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  readonly state: ServiceState;
  readonly context: ServiceContext<M>;
  /**
   * Shuts down gracefully: readiness turns false, the drain lets load balancers notice,
   * background work stops, the server stops accepting connections and waits for the
   * requests in flight; whatever is left at SHUTDOWN_TIMEOUT_MS is cut. Resolves
   * `{ clean: false }` in that case. Calling it again returns the same promise.
   */
  stop(): Promise<{ readonly clean: boolean }>;
}

/**
 * Starts a service: reads its configuration (throws a `ConfigError` when it is bad),
 * serves liveness, readiness and metrics at the manifest's paths and the application's
 * routes, and counts every application request by route, method and status. Once it
 * listens, it connects to its backing services and applies their migrations before
 * `onStart`; readiness is false until then, and false again while one of them is down.
 */
export async function startApplication<M extends ServiceManifest>(
  application: Application<M>,
  options: StartOptions = {},
): Promise<RunningApplication<M>> {
  const { manifest } = application;
  const variables = options.variables ?? process.env;
  const config = loadConfig(manifest, variables);
  const { tracing } = options;
  const log = createLogger(config, options.logDestination, tracing !== undefined);
  const metrics = new ServiceMetrics();
  const clients = new Map(
    Object.entries(config.dependencyUrls).map(([name, url]) => {
      metrics.breakerChanged(name, "closed");
      return [name, new DependencyClient(name, url, config.dependencies[name]!, metrics)];
    }),
  );
  let backingServices: BackingServices | undefined;
  const context: ServiceContext<M> = {
    config,
    variables,
    log,
    metrics,
    dependency(name) {
      const client = clients.get(name);
      if (!client)
        throw new Error(
          `dependency ${JSON.stringify(name)} is not in dependsOn of service.ts; known: ${[...clients.keys()].join(", ") || "(none)"}`,
        );
      return client;
    },
    resource(name) {
      const declared = connectedResources(manifest).map((resource) => resource.name);
      if (!declared.includes(name))
        throw new Error(
          `backing service ${JSON.stringify(name)} is not in backingServices or uses of service.ts; declared: ${declared.join(", ") || "(none)"}`,
        );
      if (!backingServices)
        throw new Error(
          `backing service ${JSON.stringify(name)}: not connected yet; use context.resource() in onStart or in a handler`,
        );
      return backingServices.client(name) as ResourceClient<M, typeof name>;
    },
  };
  const router = new Router();
  application.routes?.(router, context);
  checkRoutesAgainstContract(application.contract, manifest.name, router.routes);

  let state: ServiceState = "starting";
  const server = createHttpServer({
    manifest,
    router,
    log,
    metrics,
    contract: application.contract,
    validateResponses: options.validateResponses ?? false,
    tracing,
    loadShedding: config.loadShedding,
    callsDependencies: clients.size > 0,
    draining: () => state === "draining" || state === "stopped",
    async readiness() {
      const down = state === "ready" && backingServices ? await backingServices.check() : [];
      if (down.length > 0) return { status: 503, body: { status: "backing-service-down", down } };
      return { status: state === "ready" ? 200 : 503, body: { status: state } };
    },
  });
  const port = await listen(server, config.port, options.host);
  const host = options.host && options.host !== "0.0.0.0" && options.host !== "::" ? options.host : "127.0.0.1";
  log.info({ port }, "listening");

  let stopping: Promise<{ clean: boolean }> | undefined;
  // A collector that cannot be reached loses the last spans, not the clean shutdown: the
  // rejection would otherwise end the process as an unhandled one (exit 1).
  const shutdownTracing = () =>
    tracing?.shutdown().catch((error: unknown) => log.warn({ err: error }, "the last spans could not be sent"));
  const stop = (): Promise<{ clean: boolean }> => {
    stopping ??= (async () => {
      state = "draining";
      log.info({ drainMs: config.drainMs, timeoutMs: config.shutdownTimeoutMs }, "draining");
      const graceful = (async () => {
        await sleep(config.drainMs);
        await application.onStop?.(context);
        await server.close();
        await backingServices?.close();
        // The spans of the last requests, sent before the process exits.
        await shutdownTracing();
        return true;
      })();
      const deadline = sleep(config.shutdownTimeoutMs, false, { ref: false });
      const clean = await Promise.race([graceful, deadline]);
      if (!clean) {
        server.server.closeAllConnections();
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out; open connections were cut");
        void backingServices?.close();
        void shutdownTracing();
      }
      state = "stopped";
      log.info({ clean }, "stopped");
      return { clean };
    })();
    return stopping;
  };

  try {
    if (connectedResources(manifest).length > 0)
      backingServices = await BackingServices.open({
        manifest,
        urls: config.backingServiceUrls,
        checkTimeoutMs: config.backingServiceCheckTimeoutMs,
        migrationsDir: options.migrationsDir ?? defaultMigrationsDir(),
        log,
        registry: metrics.registry,
      });
    await application.onStart?.(context);
  } catch (error) {
    log.error({ err: error }, "start failed");
    await backingServices?.close();
    const closed = server.close();
    server.server.closeAllConnections();
    await closed;
    throw error;
  }
  if (state === "starting") {
    state = "ready";
    log.info("ready");
  }

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    get state() {
      return state;
    },
    context,
    stop,
  };
}

/**
 * Listens on `port` at `host`; without a host, on every interface as Node.js does (IPv6
 * and IPv4, or IPv4 alone where IPv6 is off), which a container needs: Fastify's own
 * default would be loopback. Resolves the port it listens on.
 */
async function listen(server: FastifyInstance, port: number, host: string | undefined): Promise<number> {
  try {
    await server.listen({ port, host: host ?? "::" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (host !== undefined || (code !== "EAFNOSUPPORT" && code !== "EADDRNOTAVAIL")) throw error;
    await server.listen({ port, host: "0.0.0.0" });
  }
  return (server.server.address() as AddressInfo).port;
}
