import type { Environment } from "../environments.js";
import { TRACING_VARIABLES } from "../spec/resolve.js";

export { TRACING_VARIABLES };

/**
 * The OpenTelemetry variables the platform sets for every service container, the same
 * on both targets: the runtime starts the OpenTelemetry SDK from them alone (when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set), so what a service traces, where to and how much
 * is decided here, per environment, and nowhere in a service.
 */

/** The port of the OTLP/HTTP receiver (the OpenTelemetry default, Jaeger's too). */
export const OTLP_HTTP_PORT = 4318;

/**
 * The OTEL_* variables of `service` in `environment`, exporting to `endpoint`: OTLP over
 * HTTP with protobuf (the SDK's default, and what every collector and Jaeger receive on
 * 4318), a parent-based ratio sampler at the environment's ratio (a caller's decision is
 * kept, so a trace is whole), and W3C trace context and baggage as the propagators.
 * No endpoint means tracing is off: no variable at all, so the runtime starts no SDK.
 * @param endpoint the OTLP/HTTP base URL
 * @default endpoint undefined - tracing off
 */
export function tracingEnvironment(
  service: string,
  environment: Environment,
  endpoint: string | undefined,
): Partial<Record<(typeof TRACING_VARIABLES)[number], string>> {
  if (endpoint === undefined) return {};
  return {
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(environment.tracing.samplingRatio),
    OTEL_PROPAGATORS: "tracecontext,baggage",
  };
}
