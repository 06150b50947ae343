import { defineManifest } from "@platform/service-runtime";

/**
 * The manifest of a test's service that calls no other service and owns no resource: port
 * 8080, the usual probes and metrics path.
 */
export function manifestWithoutDependencies<const N extends string>(name: N) {
  return defineManifest({
    name,
    port: 8080,
    dependencies: [],
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
  });
}
