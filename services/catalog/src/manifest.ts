import { defineManifest } from "./platform/service-manifest.js";

/** What the code knows of service.ts; test/manifest.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "catalog",
  port: 8080,
  dependencies: [],
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
