import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as an OTLP receiver got it, with the `service.name` of the process that sent it. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** The parent's span id; undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A started {@link startOtlpReceiver}. */
export interface OtlpReceiver {
  /** Its base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`, like http://127.0.0.1:41234. */
  readonly url: string;
  /** Every span received so far, in the order they came. */
  readonly spans: readonly ReceivedSpan[];
  /** How many exports (POSTs to `/v1/traces`, of either encoding) it answered. */
  readonly exportsReceived: number;
  /** Resolves with the spans once `enough(spans)` is true, checked at each export that arrives. */
  waitFor(enough: (spans: readonly ReceivedSpan[]) => boolean): Promise<readonly ReceivedSpan[]>;
  close(): Promise<void>;
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: Readonly<Record<string, unknown>>;
}

interface OtlpTraces {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: { readonly attributes?: readonly OtlpAttribute[] };
    readonly scopeSpans?: ReadonlyArray<{
      readonly spans?: ReadonlyArray<{
        readonly traceId: string;
        readonly spanId: string;
        readonly parentSpanId?: string;
        readonly name: string;
        readonly kind: number;
        readonly attributes?: readonly OtlpAttribute[];
      }>;
    }>;
  }>;
}

/**
 * An OTLP/HTTP receiver of traces on loopback, for tests and the bench: it takes what
 * the OpenTelemetry SDK sends to `/v1/traces` with `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`
 * (a protobuf body is counted as received and not read), and answers 200 with an empty
 * answer in the request's encoding.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const waiting = new Set<() => void>();
  let exportsReceived = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.url === "/v1/traces") exportsReceived++;
      if (request.url === "/v1/traces" && (request.headers["content-type"] ?? "").includes("json"))
        spans.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpTraces));
      // An empty ExportTraceServiceResponse in the request's encoding: JSON `{}`, or no
      // bytes for protobuf (a JSON body there made the exporter's parse of it fail each time).
      if ((request.headers["content-type"] ?? "").includes("protobuf"))
        response.writeHead(200, { "content-type": "application/x-protobuf", "content-length": "0" }).end();
      else response.writeHead(200, { "content-type": "application/json" }).end("{}");
      for (const check of waiting) check();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get exportsReceived() {
      return exportsReceived;
    },
    waitFor(enough) {
      return new Promise((resolve) => {
        const check = () => {
          if (!enough(spans)) return;
          waiting.delete(check);
          resolve(spans);
        };
        waiting.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function spansOf(traces: OtlpTraces): ReceivedSpan[] {
  return (traces.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) => {
    const service = String(anyValue(resource?.attributes?.find((a) => a.key === "service.name")?.value) ?? "");
    return (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, anyValue(a.value)])),
      })),
    );
  });
}

/** The value of an OTLP `AnyValue`: `{ stringValue }`, `{ intValue }`, ... */
function anyValue(value: Readonly<Record<string, unknown>> | undefined): unknown {
  return value === undefined ? undefined : Object.values(value)[0];
}
