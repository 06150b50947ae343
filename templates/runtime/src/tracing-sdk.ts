import { DiagLogLevel, type DiagLogger, diag, type TextMapPropagator, trace } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  type Instrumentation,
  type InstrumentationModuleDefinition,
  registerInstrumentations,
} from "@opentelemetry/instrumentation";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { RedisInstrumentation } from "@opentelemetry/instrumentation-redis";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-node";
import pg from "pg";
import { RedisClient } from "redis";
import { ConfigError, type Variables } from "./config.js";
import { TRACER_NAME, type Tracing, type TracingOptions } from "./telemetry.js";

/**
 * The OpenTelemetry SDK of the runtime, traces only: loaded by `startTracing`
 * (telemetry.ts) only when tracing is asked for, so that a process without tracing never
 * loads it.
 *
 * It is the trace SDK with the OTLP/HTTP exporters, not `@opentelemetry/sdk-node`, which
 * brings every exporter (gRPC, Zipkin, Prometheus), the metrics and logs SDKs and the
 * declarative configuration: in a service's bundle that was most of the tracing's
 * memory, and a 128Mi container with it was OOM-killed at start.
 */

/** The OTLP protocols of the traces exporter: `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`. */
const PROTOCOLS = ["http/protobuf", "http/json"] as const;
/** The propagators `OTEL_PROPAGATORS` may name. */
const PROPAGATORS = ["tracecontext", "baggage", "none"] as const;
/** The samplers `OTEL_TRACES_SAMPLER` may name (the specification's built-in ones). */
const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
/** The exporters `OTEL_TRACES_EXPORTER` may name; `none` turns tracing off (see `tracingRequested`). */
const EXPORTERS = ["otlp", "none"] as const;
/** The levels `OTEL_LOG_LEVEL` may name: the SDK's own diagnostics (an export that failed, say). */
const LOG_LEVELS = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
} as const;

/** The settings the SDK is built from, once the `OTEL_*` variables are checked. */
interface TracingSettings {
  readonly protocol: (typeof PROTOCOLS)[number];
  /** `undefined`: the default (W3C trace context and baggage); `null`: none. */
  readonly propagator: TextMapPropagator | null | undefined;
  /** Built here from the checked variables, so that the SDK never falls back in silence. */
  readonly sampler: Sampler;
  /** `undefined`: no diagnostics (`OTEL_LOG_LEVEL` unset, as the Node SDK does). */
  readonly logLevel: DiagLogLevel | undefined;
}

/**
 * Starts the trace SDK for this process, configured by the standard `OTEL_*` variables of
 * the process environment and nothing else: `OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (and `_HEADERS`, `_TIMEOUT`),
 * `OTEL_EXPORTER_OTLP_PROTOCOL` / `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (`http/protobuf` by
 * default, or `http/json`; `grpc` is refused: no gRPC exporter is in the bundle),
 * `OTEL_LOG_LEVEL` (the SDK's own diagnostics, as JSON lines on stderr; none when unset),
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG` (`parentbased_always_on` by default), `OTEL_PROPAGATORS`
 * (`tracecontext,baggage` by default; `b3` and `jaeger` are refused), `OTEL_BSP_*` and the
 * span limits. Names are read without regard to case or surrounding blanks, as the
 * specification asks. A value it cannot honour is a {@link ConfigError} naming the
 * variable, the value and what is accepted, never a silent fallback.
 *
 * What it traces: each request the server answers (a server span per request, made by the
 * runtime's own hooks, request-tracing.ts, the platform's own paths left out), each call
 * made with `fetch` (the `DependencyClient`: a client span, and `traceparent` on the call,
 * from the undici instrumentation, which listens on Node's diagnostics channels),
 * PostgreSQL queries (`pg`) and Redis commands (`redis`), and queue messages (the
 * `QueueClient` carries `traceparent` in their headers itself). The pg and Redis
 * instrumentations patch the modules' classes here, by hand, rather than when `require`
 * loads them: a bundle (esbuild, everything inside `main.mjs`) never calls `require` for
 * them.
 */
