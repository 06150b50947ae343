import { type Context, context, type Tracer, trace } from "@opentelemetry/api";
import type { Variables } from "./config.js";

/** The name of the runtime's tracer: the instrumentation scope of the spans it makes itself. */
export const TRACER_NAME = "@platform/service-runtime";

/** The trace fields of a log line: the W3C trace id and span id, as hex. */
export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
}

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** The service's name, the `service.name` of its spans unless `OTEL_SERVICE_NAME` says otherwise. */
  readonly serviceName: string;
}

/** The process's tracing, once started: what the runtime hooks into its server, its logs and its shutdown. */
export interface Tracing {
  /** The runtime's tracer, for the server span of each request (request-tracing.ts). */
  readonly tracer: Tracer;
  /** Sends the spans still buffered and stops the SDK; part of the graceful shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Whether the variables ask for tracing: an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
 * `OTEL_SDK_DISABLED` is not `true` and `OTEL_TRACES_EXPORTER` is not `none`.
 */
export function tracingRequested(variables: Variables): boolean {
  const endpoint = variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || variables.OTEL_EXPORTER_OTLP_ENDPOINT;
  return (
    Boolean(endpoint) &&
    variables.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true" &&
    variables.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== "none"
  );
}

/**
 * Starts tracing for this process when the variables ask for it (see
 * {@link tracingRequested}), and returns undefined, having loaded nothing, when they do
 * not: the SDK, its exporter and its instrumentations are in a module of their own
 * (tracing-sdk.ts), imported only here, so that a process without tracing never loads
 * them (in a bundle, esbuild keeps that module's code uninitialised until this import),
 * and the off path costs no memory, no hook, no span and no log field. What is traced
 * and which `OTEL_*` variables apply: see `startTracingSdk`.
 */
export async function startTracing(
  options: TracingOptions,
  variables: Variables = process.env,
): Promise<Tracing | undefined> {
  if (!tracingRequested(variables)) return undefined;
  const { startTracingSdk } = await import("./tracing-sdk.js");
  return startTracingSdk(options, variables);
}

/**
 * The trace id and span id of the span the code runs in, for a log line: none outside of
 * a span. A new object each time: pino merges the line's fields into it.
 */
export function currentTraceFields(): Partial<TraceFields> {
  return traceFieldsIn(context.active());
}

/** The trace id and span id of the span of a context, for a log line: none without a span. */
export function traceFieldsIn(traceContext: Context): Partial<TraceFields> {
  const span = trace.getSpan(traceContext);
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
