import { describe, expect, it } from "vitest";
import {
  parseServiceDefinition,
  platformEnvironment,
  reservedVariableNames,
  resolveServiceSpec,
} from "../../../infra/spec/model.js";

describe("resolveServiceSpec", () => {
  it("GIVEN a minimal spec WHEN resolved THEN every default is filled in", () => {
    const spec = resolveServiceSpec(
      parseServiceDefinition({ name: "orders", build: {}, port: 8080 }),
      "staging",
      "1.2.3",
    );
    expect(spec).toMatchObject({
      source: { kind: "build", dockerfile: "Dockerfile" },
      version: "1.2.3",
      health: { liveness: "/healthz", readiness: "/readyz" },
      resources: { requests: { cpuMillis: 100, memoryMiB: 256 }, limits: { cpuMillis: 200, memoryMiB: 256 } },
      scaling: { min: 2, max: 4, cpuPercent: 70, fixed: false },
      expose: { kind: "internal" },
      monitoring: {
        metricsPath: "/metrics",
        metricsPort: 8080,
        slo: { availability: 99.9, latencyMs: 500 },
        owner: "platform",
      },
    });
  });

  it("GIVEN environment overrides WHEN resolved per environment THEN only that environment changes", () => {
    const definition = parseServiceDefinition({
      name: "orders",
      build: {},
      port: 8080,
      env: { LOG_LEVEL: "info", REGION: "eu" },
      resources: { cpu: "250m", memory: "256Mi" },
      environments: {
        production: { scaling: { min: 4, max: 4 }, resources: { memory: "1Gi" }, env: { LOG_LEVEL: "warn" } },
      },
    });
    const staging = resolveServiceSpec(definition, "staging", "1.0.0");
    const production = resolveServiceSpec(definition, "production", "1.0.0");
    expect(staging.env).toEqual({ LOG_LEVEL: "info", REGION: "eu" });
    expect(production.env).toEqual({ LOG_LEVEL: "warn", REGION: "eu" });
    expect(production.scaling).toMatchObject({ min: 4, max: 4, fixed: true });
    expect(production.resources.requests).toEqual({ cpuMillis: 250, memoryMiB: 1024 });
    expect(staging.resources.requests).toEqual({ cpuMillis: 250, memoryMiB: 256 });
  });

  it("GIVEN environments.staging.expose.public.host WHEN resolved per environment THEN staging serves that host on the spec's own path and local port, the others the spec's host", () => {
    const definition = parseServiceDefinition({
      name: "shop",
      build: {},
      port: 8080,
      expose: { public: { host: "shop.example.com", path: "/shop", localPort: 8085 } },
      environments: { staging: { expose: { public: { host: "staging.shop.example.com" } } } },
    });
    expect(resolveServiceSpec(definition, "staging", "1.0.0").expose).toEqual({
      kind: "public",
      host: "staging.shop.example.com",
      path: "/shop",
      localPort: 8085,
    });
    expect(resolveServiceSpec(definition, "production", "1.0.0").expose).toEqual({
      kind: "public",
      host: "shop.example.com",
      path: "/shop",
      localPort: 8085,
    });
  });

  it("GIVEN an internal service made public in staging alone WHEN resolved THEN staging has the route with the defaults, production stays internal", () => {
    const definition = parseServiceDefinition({
      name: "preview",
      build: {},
      port: 8080,
      environments: { staging: { expose: { public: { host: "preview.staging.example.com" } } } },
    });
    expect(resolveServiceSpec(definition, "staging", "1.0.0").expose).toEqual({
      kind: "public",
      host: "preview.staging.example.com",
      path: "/",
      localPort: 8080,
    });
    expect(resolveServiceSpec(definition, "production", "1.0.0").expose).toEqual({ kind: "internal" });
  });

  it("GIVEN an image service WHEN resolved THEN its version is the image tag", () => {
    expect(
      resolveServiceSpec(parseServiceDefinition({ name: "cache", image: "redis:7.4.1", port: 6379 }), "local", "0.0.0")
        .version,
    ).toBe("7.4.1");
  });

  it("GIVEN a spec with dependencies WHEN the platform variables are made THEN their names are exactly the reserved names the schema refuses", () => {
    const spec = resolveServiceSpec(
      parseServiceDefinition({ name: "gateway", build: {}, port: 8080, dependsOn: ["orders", "order-store"] }),
      "local",
      "1.0.0",
    );
    expect(Object.keys(platformEnvironment(spec, "local", () => 8080)).sort()).toEqual(
      [...reservedVariableNames(spec.dependsOn)].sort(),
    );
  });

  it("GIVEN dependencies WHEN the platform variables are made THEN each dependency gets a URL by its name, and its resilience settings", () => {
    const spec = resolveServiceSpec(
      parseServiceDefinition({
        name: "gateway",
        build: {},
        port: 8080,
        dependsOn: ["order-store"],
        env: { LOG_LEVEL: "debug" },
      }),
      "local",
      "1.0.0",
    );
    expect(platformEnvironment(spec, "local", () => 9000)).toEqual({
      SERVICE_NAME: "gateway",
      PORT: "8080",
      PLATFORM_ENVIRONMENT: "local",
      ORDER_STORE_URL: "http://order-store:9000",
      ORDER_STORE_TIMEOUT_MS: "2000",
      ORDER_STORE_RETRY_ATTEMPTS: "2",
      ORDER_STORE_RETRY_METHODS: "GET,HEAD,PUT,DELETE,OPTIONS",
      ORDER_STORE_BREAKER_FAILURES: "5",
      ORDER_STORE_BREAKER_HALF_OPEN_MS: "10000",
      LOG_LEVEL: "debug",
    });
  });
});
