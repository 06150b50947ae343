import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { currentRequestId, type RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestWithoutDependencies } from "./manifest-without-dependencies.js";

// The server span of each request, made by the runtime's own route hooks (request-tracing.ts),
// in process: a tracer provider of the test's (W3C propagation, AsyncLocalStorage context),
// its finished spans kept in memory.

const CALLER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN_ID = "b7ad6b7169203331";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

const manifest = manifestWithoutDependencies("traced-probe");
/** The span id the handler of /items/:id ran in. */
const spanIdsSeenByHandler: string[] = [];
/** The request id a dependency call made by that handler would send. */
const requestIdsSeenByHandler: Array<string | undefined> = [];
const lines: Array<Record<string, unknown>> = [];
let service: RunningApplication;

beforeAll(async () => {
  service = await startForTest(
    {
      manifest,
      routes(router) {
        router.get("/items/:id", ({ params }) => {
          spanIdsSeenByHandler.push(trace.getActiveSpan()?.spanContext().spanId ?? "none");
          requestIdsSeenByHandler.push(currentRequestId());
          return { body: { id: params.id } };
        });
        router.get("/broken", () => {
          throw new Error("a bug");
        });
      },
    },
    { logs: lines, tracing: { tracer: provider.getTracer("test"), shutdown: () => provider.shutdown() } },
  );
});
afterAll(async () => {
  await service?.stop();
});

const serverSpans = () => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
/** Polls until `count` server spans have ended (a test's own timeout bounds the wait). */
async function serverSpansWhen(count: number) {
  while (serverSpans().length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  return serverSpans();
}

describe("the server span of a request", () => {
  it("GIVEN a caller in a trace WHEN it asks a route THEN one server span '<METHOD> <route>' continues its trace, with the HTTP attributes, and the handler runs in it, with the request id", async () => {
    exporter.reset();
    const answer = await fetch(`${service.url}/items/42?full=1`, {
      headers: { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`, "x-request-id": "req-traced-1" },
    });
    expect(answer.status).toBe(200);

    const [span, ...others] = await serverSpansWhen(1);
    expect(others).toEqual([]);
    expect(span!.name).toBe("GET /items/:id");
    expect(span!.spanContext().traceId).toBe(CALLER_TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(span!.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/items/:id",
      "url.path": "/items/42",
      "url.scheme": "http",
      "http.response.status_code": 200,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(spanIdsSeenByHandler.at(-1)).toBe(span!.spanContext().spanId);
    // AND the request id is in the span's context, for the calls the handler makes
    expect(requestIdsSeenByHandler.at(-1)).toBe("req-traced-1");
    // AND the request line names the span
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "request", route: "/items/:id", span_id: span!.spanContext().spanId }),
    );
  });

  it("WHEN a handler throws THEN its span is an error, with the exception, and a new trace when no caller sent one", async () => {
    exporter.reset();
    expect((await fetch(`${service.url}/broken`)).status).toBe(500);

    const [span] = await serverSpansWhen(1);
    expect(span).toMatchObject({
      name: "GET /broken",
      status: { code: SpanStatusCode.ERROR, message: "a bug" },
      attributes: expect.objectContaining({ "http.response.status_code": 500 }),
    });
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("WHEN no route matches, or a method is not allowed THEN the span has the method (and the route) and the status, not an error", async () => {
    exporter.reset();
    expect((await fetch(`${service.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${service.url}/items/1`, { method: "DELETE" })).status).toBe(405);

    const spans = await serverSpansWhen(2);
    expect(spans.map((s) => [s.name, s.attributes["http.response.status_code"], s.status.code])).toEqual([
      ["GET", 404, SpanStatusCode.UNSET],
      ["DELETE /items/:id", 405, SpanStatusCode.UNSET],
    ]);
  });

  it("WHEN the probes, the metrics and a route are asked THEN only the route has a span", async () => {
    exporter.reset();
    for (const path of ["/healthz", "/readyz", "/metrics"]) await (await fetch(`${service.url}${path}`)).text();
    await (await fetch(`${service.url}/items/7`)).text();

    const spans = await serverSpansWhen(1);
    expect(spans.map((s) => s.attributes["url.path"])).toEqual(["/items/7"]);
  });
});

describe("the shutdown of tracing", () => {
  it("GIVEN spans that cannot be sent at shutdown WHEN the service stops THEN it stops cleanly and says so in a warning", async () => {
    const stopLines: Array<Record<string, unknown>> = [];
    const failing = await startForTest(
      { manifest, routes: () => undefined },
      {
        logs: stopLines,
        tracing: {
          tracer: provider.getTracer("test"),
          shutdown: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:4318")),
        },
      },
    );
    expect(await failing.stop()).toEqual({ clean: true });
    expect(stopLines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: "the last spans could not be sent" }),
    );
  });
});
