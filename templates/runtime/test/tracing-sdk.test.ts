import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../src/config.js";
import { startTracing, tracingRequested } from "../src/telemetry.js";

// Counts the loads of the SDK module: tracing off must never load it.
const sdkLoads = vi.hoisted(() => ({ count: 0 }));
vi.mock("../src/tracing-sdk.js", async (importOriginal) => {
  sdkLoads.count++;
  return importOriginal();
});

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
  // First in the file: no test before it has loaded the SDK.
  it("GIVEN OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true WHEN asked THEN tracing is off, and starting it never loads the SDK", async () => {
    expect(tracingRequested(ENDPOINT)).toBe(true);
    expect(tracingRequested({ ...ENDPOINT, OTEL_TRACES_EXPORTER: "None" })).toBe(false);
    expect(tracingRequested({ ...ENDPOINT, OTEL_SDK_DISABLED: "TRUE" })).toBe(false);
    expect(tracingRequested({})).toBe(false);
    // Even a bad propagator is not checked when tracing is off: the SDK is never loaded.
    expect(
      await startTracing({ serviceName: "svc" }, { ...ENDPOINT, OTEL_TRACES_EXPORTER: "none", OTEL_PROPAGATORS: "b3" }),
    ).toBeUndefined();
    expect(sdkLoads.count).toBe(0);
    // ...and it is loaded when tracing is asked for (here to refuse the propagator).
    await problemsOf({ OTEL_PROPAGATORS: "b3" });
    expect(sdkLoads.count).toBe(1);
  });

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

  it("GIVEN names in capitals or with blanks WHEN checked THEN they are read as the specification asks, and a bad log level is refused", async () => {
    expect(
      await problemsOf({
        OTEL_EXPORTER_OTLP_PROTOCOL: " HTTP/JSON ",
        OTEL_TRACES_SAMPLER: "always_off ",
        OTEL_PROPAGATORS: "TraceContext, Baggage",
        OTEL_LOG_LEVEL: "loud",
      }),
    ).toEqual(['OTEL_LOG_LEVEL: "loud" is not accepted; accepted: none, error, warn, info, debug, verbose, all']);
  });
});
