import { defineManifest } from "@platform/service-runtime";

/** What the code knows of service.ts; test/service.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "catalog",
  port: 8080,
  dependencies: [],
  backingServices: { db: { type: "postgres" }, cache: { type: "redis" } },
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
