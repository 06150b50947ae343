import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ResourceClient, ResourceName } from "./backing-services/backing-service.js";
import { BackingServices } from "./backing-services/backing-services.js";
import { loadConfig, type ServiceConfig, type Variables } from "./config.js";
import { DependencyClient, DependencyError } from "./dependency-client.js";
import { createLogger, type DestinationStream, type Logger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "./request-context.js";
import { HttpError, Router, type RouteResponse } from "./router.js";
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

const MAX_BODY_BYTES = 1024 * 1024;
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

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
  const log = createLogger(config, options.logDestination);
  const metrics = new ServiceMetrics();
  const clients = new Map(
    Object.entries(config.dependencyUrls).map(([name, url]) => [
      name,
      new DependencyClient(name, url, config.dependencyTimeoutMs),
    ]),
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

  let state: ServiceState = "starting";
  // Once draining, every answer closes its connection, so that keep-alive clients
  // reconnect to another replica and the server can close without waiting for them.
  const closeWhenDraining = (): Record<string, string> =>
    state === "starting" || state === "ready" ? {} : { connection: "close" };
  const platformPaths = new Set([manifest.health.liveness, manifest.health.readiness, manifest.metricsPath]);

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const serving = platformPaths.has(path) ? servePlatform(path, response) : serveApplication(request, response, path);
    serving.catch((error: unknown) => {
      log.error({ err: error, path }, "answering failed");
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.destroy();
    });
  });

  async function servePlatform(path: string, response: ServerResponse): Promise<void> {
    if (path === manifest.health.liveness) return sendJson(response, 200, { status: "alive" }, closeWhenDraining());
    if (path === manifest.health.readiness) {
      const down = state === "ready" && backingServices ? await backingServices.check() : [];
      if (down.length > 0) return sendJson(response, 503, { status: "backing-service-down", down });
      return sendJson(response, state === "ready" ? 200 : 503, { status: state }, closeWhenDraining());
    }
    const { contentType, body } = await metrics.render();
    response.writeHead(200, { "content-type": contentType, ...closeWhenDraining() }).end(body);
  }

  async function serveApplication(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    const requestLog = log.child({ requestId });
    const method = KNOWN_METHODS.has(request.method ?? "") ? request.method! : "OTHER";
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const match = router.match(method, path);
    const route = match.kind === "not-found" ? "unmatched" : match.route;
    let answer: RouteResponse;
    try {
      if (match.kind === "not-found") throw new HttpError(404, `no route for ${path}`);
      if (match.kind === "method-not-allowed") {
        response.setHeader("allow", match.allowed.join(", "));
        throw new HttpError(405, `${method} is not allowed on ${match.route}; allowed: ${match.allowed.join(", ")}`);
      }
      const url = new URL(request.url ?? "/", "http://service");
      answer = await withRequestId(requestId, () =>
        match.handler({
          method,
          path,
          params: match.params,
          query: url.searchParams,
          headers: request.headers,
          requestId,
          log: requestLog,
          json: () => readJson(request),
        }),
      );
    } catch (error) {
      answer = errorAnswer(error, requestLog);
    }
    const status = answer.status ?? 200;
    for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
    sendJson(response, status, answer.body, closeWhenDraining(), method === "HEAD");
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeRequest(route, method, status, seconds);
    requestLog[status >= 500 ? "error" : "info"](
      { method, route, status, durationMs: Math.round(seconds * 1000) },
      "request",
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== "0.0.0.0" && options.host !== "::" ? options.host : "127.0.0.1";
  log.info({ port }, "listening");

  let stopping: Promise<{ clean: boolean }> | undefined;
  const stop = (): Promise<{ clean: boolean }> => {
    stopping ??= (async () => {
      state = "draining";
      log.info({ drainMs: config.drainMs, timeoutMs: config.shutdownTimeoutMs }, "draining");
      const graceful = (async () => {
        await sleep(config.drainMs);
        await application.onStop?.(context);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await backingServices?.close();
        return true;
      })();
      const deadline = sleep(config.shutdownTimeoutMs, false, { ref: false });
      const clean = await Promise.race([graceful, deadline]);
      if (!clean) {
        server.closeAllConnections();
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out; open connections were cut");
        void backingServices?.close();
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
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
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

function errorAnswer(error: unknown, log: Logger): RouteResponse {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
  if (error instanceof DependencyError) {
    log.warn({ err: error, dependency: error.dependency }, "dependency failed");
    return { status: 502, body: { error: `${error.dependency} failed` } };
  }
  log.error({ err: error }, "request failed");
  return { status: 500, body: { error: "internal error" } };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  headOnly = false,
): void {
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(headOnly ? undefined : text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") throw new HttpError(400, "the body is empty; expected JSON");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
}
