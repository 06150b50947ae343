import { fileURLToPath } from "node:url";
import {
  type BundledService,
  type OtlpReceiver,
  type ReceivedSpan,
  startBundledService,
  startOtlpReceiver,
} from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BackingServer,
  type PostgresServer,
  startPostgres,
  startRabbitmq,
  startRedis,
} from "../src/test-servers.js";

// Tracing in the bundle (test/fixture-data-service/, bundled by bundle-service and run alone
// with `node main.mjs`, as its image runs it): the spans come from the instrumentations inside
// main.mjs, sent to an OTLP/HTTP receiver of the test as JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json).

const fixtureDir = fileURLToPath(new URL("./fixture-data-service", import.meta.url));
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const CALLER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN_ID = "b7ad6b7169203331";

let postgres: PostgresServer | undefined;
let redis: BackingServer | undefined;
let rabbitmq: BackingServer | undefined;
let receiver: OtlpReceiver | undefined;

// Within the suite's hook budget (hookTimeout in vitest.config.ts, 300 s), not 120 s of its
// own: three servers start side by side, on a 2-core machine that other test runs share.
beforeAll(async () => {
  const started = await Promise.allSettled([startPostgres(), startRedis(), startRabbitmq(), startOtlpReceiver()]);
  [postgres, redis, rabbitmq, receiver] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [
    PostgresServer | undefined,
    BackingServer | undefined,
    BackingServer | undefined,
    OtlpReceiver | undefined,
  ];
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
});
afterAll(async () => {
  await Promise.all([postgres?.remove(), redis?.remove(), rabbitmq?.remove(), receiver?.close()]);
});

async function startFixture(database: string, otel: Record<string, string>): Promise<BundledService> {
  const bundle = await startBundledService(fixtureDir, {
    SERVICE_NAME: "fixture-data",
    DB_URL: await postgres!.createDatabase(database),
    CACHE_URL: redis!.url,
    JOBS_URL: rabbitmq!.url,
    ...otel,
  });
  await bundle.ready();
  return bundle;
}

const childrenOf = (spans: readonly ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId);
/** The spans below `root`, at any depth. */
function descendantsOf(spans: readonly ReceivedSpan[], root: ReceivedSpan): ReceivedSpan[] {
  const children = childrenOf(spans, root);
  return [...children, ...children.flatMap((child) => descendantsOf(spans, child))];
}

describe("tracing in a bundled service", () => {
  it("GIVEN the bundle with an OTLP endpoint WHEN a request comes with a traceparent, and others use Redis and the queue THEN the spans come from main.mjs, linked, and the log lines carry the trace", async () => {
    const bundle = await startFixture("traced", {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "fixture-traced",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    try {
      // WHEN a caller in a trace asks for the notes (PostgreSQL), and others use Redis and the queue
      const notes = await fetch(`${bundle.url}/notes`, {
        headers: { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` },
      });
      expect(notes.status).toBe(200);
      await fetch(`${bundle.url}/cache/greeting`, { method: "POST", body: JSON.stringify({ hello: "world" }) });
      expect(
        (await fetch(`${bundle.url}/notes/queued`, { method: "POST", body: JSON.stringify({ n: 1 }) })).status,
      ).toBe(202);

      // THEN the request's server span continues the caller's trace, with the query below it
      const ofService = (spans: readonly ReceivedSpan[]) => spans.filter((s) => s.service === "fixture-traced");
      const spans = ofService(
        await receiver!.waitFor((received) => {
          const mine = ofService(received);
          return (
            mine.some((s) => s.name.startsWith("pg.query") && s.traceId === CALLER_TRACE_ID) &&
            mine.some((s) => s.name.startsWith("redis-SET")) &&
            mine.some((s) => s.kind === CONSUMER)
          );
        }),
      );
      const notesSpan = spans.find((s) => s.kind === SERVER && s.attributes["http.route"] === "/notes")!;
      expect(notesSpan).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID });
      expect(
        descendantsOf(spans, notesSpan)
          .filter((s) => s.kind === CLIENT)
          .map((s) => s.name),
      ).toEqual(expect.arrayContaining(["pg-pool.connect", expect.stringMatching(/^pg\.query:SELECT/)]));
      // AND the Redis command is below its request's span
      const cacheSpan = spans.find((s) => s.kind === SERVER && s.attributes["http.route"] === "/cache/:key")!;
      expect(descendantsOf(spans, cacheSpan).map((s) => s.name)).toContain("redis-SET");
      // AND the message carried the trace: producer below the request, consumer below the producer
      const queuedSpan = spans.find((s) => s.kind === SERVER && s.attributes["http.route"] === "/notes/queued")!;
      const producer = descendantsOf(spans, queuedSpan).find((s) => s.kind === PRODUCER)!;
      expect(producer.name).toBe("publish notes");
      expect(childrenOf(spans, producer)).toEqual([
        expect.objectContaining({ kind: CONSUMER, name: "process notes", traceId: queuedSpan.traceId }),
      ]);
      // AND no span of the probes, nor of the checks and migrations outside of any request (the
      // Redis instrumentation traces its client's connection at start whatever it is told)
      expect(spans.filter((s) => s.kind === SERVER).map((s) => s.attributes["http.route"])).not.toContain("/readyz");
      expect(
        spans.filter((s) => s.parentSpanId === undefined && s.kind !== SERVER && s.name !== "redis-connect"),
      ).toEqual([]);

      // AND the request line carries the trace id and span id of its server span, beside its request id
      expect(bundle.lines).toContainEqual(
        expect.objectContaining({
          msg: "request",
          route: "/notes",
          trace_id: CALLER_TRACE_ID,
          span_id: notesSpan.spanId,
          requestId: expect.any(String),
        }),
      );
      expect(await bundle.terminate()).toEqual([0, null]);
    } finally {
      bundle.remove();
    }
  }, 120_000);

  it("GIVEN the bundle with OTEL_SDK_DISABLED=true WHEN it serves a request and stops THEN nothing is exported and no line has a trace id", async () => {
    const exportsBefore = receiver!.exportsReceived;
    const bundle = await startFixture("untraced", {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SDK_DISABLED: "true",
    });
    try {
      expect((await fetch(`${bundle.url}/notes`)).status).toBe(200);
      // The SDK, when on, sends what it holds at shutdown: after the exit, nothing came.
      expect(await bundle.terminate()).toEqual([0, null]);
      expect(receiver!.exportsReceived).toBe(exportsBefore);
      expect(bundle.lines).toContainEqual(expect.objectContaining({ msg: "request", route: "/notes" }));
      expect(bundle.lines.filter((line) => "trace_id" in line)).toEqual([]);
    } finally {
      bundle.remove();
    }
  }, 120_000);
});
