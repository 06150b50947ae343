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

/** The outcome of matching a request against the routes. */
export type RouteMatch =
  | {
      readonly kind: "found";
      readonly route: string;
      readonly handler: RouteHandler;
      readonly params: Record<string, string>;
    }
  | { readonly kind: "method-not-allowed"; readonly route: string; readonly allowed: readonly string[] }
  | { readonly kind: "not-found" };

interface Route {
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handlers: Map<string, RouteHandler>;
}

const SEGMENT = /^(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~-]+)$/;

/**
 * Routes by method and path pattern (`/orders/:id`). The pattern, not the path, is what
 * the metrics are labelled with. Deliberately small: a service that outgrows it can
 * move its routes to a framework without touching the runtime around them.
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers `handler` for GET requests on `pattern`. */
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
    let route = this.routes.find((r) => r.pattern === pattern);
    if (!route) {
      route = { pattern, segments, handlers: new Map() };
      this.routes.push(route);
    }
    if (route.handlers.has(method)) throw new Error(`route ${method} ${pattern}: is registered twice`);
    route.handlers.set(method, handler);
    return this;
  }

  /** Finds the handler of a request; HEAD is served by the GET handler. */
  match(method: string, path: string): RouteMatch {
    const parts = path === "/" ? [] : path.split("/").slice(1);
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      const handler = route.handlers.get(method) ?? (method === "HEAD" ? route.handlers.get("GET") : undefined);
      if (handler) return { kind: "found", route: route.pattern, handler, params };
      return { kind: "method-not-allowed", route: route.pattern, allowed: [...route.handlers.keys()] };
    }
    return { kind: "not-found" };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = parts[i]!;
    if (expected.startsWith(":")) {
      if (actual === "") return undefined;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}
