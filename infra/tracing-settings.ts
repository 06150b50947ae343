/**
 * How each environment's services send traces: the share of traces recorded (the
 * sampling ratio), and, on Kubernetes, the OpenTelemetry collector they export to.
 * Parsers of the settings' values; `environments.ts` reads the variables (and refuses
 * them naming the variable), so that every setting is read in one place.
 */
import { PlatformError } from "./platform-error.js";

/**
 * The share of new traces each environment records, by default (override:
 * `<ENV>_TRACE_SAMPLING_RATIO`, like `PRODUCTION_TRACE_SAMPLING_RATIO=0.05`). The sampler
 * is parent-based: a request that arrives with a sampling decision keeps it, so a trace
 * is whole across the services (the gateway decides, everyone after it follows).
 * - `local`: 1, every request: a developer looks for the one request they just made.
 * - `staging`: 1: its traffic is test traffic, little of it, and the one request a
 *   tester asks about must have a trace; the volume keeps the cost small.
 * - `production`: 0.1: the exporter's cost and the collector's storage grow with the
 *   ratio and the traffic; one request in ten still gives traces of every route every
 *   minute under real load.
 */
export const TRACE_SAMPLING_RATIOS = { local: 1, staging: 1, production: 0.1 } as const;

/** What a sampling ratio may be, for messages. */
export const TRACE_SAMPLING_RATIO_ACCEPTED =
  "a number from 0 to 1, the share of new traces recorded (0: none, 1: all), like 0.1";

/** The file {@link TRACE_SAMPLING_RATIOS} is in, for messages. */
export const TRACE_SAMPLING_RATIOS_FILE = "infra/tracing-settings.ts";

/** The variable that overrides an environment's sampling ratio: `PRODUCTION_TRACE_SAMPLING_RATIO`. */
export function samplingRatioVariable(environment: string): string {
  return `${environment.toUpperCase()}_TRACE_SAMPLING_RATIO`;
}

/** Why `value` is not a sampling ratio, or undefined when it is one. */
export function samplingRatioRefusal(value: number): string | undefined {
  if (!Number.isFinite(value)) return "is not a finite number";
  if (value < 0 || value > 1) return "is outside [0, 1]";
  return undefined;
}

/**
 * The default ratio of `environment` from `table` (the platform's TRACE_SAMPLING_RATIOS,
 * which a platform team may edit): a value outside [0, 1] is refused, naming the file, the
 * field, the value and what is accepted.
 * @default table TRACE_SAMPLING_RATIOS
 */
export function defaultSamplingRatio(
  environment: keyof typeof TRACE_SAMPLING_RATIOS,
  table: Readonly<Record<keyof typeof TRACE_SAMPLING_RATIOS, number>> = TRACE_SAMPLING_RATIOS,
): number {
  const value = table[environment];
  const refusal = samplingRatioRefusal(value);
  if (refusal !== undefined)
    throw new PlatformError(
      "ENVIRONMENT_CONFIG_INVALID",
      `${TRACE_SAMPLING_RATIOS_FILE}: TRACE_SAMPLING_RATIOS.${environment}: ${value} ${refusal}; accepted: ${TRACE_SAMPLING_RATIO_ACCEPTED} (${samplingRatioVariable(environment)} overrides it)`,
    );
  return value;
}

/** A sampling ratio written as a variable: decimal digits only (`0.25`, `1`, `.5`), no `1e-1`, no `0x1`. */
export function parseSamplingRatio(text: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text.trim())) return undefined;
  const value = Number(text);
  return samplingRatioRefusal(value) === undefined ? value : undefined;
}

/** Where the services of a Kubernetes environment send traces, and who they may reach for it. */
export interface OtlpCollectorSettings {
  /** The OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`), like `http://otel-collector.observability.svc:4318`. */
  readonly endpoint: string;
  /** The port the endpoint is on (its URL's, or 80/443): the only port of the egress rule. */
  readonly port: number;
  /**
   * Who the NetworkPolicy lets the services reach on that port: the namespace of an
   * in-cluster collector (from a `<name>.<namespace>.svc` host), or the collector's
   * addresses (`PLATFORM_OTLP_CIDR`) for any other host.
   */
  readonly peer: { readonly namespace: string } | { readonly cidr: string };
}

/** An in-cluster collector's OTLP/HTTP endpoint, for messages. */
export const OTLP_ENDPOINT_EXAMPLE = "http://otel-collector.observability.svc:4318";

/** What PLATFORM_OTLP_ENDPOINT accepts. */
export const OTLP_ENDPOINT_ACCEPTED = `the OTLP/HTTP base URL of the environment's OpenTelemetry collector, http(s)://host[:port], without path, query or fragment, like ${OTLP_ENDPOINT_EXAMPLE} (an in-cluster Service: the services get egress to its namespace) or https://otlp.acme.com (with PLATFORM_OTLP_CIDR)`;

/** The parts of an OTLP endpoint URL, or undefined when it is not one {@link OTLP_ENDPOINT_ACCEPTED} describes. */
export function parseOtlpEndpoint(
  text: string,
): { readonly endpoint: string; readonly host: string; readonly port: number } | undefined {
  const match = /^(https?):\/\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::(\d{1,5}))?\/?$/i.exec(text);
  if (!match) return undefined;
  const port = match[4] === undefined ? (match[1]!.toLowerCase() === "https" ? 443 : 80) : Number(match[4]);
  if (port < 1 || port > 65535) return undefined;
  return { endpoint: text.replace(/\/+$/, ""), host: match[2]!.toLowerCase(), port };
}

/** The namespace of an in-cluster Service's host name (`otel-collector.observability.svc[.cluster.local]`). */
export function serviceHostNamespace(host: string): string | undefined {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.svc(\.cluster\.local)?$/.exec(
    host,
  )?.[2];
}
