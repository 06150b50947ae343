import { defineManifest } from "@platform/service-runtime";

/** What the code knows of service.ts; test/service.test.ts keeps the two in step. */
export const MANIFEST = defineManifest({
  name: "{{name}}",
  port: {{port}},
  dependencies: {{dependsOn}},
  backingServices: {{backingServices}},
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
