import { defineManifest } from "./platform/service-manifest.js";

/** What the code knows of service.ts; test/manifest.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "gateway",
  port: 8080,
  dependencies: ["catalog", "orders"],
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
