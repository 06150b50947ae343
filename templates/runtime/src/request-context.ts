import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { type Context, context, createContextKey } from "@opentelemetry/api";

/** The header that carries a request's id from service to service. */
export const REQUEST_ID_HEADER = "x-request-id";

const storage = new AsyncLocalStorage<{ readonly requestId: string }>();
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Where a traced request's id is kept: in its trace context, which its handler runs in anyway. */
const REQUEST_ID_KEY = createContextKey("@platform/service-runtime request id");

/**
 * Runs `work` as part of a request, so that calls to dependencies made anywhere below it
 * carry the same request id without passing it by hand.
 *
 * It costs: the first call turns on Node 20's async hooks for every promise, tick and
 * socket of the process (about 7% of a request's CPU time, measured under load), which is
 * why the HTTP server calls it only when the service has a dependency to call, and not
 * when tracing is on (the id is then in the request's trace context: {@link withRequestIdIn}).
 */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** A trace context that also carries a request's id, for {@link currentRequestId} within it. */
export function withRequestIdIn(traceContext: Context, requestId: string): Context {
  return traceContext.setValue(REQUEST_ID_KEY, requestId);
}

/**
 * The id of the request being served, if any: within a handler of a service that calls
 * dependencies, or of any service while tracing is on (see {@link withRequestId}).
 */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId ?? (context.active().getValue(REQUEST_ID_KEY) as string | undefined);
}

/**
 * This process's part of the ids it makes: 64 random bits, so that two processes (two
 * replicas, a restart) make different ids with a probability of one in 2^64 per pair.
 */
const PROCESS_ID_PREFIX = randomBytes(8).toString("hex");
let madeIds = 0;

/**
 * The caller's request id when it is a sane token, else a new one: this process's random
 * prefix and a count, `3f9c0a7d5e21b846-1a`. Unique as a UUID is for what an id is used
 * for (finding one request's lines), and cheaper: a UUID a request was about 1.5 % of the
 * runtime's CPU time under load (a CPU profile, LOG_LEVEL=warn), the count next to nothing.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && ACCEPTED_REQUEST_ID.test(value)) return value;
  madeIds += 1;
  return `${PROCESS_ID_PREFIX}-${madeIds.toString(36)}`;
}
