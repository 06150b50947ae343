import type { IncomingHttpHeaders } from "node:http";
import { CONTRACT_FILE, type Contract } from "./contract/define-contract.js";
import type { OperationDefinitions } from "./contract/operation.js";
import { operationsOf, type ContractOperation } from "./contract/request-validation.js";
import type { Logger } from "./logger.js";
import type { OperationHandlers, UncheckedOperationHandler } from "./operation-handler.js";

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
export type RouteDefinition = PlainRoute | OperationRoute;

/** A route registered with `router.get`, `post`, ...: its handler sees the raw request. */
export interface PlainRoute {
  readonly kind: "plain";
  /** GET, POST, PUT, PATCH or DELETE. */
  readonly method: string;
  /** The path pattern (`/orders/:id`): the route's label in the metrics. */
  readonly pattern: string;
  readonly handler: RouteHandler;
}

/** An operation of a contract, registered with `router.implement`: requests are checked against it. */
export interface OperationRoute {
  readonly kind: "operation";
  readonly method: string;
  /** The operation's path: the route's label in the metrics. */
  readonly pattern: string;
  /** The contract the operation is from. */
  readonly contract: Contract;
  readonly operation: ContractOperation;
  readonly handler: UncheckedOperationHandler;
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

  /**
   * Registers a handler for every operation of `contract` (the default export of
   * `src/api.ts`), by operation name: `router.implement(contract, { getProduct: async
   * ({ params }) => ({ status: 200, body: product }) })`. The runtime checks each request
   * against the operation's schemas before its handler runs (a 400 naming the field, the
   * value and what is accepted), and hands it the parsed params, query and body.
   *
   * One call for the whole contract rather than one call per operation: the handlers'
   * object is typed by the contract, so an operation left out, a name the contract does
   * not have, a status it does not declare and a body of another shape are each a type
   * error, and the input of every handler is typed by its operation, with no type written.
   * An operation left out or an unknown name also throws at start (for code the types did
   * not check).
   */
  implement<O extends OperationDefinitions>(
    contract: Contract<string, O>,
    handlers: NoInfer<OperationHandlers<O>>,
  ): this {
    const operations = operationsOf(contract);
    const unknown = Object.keys(handlers).filter((name) => !operations.some((operation) => operation.name === name));
    if (unknown.length > 0)
      throw new Error(
        `router.implement: ${unknown.map((name) => JSON.stringify(name)).join(", ")} ${unknown.length === 1 ? "is not an operation" : "are not operations"} of the contract of "${contract.service}" (${CONTRACT_FILE}); accepted: ${operations.map((operation) => operation.name).join(", ")}`,
      );
    for (const operation of operations) {
      const handler = (handlers as Record<string, unknown>)[operation.name];
      // One left out is named at start, with every other problem of the routes.
      if (typeof handler !== "function") continue;
      this.register({
        kind: "operation",
        method: operation.method,
        pattern: operation.path,
        contract,
        operation,
        handler: handler as UncheckedOperationHandler,
      });
    }
    return this;
  }

  /** Registers `handler` for `method` and `pattern`; a malformed or repeated route throws. */
  add(method: string, pattern: string, handler: RouteHandler): this {
    const segments = pattern === "/" ? [] : pattern.split("/").slice(1);
    if (!pattern.startsWith("/") || segments.some((s) => !SEGMENT.test(s))) {
      throw new Error(
        `route ${JSON.stringify(pattern)}: must be a path like /orders or /orders/:id (segments of letters, digits, '.', '_', '~', '-', or :name)`,
      );
    }
    return this.register({ kind: "plain", method, pattern, handler });
  }

  private register(route: RouteDefinition): this {
    const { method, pattern } = route;
    if (this.registered.some((r) => r.method === method && r.pattern === pattern))
      throw new Error(`route ${method} ${pattern}: is registered twice`);
    this.registered.push(route);
    return this;
  }
}