export async function startTracingSdk(options: TracingOptions, variables: Variables = process.env): Promise<Tracing> {
  const settings = tracingSettings(variables);
  if (settings.logLevel !== undefined)
    diag.setLogger(jsonDiagLogger(options.serviceName), { logLevel: settings.logLevel, suppressOverrideMessage: true });
  const detected = defaultResource().merge(
    detectResources({ detectors: [envDetector, processDetector, hostDetector] }),
  );
  const resource = variables.OTEL_SERVICE_NAME
    ? detected
    : detected.merge(resourceFromAttributes({ "service.name": options.serviceName }));
  const exporter = settings.protocol === "http/json" ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    resource,
    sampler: settings.sampler,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: settings.propagator });
  let unregister = () => {};
  const shutdown = async () => {
    unregister();
    trace.disable();
    await provider.shutdown();
  };
  try {
    // Queries and commands within a request or a message only: not the readiness checks of every 5 s.
    const pgInstrumentation = new PgInstrumentation({ requireParentSpan: true });
    const redisInstrumentation = new RedisInstrumentation({ requireParentSpan: true });
    unregister = registerInstrumentations({
      tracerProvider: provider,
      instrumentations: [new UndiciInstrumentation(), pgInstrumentation, redisInstrumentation],
    });
    patchModules(pgInstrumentation, { pg, "pg/lib/client.js": pg.Client, "pg-pool": pg.Pool });
    // The shape the instrumentation knows the file by: its `default` export is the client class.
    patchModules(redisInstrumentation, { "@redis/client/dist/lib/client/index.js": { default: RedisClient } });
  } catch (error) {
    // Nothing registered stays behind a start that failed.
    await shutdown();
    throw error;
  }
  return { tracer: trace.getTracer(TRACER_NAME), shutdown };
}

/** The SDK's diagnostics as JSON lines on stderr, in the shape of the runtime's own lines. */
function jsonDiagLogger(service: string): DiagLogger {
  const write =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      const details = args.map((arg) => (arg instanceof Error ? arg.message : arg));
      process.stderr.write(
        `${JSON.stringify({ level, time: new Date().toISOString(), service, component: "opentelemetry", msg: message, ...(details.length > 0 ? { details } : {}) })}\n`,
      );
    };
  return {
    error: write("error"),
    warn: write("warn"),
    info: write("info"),
    debug: write("debug"),
    verbose: write("trace"),
  };
}

/** Checks the `OTEL_*` variables the SDK would otherwise ignore or replace by a default in silence. */
function tracingSettings(variables: Variables): TracingSettings {
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, accepted: readonly T[]): T | undefined => {
    const value = variables[name]?.trim().toLowerCase();
    if (!value) return undefined;
    if ((accepted as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: ${JSON.stringify(variables[name])} is not accepted; accepted: ${accepted.join(", ")}`);
    return undefined;
  };
  const protocolVariable = variables.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim()
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = oneOf(protocolVariable, PROTOCOLS) ?? "http/protobuf";
  oneOf("OTEL_TRACES_EXPORTER", EXPORTERS);
  const samplerName = oneOf("OTEL_TRACES_SAMPLER", SAMPLERS) ?? "parentbased_always_on";
  const ratioText = variables.OTEL_TRACES_SAMPLER_ARG?.trim();
  let ratio = 1;
  if (samplerName.endsWith("traceidratio") && ratioText) {
    ratio = Number(ratioText);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
      problems.push(
        `OTEL_TRACES_SAMPLER_ARG: ${JSON.stringify(ratioText)} is not a ratio; accepted: a number from 0 to 1`,
      );
  }
  const logLevel = oneOf("OTEL_LOG_LEVEL", Object.keys(LOG_LEVELS) as Array<keyof typeof LOG_LEVELS>);
  const propagatorNames = (variables.OTEL_PROPAGATORS ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = propagatorNames.filter((name) => !(PROPAGATORS as readonly string[]).includes(name));
  if (unknown.length > 0)
    problems.push(
      `OTEL_PROPAGATORS: ${unknown.map((name) => JSON.stringify(name)).join(", ")} not accepted; accepted: ${PROPAGATORS.join(", ")}`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    protocol,
    propagator: propagatorFor([...new Set(propagatorNames)]),
    sampler: samplerFor(samplerName, ratio),
    logLevel: logLevel === undefined ? undefined : LOG_LEVELS[logLevel],
  };
}

/** The sampler `OTEL_TRACES_SAMPLER` names (a ratio from `OTEL_TRACES_SAMPLER_ARG`, 1 when unset). */
function samplerFor(name: (typeof SAMPLERS)[number], ratio: number): Sampler {
  const root =
    name === "always_on" || name === "parentbased_always_on"
      ? new AlwaysOnSampler()
      : name === "always_off" || name === "parentbased_always_off"
        ? new AlwaysOffSampler()
        : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root;
}

/** The propagator `OTEL_PROPAGATORS` names: the default when unset, none for `none`. */
function propagatorFor(names: readonly string[]): TextMapPropagator | null | undefined {
  if (names.length === 0) return undefined;
  if (names.includes("none")) return null;
  const propagators = names.map((name) =>
    name === "baggage" ? new W3CBaggagePropagator() : new W3CTraceContextPropagator(),
  );
  return propagators.length === 1 ? propagators[0] : new CompositePropagator({ propagators });
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
