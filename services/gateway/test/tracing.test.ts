import { fileURLToPath } from "node:url";
import {
  type BundledService,
  type ManifestServers,
  type OtlpReceiver,
  type ReceivedSpan,
  startBundledService,
  startOtlpReceiver,
  startServersFor,
} from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST as CATALOG_MANIFEST } from "../../catalog/src/application.js";
import { MANIFEST as ORDERS_MANIFEST } from "../../orders/src/application.js";

// One trace across the chain gateway -> orders -> catalog: each service bundled by
// bundle-service and run alone with `node main.mjs` (its own process, its own SDK, as in
// its image), orders and catalog on real PostgreSQL, Redis and RabbitMQ servers on
// loopback, all sending their spans to an OTLP/HTTP receiver of the test as JSON
// (OTEL_EXPORTER_OTLP_PROTOCOL=http/json).

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const serviceDir = (name: string) => fileURLToPath(new URL(`../../${name}`, import.meta.url));

let receiver: OtlpReceiver | undefined;
let catalogServers: ManifestServers | undefined;
let ordersServers: ManifestServers | undefined;
const bundles: BundledService[] = [];
let gateway: BundledService;

/** Starts a bundle that sends its spans to the receiver, and waits until it is ready. */
async function startTraced(name: string, variables: Record<string, string>): Promise<BundledService> {
  const bundle = await startBundledService(serviceDir(name), {
    ...variables,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_SERVICE_NAME: name,
    OTEL_BSP_SCHEDULE_DELAY: "50",
  });
  bundles.push(bundle);
  await bundle.ready();
  return bundle;
}

beforeAll(async () => {
  // GIVEN the three services, wired by the variables the platform sets, each tracing to the receiver
  [receiver, catalogServers, ordersServers] = await Promise.all([
    startOtlpReceiver(),
    startServersFor(CATALOG_MANIFEST),
    startServersFor(ORDERS_MANIFEST),
  ]);
  const catalog = await startTraced("catalog", catalogServers.variables);
  const orders = await startTraced("orders", { ...ordersServers.variables, CATALOG_URL: catalog.url });
  gateway = await startTraced("gateway", { CATALOG_URL: catalog.url, ORDERS_URL: orders.url });
}, 300_000);
afterAll(async () => {
  for (const bundle of bundles) bundle.remove();
  await Promise.all([receiver?.close(), catalogServers?.remove(), ordersServers?.remove()]);
});

describe("one trace across gateway -> orders -> catalog", () => {
  it("WHEN an order is placed through the gateway THEN the three services' spans share one trace id, each server span below its caller's client span", async () => {
    const placed = await fetch(`${gateway.url}/api/orders`, {
      method: "POST",
      body: JSON.stringify({ productId: "grinder", quantity: 2 }),
      headers: { "content-type": "application/json" },
    });
    expect(placed.status).toBe(201);

    const serverSpanOf = (spans: readonly ReceivedSpan[], service: string, route: string) =>
      spans.find((s) => s.service === service && s.kind === SERVER && s.attributes["http.route"] === route);
    const spans = await receiver!.waitFor(
      (received) =>
        serverSpanOf(received, "gateway", "/api/orders") !== undefined &&
        serverSpanOf(received, "orders", "/orders") !== undefined &&
        serverSpanOf(received, "catalog", "/products/:id") !== undefined,
    );
    const gatewaySpan = serverSpanOf(spans, "gateway", "/api/orders")!;
    const trace = spans.filter((s) => s.traceId === gatewaySpan.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    /** The nearest span above `span` of another service: its caller's client span. */
    const callerOf = (span: ReceivedSpan) => byId.get(span.parentSpanId ?? "");
    /** The server span of `span`'s own service above it. */
    const ownServerSpanOf = (span: ReceivedSpan): ReceivedSpan | undefined => {
      let current = callerOf(span);
      while (current && current.kind !== SERVER) current = callerOf(current);
      return current;
    };

    // THEN the gateway's request is the root of the trace
    expect(gatewaySpan.parentSpanId).toBeUndefined();
    // AND orders' server span is a child of a client span of the gateway, within the gateway's request
    const ordersSpan = serverSpanOf(trace, "orders", "/orders")!;
    const gatewayCall = callerOf(ordersSpan)!;
    expect(gatewayCall).toMatchObject({ service: "gateway", kind: CLIENT });
    expect(ownServerSpanOf(gatewayCall)).toBe(gatewaySpan);
    // AND catalog's server span is a child of a client span of orders, within orders' request
    const catalogSpan = serverSpanOf(trace, "catalog", "/products/:id")!;
    const ordersCall = callerOf(catalogSpan)!;
    expect(ordersCall).toMatchObject({ service: "orders", kind: CLIENT });
    expect(ownServerSpanOf(ordersCall)).toBe(ordersSpan);
    // AND orders' query and its message to fulfilment's queue are in the same trace, within its request
    const ordersWork = trace.filter((s) => s.service === "orders" && ownServerSpanOf(s) === ordersSpan);
    expect(ordersWork.map((s) => s.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pg\.query:INSERT/), expect.stringMatching(/^publish /)]),
    );
    expect(ordersWork.find((s) => s.name.startsWith("publish "))?.kind).toBe(PRODUCER);

    // AND each service's request line carries that trace id
    for (const bundle of bundles)
      expect(bundle.lines).toContainEqual(
        expect.objectContaining({ msg: "request", trace_id: gatewaySpan.traceId, span_id: expect.any(String) }),
      );
  });
});
