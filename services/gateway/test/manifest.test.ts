import { describe, expect, it } from "vitest";
import { resolveServiceSpec } from "../../../infra/spec/index.js";
import spec from "../service.js";
import { MANIFEST } from "../src/manifest.js";

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
