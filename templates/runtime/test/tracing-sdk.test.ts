import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.js";
import { startTracing, tracingRequested } from "../src/telemetry.js";

// What the trace SDK refuses, before it registers anything: an OTEL_* value it cannot honour
// is a configuration error naming the variable, the value and what is accepted. (The spans
// themselves are tested in the bundle: telemetry.test.ts.)

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" };

async function problemsOf(variables: Record<string, string>): Promise<readonly string[]> {
  const error = await startTracing({ serviceName: "svc" }, { ...ENDPOINT, ...variables }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe("the trace SDK's settings", () => {
  it("GIVEN OTEL_EXPORTER_OTLP_PROTOCOL=grpc WHEN tracing starts THEN it is refused, naming the accepted protocols", async () => {
    expect(await problemsOf({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not accepted; accepted: http/protobuf, http/json',
    ]);
  });

  it("GIVEN the traces protocol variable WHEN it is bad THEN the message names it, not the general one", async () => {
    expect(
      await problemsOf({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http" }),
    ).toEqual(['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http" is not accepted; accepted: http/protobuf, http/json']);
  });

  it("GIVEN a propagator, a sampler and a ratio it has not WHEN tracing starts THEN each is named in one error", async () => {
    expect(
      await problemsOf({
        OTEL_PROPAGATORS: "tracecontext,b3",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "1.5",
        OTEL_TRACES_EXPORTER: "zipkin",
      }),
    ).toEqual([
      'OTEL_TRACES_EXPORTER: "zipkin" is not accepted; accepted: otlp, none',
      'OTEL_TRACES_SAMPLER_ARG: "1.5" is not a ratio; accepted: a number from 0 to 1',
      'OTEL_PROPAGATORS: "b3" not accepted; accepted: tracecontext, baggage, none',
    ]);
    expect(await problemsOf({ OTEL_TRACES_SAMPLER: "ratio" })).toEqual([
      'OTEL_TRACES_SAMPLER: "ratio" is not accepted; accepted: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
    ]);
  });

  it("GIVEN OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true WHEN asked THEN tracing is off, and starting it loads nothing", async () => {
    expect(tracingRequested(ENDPOINT)).toBe(true);
    expect(tracingRequested({ ...ENDPOINT, OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(tracingRequested({ ...ENDPOINT, OTEL_SDK_DISABLED: "TRUE" })).toBe(false);
    expect(tracingRequested({})).toBe(false);
    // Even a bad protocol is not checked when tracing is off: the SDK is never loaded.
    expect(
      await startTracing({ serviceName: "svc" }, { ...ENDPOINT, OTEL_TRACES_EXPORTER: "none", OTEL_PROPAGATORS: "b3" }),
    ).toBeUndefined();
  });
});
