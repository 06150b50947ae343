import { fileURLToPath } from "node:url";
import { dependencyUrlVariable } from "@platform/service-runtime";
import { startBundledService, startForTest } from "@platform/service-runtime/testing";
import { describe, expect, it } from "vitest";
import { resolveServiceSpec } from "../../../infra/spec/index.js";
import spec from "../service.js";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/manifest.js";

// This service as the platform runs it. The runtime itself (@platform/service-runtime,
// templates/runtime/) is tested once, in its own package.

const serviceDir = fileURLToPath(new URL("..", import.meta.url));
/** Every dependency's URL, at an address that refuses connections. */
const unreachableDependencies = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]));

describe("src/manifest.ts", () => {
  it("GIVEN service.ts WHEN resolved THEN the manifest names the same service, port, dependencies and probe paths", () => {
    const resolved = resolveServiceSpec(spec, "local", "0.0.0");
    expect({ ...MANIFEST, dependencies: [...MANIFEST.dependencies].sort() }).toEqual({
      name: resolved.name,
      port: resolved.port,
      dependencies: [...resolved.dependsOn],
      health: resolved.health,
      metricsPath: resolved.monitoring.metricsPath,
    });
  });

  it("GIVEN service.ts WHEN resolved THEN metrics are scraped on the service port, where the runtime serves them", () => {
    const resolved = resolveServiceSpec(spec, "local", "0.0.0");
    expect(resolved.monitoring.metricsPort).toBe(resolved.port);
  });
});

describe(`${MANIFEST.name}, bundled and started as its image starts it`, () => {
  it("GIVEN the bundle alone in a folder WHEN run with node and sent SIGTERM THEN it serves health and metrics and exits 0", async () => {
    const bundle = await startBundledService(serviceDir, { SERVICE_NAME: MANIFEST.name, PLATFORM_ENVIRONMENT: "test", ...unreachableDependencies });
    try {
      expect(bundle.files).toEqual(["main.mjs", "main.mjs.map"]);
      expect((await fetch(`${bundle.url}${MANIFEST.health.liveness}`)).status).toBe(200);
      expect(await (await fetch(`${bundle.url}${MANIFEST.metricsPath}`)).text()).toContain("process_cpu_seconds_total");
      expect(await bundle.terminate()).toEqual([0, null]);
      expect(bundle.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["stop requested", "draining", "stopped"]));
      expect(bundle.lines[0]).toMatchObject({ level: "info", service: MANIFEST.name, environment: "test" });
    } finally {
      bundle.remove();
    }
  });

  it("GIVEN the service's own application WHEN started THEN it is ready", async () => {
    const service = await startForTest(createApplication(), { variables: unreachableDependencies });
    try {
      expect((await fetch(`${service.url}${MANIFEST.health.readiness}`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
