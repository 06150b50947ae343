import { defineManifest } from "@platform/service-runtime";

/** What the code knows of service.ts; test/service.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "fixture-ledger",
  port: 8080,
  dependencies: [],
  backingServices: { db: { type: "postgres" } },
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
