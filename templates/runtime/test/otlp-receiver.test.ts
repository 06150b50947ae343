import { type DiagLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../src/otlp-receiver.js";

// The receiver of the tests and the bench, against the real OTLP/HTTP protobuf exporter:
// what it answers must be an answer the exporter can read.

let receiver: OtlpReceiver | undefined;
afterAll(async () => {
  diag.disable();
  await receiver?.close();
});

describe("the OTLP receiver", () => {
  it("GIVEN the OTLP/HTTP protobuf exporter WHEN it exports a span THEN the export is counted and its answer parses, with no warning from the exporter", async () => {
    receiver = await startOtlpReceiver();
    const warnings: unknown[][] = [];
    const record = (...args: unknown[]) => void warnings.push(args);
    const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))],
    });
    provider.getTracer("test").startSpan("one").end();
    await provider.forceFlush();
    await provider.shutdown();
    expect([receiver.exportsReceived, warnings]).toEqual([1, []]);
  });
});
