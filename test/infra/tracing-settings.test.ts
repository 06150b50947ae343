import { describe, expect, it } from "vitest";
import { isPlatformError } from "../../infra/platform-error.js";
import {
  defaultSamplingRatio,
  parseOtlpEndpoint,
  parseSamplingRatio,
  serviceHostNamespace,
  TRACE_SAMPLING_RATIOS,
} from "../../infra/tracing-settings.js";
import { thrownBy } from "../support/thrown.js";

describe("TRACE_SAMPLING_RATIOS", () => {
  it("GIVEN the platform's table WHEN read THEN every environment has a ratio in [0, 1], production the lowest", () => {
    expect(TRACE_SAMPLING_RATIOS).toEqual({ local: 1, staging: 1, production: 0.1 });
    for (const name of ["local", "staging", "production"] as const)
      expect(defaultSamplingRatio(name)).toBe(TRACE_SAMPLING_RATIOS[name]);
  });

  it("GIVEN a table edited to a ratio above 1 WHEN production's is read THEN it is refused naming the file, the field, the value and what is accepted", () => {
    const error = thrownBy(() => defaultSamplingRatio("production", { local: 1, staging: 1, production: 2 }));
    expect(isPlatformError(error, "ENVIRONMENT_CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toBe(
      "infra/tracing-settings.ts: TRACE_SAMPLING_RATIOS.production: 2 is outside [0, 1]; accepted: a number from 0 to 1, the share of new traces recorded (0: none, 1: all), like 0.1 (PRODUCTION_TRACE_SAMPLING_RATIO overrides it)",
    );
  });

  it("GIVEN a negative or not-a-number ratio in the table WHEN read THEN each is refused", () => {
    expect(
      (thrownBy(() => defaultSamplingRatio("staging", { local: 1, staging: -0.5, production: 0.1 })) as Error).message,
    ).toContain("TRACE_SAMPLING_RATIOS.staging: -0.5 is outside [0, 1]");
    expect(
      (thrownBy(() => defaultSamplingRatio("local", { local: Number.NaN, staging: 1, production: 0.1 })) as Error)
        .message,
    ).toContain("TRACE_SAMPLING_RATIOS.local: NaN is not a finite number");
  });
});

describe("parseSamplingRatio", () => {
  it("GIVEN decimal ratios from 0 to 1 WHEN parsed THEN they are read as numbers", () => {
    expect(["0", "1", "0.25", ".5", "1.0"].map(parseSamplingRatio)).toEqual([0, 1, 0.25, 0.5, 1]);
  });

  it("GIVEN values outside [0, 1] or not plain decimals WHEN parsed THEN none is accepted", () => {
    for (const text of ["1.5", "-0.1", "10%", "1e-1", "0x1", "", "half", "Infinity"])
      expect(parseSamplingRatio(text), text).toBeUndefined();
  });
});

describe("parseOtlpEndpoint and serviceHostNamespace", () => {
  it("GIVEN an in-cluster collector URL WHEN parsed THEN its port is the URL's and its namespace the host's", () => {
    const parsed = parseOtlpEndpoint("http://otel-collector.observability.svc:4318/");
    expect(parsed).toEqual({
      endpoint: "http://otel-collector.observability.svc:4318",
      host: "otel-collector.observability.svc",
      port: 4318,
    });
    expect(serviceHostNamespace(parsed!.host)).toBe("observability");
    expect(serviceHostNamespace("otel.tracing.svc.cluster.local")).toBe("tracing");
  });

  it("GIVEN an external collector without a port WHEN parsed THEN the scheme's port is used and it has no namespace", () => {
    expect(parseOtlpEndpoint("https://otlp.acme.com")).toEqual({
      endpoint: "https://otlp.acme.com",
      host: "otlp.acme.com",
      port: 443,
    });
    expect(parseOtlpEndpoint("http://10.1.2.3")?.port).toBe(80);
    expect(serviceHostNamespace("otlp.acme.com")).toBeUndefined();
  });

  it("GIVEN URLs with a path, a query, credentials, another scheme or a bad port WHEN parsed THEN none is accepted", () => {
    for (const text of [
      "http://collector:4318/v1/traces",
      "http://collector:4318?x=1",
      "http://user:pw@collector:4318",
      "grpc://collector:4317",
      "collector:4318",
      "http://collector:99999",
      "http://collector:0",
    ])
      expect(parseOtlpEndpoint(text), text).toBeUndefined();
  });
});
