import { type Context, context, type Tracer, trace } from "@opentelemetry/api";
import type { Instrumentation, InstrumentationModuleDefinition } from "@opentelemetry/instrumentation";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { RedisInstrumentation } from "@opentelemetry/instrumentation-redis";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import pg from "pg";
import { RedisClient } from "redis";
import type { Variables } from "./config.js";

/** The name of the runtime's tracer: the instrumentation scope of the spans it makes itself. */
const TRACER_NAME = "@platform/service-runtime";

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
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and
 * `OTEL_SDK_DISABLED` is not `true`.
 */
export function tracingRequested(variables: Variables): boolean {
  const endpoint = variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || variables.OTEL_EXPORTER_OTLP_ENDPOINT;
  return Boolean(endpoint) && variables.OTEL_SDK_DISABLED?.trim().toLowerCase() !== "true";
}

/**
 * Starts the OpenTelemetry Node SDK for this process, traces only (the platform's metrics
 * are Prometheus, its logs are JSON lines on stdout), configured by the standard `OTEL_*`
 * variables of the process environment and nothing else: `OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf` by
 * default, or `http/json`; `grpc` is not tested in the bundle), `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG` (`parentbased_always_on` by default), `OTEL_PROPAGATORS` (W3C
 * `tracecontext,baggage` by default).
 *
 * Tracing is off, and this returns undefined, when no OTLP endpoint is set or
 * `OTEL_SDK_DISABLED=true`: then no SDK is started, and the runtime adds no hook, no span
 * and no log field to a request, so the off path costs nothing.
 *
 * What it traces: each request the server answers (a server span per request, made by the
 * runtime's own hooks, request-tracing.ts, the platform's own paths left out), each call made with `fetch` (the
 * `DependencyClient`: a client span, and `traceparent` on the call, from the undici
 * instrumentation, which listens on Node's diagnostics channels), PostgreSQL queries
 * (`pg`) and Redis commands (`redis`), and queue messages (the `QueueClient` carries
 * `traceparent` in their headers itself). The pg and Redis instrumentations patch the
 * modules' classes here, by hand, rather than when `require` loads them: a bundle
 * (esbuild, everything inside `main.mjs`) never calls `require` for them.
 */
export function startTracing(options: TracingOptions, variables: Variables = process.env): Tracing | undefined {
  if (!tracingRequested(variables)) return undefined;
  // Queries and commands within a request or a message only: not the readiness checks of every 5 s.
  const pgInstrumentation = new PgInstrumentation({ requireParentSpan: true });
  const redisInstrumentation = new RedisInstrumentation({ requireParentSpan: true });
  const sdk = new NodeSDK({
    serviceName: variables.OTEL_SERVICE_NAME ? undefined : options.serviceName,
    instrumentations: [new UndiciInstrumentation(), pgInstrumentation, redisInstrumentation],
    // Traces only: no OTel metrics (Prometheus is the platform's) and no OTel logs.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  patchModules(pgInstrumentation, { pg, "pg/lib/client.js": pg.Client, "pg-pool": pg.Pool });
  // The shape the instrumentation knows the file by: its `default` export is the client class.
  patchModules(redisInstrumentation, { "@redis/client/dist/lib/client/index.js": { default: RedisClient } });
  return {
    tracer: trace.getTracer(TRACER_NAME),
    shutdown: () => sdk.shutdown(),
  };
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

/**
 * Applies an instrumentation's patches to modules in hand, by the names it knows them by:
 * its require hook never sees the modules of a bundle. Patching twice is harmless (each
 * patch unwraps what it wrapped before).
 */
function patchModules(instrumentation: Instrumentation, modules: Readonly<Record<string, unknown>>): void {
  const definitions = (
    instrumentation as unknown as { getModuleDefinitions(): InstrumentationModuleDefinition[] }
  ).getModuleDefinitions();
  for (const definition of definitions) {
    const exports = modules[definition.name];
    if (exports !== undefined) definition.patch?.(exports);
    for (const file of definition.files) {
      const fileExports = modules[file.name];
      if (fileExports !== undefined) file.patch(fileExports);
    }
  }
}
