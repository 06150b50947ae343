import type { IncomingHttpHeaders } from "node:http";
import type { Logger } from "./logger.js";

/** An error the handler chooses to answer with: its status and message reach the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** What a handler receives. */
export interface RouteRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** Values of the pattern's `:name` segments, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  /** A logger that adds the request id to every line. */
  readonly log: Logger;
  /** The body parsed as JSON; a 400 HttpError when it is not JSON. */
  json(): Promise<unknown>;
}

/** What a handler returns: a JSON body by default. */
export interface RouteResponse {
  /** @default 200 */
  readonly status?: number;
  /** Sent as JSON. @default no body */
  readonly body?: unknown;
  /** @default none beyond content-type and x-request-id */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route handler. */
export type RouteHandler = (request: RouteRequest) => RouteResponse | Promise<RouteResponse>;

/** One registered route: what the runtime hands to the HTTP server, in registration order. */
export interface RouteDefinition {
  /** GET, POST, PUT, PATCH or DELETE. */
  readonly method: string;
  /** The path pattern (`/orders/:id`): the route's label in the metrics. */
  readonly pattern: string;
  readonly handler: RouteHandler;
}

const SEGMENT = /^(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+)$/;

/**
 * Records a service's routes by method and path pattern (`/orders/:id`), the syntax the
 * HTTP server (Fastify) routes by; the runtime registers them in one place
 * (`http-server.ts`), where per-route options such as a schema can be attached. The
 * pattern, not the path, is what the metrics are labelled with. HEAD is served by the
 * GET handler.
 */
export class Router {
  private readonly registered: RouteDefinition[] = [];

  /** The routes registered so far, in registration order. */
  get routes(): readonly RouteDefinition[] {
    return this.registered;
  }

  /** Registers `handler` for GET (and HEAD) requests on `pattern`. */
  get(pattern: string, handler: RouteHandler): this {
    return this.add("GET", pattern, handler);
  }

  /** Registers `handler` for POST requests on `pattern`. */
  post(pattern: string, handler: RouteHandler): this {
    return this.add("POST", pattern, handler);
  }

  /** Registers `handler` for PUT requests on `pattern`. */
  put(pattern: string, handler: RouteHandler): this {
    return this.add("PUT", pattern, handler);
  }

  /** Registers `handler` for PATCH requests on `pattern`. */
  patch(pattern: string, handler: RouteHandler): this {
    return this.add("PATCH", pattern, handler);
  }

  /** Registers `handler` for DELETE requests on `pattern`. */
  delete(pattern: string, handler: RouteHandler): this {
    return this.add("DELETE", pattern, handler);
  }

  /** Registers `handler` for `method` and `pattern`; a malformed or repeated route throws. */
  add(method: string, pattern: string, handler: RouteHandler): this {
    const segments = pattern === "/" ? [] : pattern.split("/").slice(1);
    if (!pattern.startsWith("/") || segments.some((s) => !SEGMENT.test(s))) {
      throw new Error(
        `route ${JSON.stringify(pattern)}: must be a path like /orders or /orders/:id (segments of letters, digits, '.', '_', '~', '-', or :name)`,
      );
    }
    if (this.registered.some((r) => r.method === method && r.pattern === pattern))
      throw new Error(`route ${method} ${pattern}: is registered twice`);
    this.registered.push({ method, pattern, handler });
    return this;
  }
}
