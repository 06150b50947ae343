import { type BackingServiceClients, manifestOf, type ResourceClient } from "@platform/service-runtime";
import { describe, expect, expectTypeOf, it } from "vitest";
import { defineService } from "../../../infra/spec/index.js";
import { parseServiceDefinition, resolveServiceSpec } from "../../../infra/spec/model.js";
import { SPEC_DEFAULTS } from "../../../infra/spec/resolve.js";
import { RUNTIME_DEFAULTS } from "../../../infra/spec/runtime-defaults.js";

// The manifest a service's code derives from its own service.ts: no copy to keep in step.

const fulfilment = defineService({
  name: "fulfilment",
  build: {},
  port: 8080,
  backingServices: { queue: { type: "queue", queues: ["jobs", "retries"], storage: "2Gi" } },
});

const orders = defineService({
  name: "orders",
  build: {},
  port: 8081,
  dependsOn: ["catalog", "payments"],
  backingServices: { db: { type: "postgres", version: 17, storage: "5Gi" }, cache: { type: "redis" } },
  uses: ["fulfilment.queue"],
  health: { liveness: "/live", readiness: "/ready" },
  monitoring: { metricsPath: "/internal/metrics", owner: "team-orders" },
});

describe("manifestOf (what the code knows of service.ts)", () => {
  it("GIVEN a spec with every field the code reads WHEN derived THEN each is the spec's, a backing service reduced to its type and queues, a used one typed by its owner", () => {
    const manifest = manifestOf(orders, { uses: { "fulfilment.queue": fulfilment } });
    expect(manifest).toEqual({
      name: "orders",
      port: 8081,
      dependencies: ["catalog", "payments"],
      backingServices: { db: { type: "postgres" }, cache: { type: "redis" } },
      uses: { "fulfilment.queue": { type: "queue", queues: ["jobs", "retries"] } },
      health: { liveness: "/live", readiness: "/ready" },
      metricsPath: "/internal/metrics",
    });
  });

  it("GIVEN a spec with no health or monitoring paths WHEN derived THEN the paths are the spec's defaults, the same ones the platform probes and scrapes", () => {
    const spec = defineService({ name: "plain", build: {}, port: 9090 });
    const manifest = manifestOf(spec);
    const resolved = resolveServiceSpec(parseServiceDefinition(spec), "local", "0.0.0");
    expect(manifest).toEqual({
      name: "plain",
      port: 9090,
      dependencies: [],
      backingServices: {},
      uses: {},
      health: { liveness: "/healthz", readiness: "/readyz" },
      metricsPath: "/metrics",
    });
    expect([manifest.health, manifest.metricsPath]).toEqual([resolved.health, resolved.monitoring.metricsPath]);
    // One place: the platform's defaults are the runtime's.
    expect([SPEC_DEFAULTS.liveness, SPEC_DEFAULTS.readiness, SPEC_DEFAULTS.metricsPath]).toEqual([
      RUNTIME_DEFAULTS.liveness,
      RUNTIME_DEFAULTS.readiness,
      RUNTIME_DEFAULTS.metricsPath,
    ]);
  });

  it("GIVEN the derived manifest WHEN the code names a backing service THEN its client is typed by the type service.ts declares, a used one by its owner's", () => {
    const manifest = manifestOf(orders, { uses: { "fulfilment.queue": fulfilment } });
    type Manifest = typeof manifest;
    expectTypeOf<ResourceClient<Manifest, "db">>().toEqualTypeOf<BackingServiceClients["postgres"]>();
    expectTypeOf<ResourceClient<Manifest, "cache">>().toEqualTypeOf<BackingServiceClients["redis"]>();
    expectTypeOf<ResourceClient<Manifest, "fulfilment.queue">>().toEqualTypeOf<BackingServiceClients["queue"]>();
    expectTypeOf(manifest.name).toEqualTypeOf<"orders">();
    // A spec with uses and no owner's spec is a type error too, not only the error below.
    // @ts-expect-error the owner of "fulfilment.queue" is not given
    expect(() => manifestOf(orders)).toThrow(Error);
  });

  it("GIVEN a spec whose uses' owner spec is not given WHEN derived THEN the error names service.ts, the reference and how to give it", () => {
    const derive = manifestOf as (spec: unknown, options?: unknown) => unknown;
    expect(() => derive(orders)).toThrow(
      'service.ts: uses[0] "fulfilment.queue": the spec of its owner is not given; pass it: manifestOf(spec, { uses: { "fulfilment.queue": fulfilment } }) with fulfilment the default export of services/fulfilment/service.ts',
    );
    expect(() => derive(orders, { uses: { "fulfilment.queue": orders } })).toThrow(
      `service.ts: uses[0] "fulfilment.queue": the spec given is "orders"'s; give "fulfilment"'s`,
    );
    const noQueue = defineService({ name: "fulfilment", build: {}, port: 8080 });
    expect(() => derive(orders, { uses: { "fulfilment.queue": noQueue } })).toThrow(
      `service.ts: uses[0] "fulfilment.queue": fulfilment's service.ts declares no backing service "queue"; it declares: (none)`,
    );
    expect(() => derive(fulfilment, { uses: { "orders.db": orders } })).toThrow(
      'service.ts: manifestOf was given the owner of "orders.db", which is not in uses; uses: (none)',
    );
  });

  it("GIVEN a spec with a path or queue the runtime cannot serve WHEN derived THEN the error names service.ts and the field", () => {
    const spec = defineService({ name: "bad", build: {}, port: 8080, health: { liveness: "healthz" } });
    expect(() => manifestOf(spec)).toThrow(`service.ts: "healthz" must be an HTTP path starting with '/'`);
    const badQueue = defineService({
      name: "bad",
      build: {},
      port: 8080,
      backingServices: { jobs: { type: "queue", queues: ["amq.x"] } },
    });
    expect(() => manifestOf(badQueue)).toThrow(
      `service.ts: backingServices.jobs.queues: "amq.x" must be 1 to 255 letters, digits, '-', '_', '.' or ':', not starting with "amq."`,
    );
  });
});
