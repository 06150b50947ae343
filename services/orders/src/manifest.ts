import { defineManifest } from "./platform/service-manifest.js";

/** What the code knows of service.ts; test/manifest.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "orders",
  port: 8080,
  dependencies: ["catalog"],
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
