import { defineManifest } from "@platform/service-runtime";

/** What the code knows of service.ts; test/service.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "fulfilment",
  port: 8080,
  dependencies: [],
  backingServices: { queue: { type: "queue", queues: ["jobs"] } },
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
