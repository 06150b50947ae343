import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServiceDefinition, resolveServiceSpec, type ServiceSpecInput } from "../../../infra/spec/model.js";
import { type ManifestServers, startServersFor } from "./test-servers.js";
import { connectedResources } from "./service-manifest.js";
import type { Application } from "./application.js";
import { dependencyUrlVariable } from "./config.js";
import { startBundledService, startForTest } from "./testing.js";

/** What {@link describeServiceContract} checks a service with. */
export interface ServiceContractProps {
  /** The service's folder, as a file URL (`new URL("..", import.meta.url)` from its test folder). */
  readonly serviceDir: URL;
  /** The default export of its service.ts. */
  readonly spec: ServiceSpecInput;
  /** Its application factory (src/application.ts), whose manifest is derived from service.ts (`manifestOf`). */
  readonly createApplication: () => Application;
}

/**
 * The tests every service runs on itself: metrics are scraped where the runtime serves
 * them, its own bundle runs alone as its image runs it (with its migrations beside it),
 * and its own application becomes ready. A service with backing services gets real ones for these
 * tests (PostgreSQL, Redis, RabbitMQ on loopback), so its migrations run too. The
 * runtime itself is tested once, in this package; this is what differs per service.
 */
export function describeServiceContract(props: ServiceContractProps): void {
  const { spec, createApplication } = props;
  const { manifest } = createApplication();
  const serviceDir = fileURLToPath(props.serviceDir);
  /** Every dependency's URL, at an address that refuses connections. */
  const unreachableDependencies = Object.fromEntries(
    manifest.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]),
  );
  const migrationsDir = path.join(serviceDir, "migrations");
  /** The files of the service's bundle folder: the bundle, its source map, its migrations. */
  const bundleFiles = [
    "main.mjs",
    "main.mjs.map",
    ...(existsSync(migrationsDir)
      ? [
          "migrations",
          ...readdirSync(migrationsDir, { recursive: true, encoding: "utf8" }).map((f) => `migrations/${f}`),
        ]
      : []),
  ].sort();
  let servers: ManifestServers | undefined;
  const backingServices = () => servers?.variables ?? {};

  describe("service.ts", () => {
    it("GIVEN service.ts WHEN resolved THEN metrics are scraped on the service port, where the runtime serves them", () => {
      const resolved = resolveServiceSpec(parseServiceDefinition(spec), "local", "0.0.0");
      expect(resolved.monitoring.metricsPort).toBe(resolved.port);
    });
  });

  describe(`${manifest.name}, bundled and started as its image starts it`, () => {
    if (connectedResources(manifest).length > 0) {
      beforeAll(async () => {
        servers = await startServersFor(manifest);
      });
      afterAll(async () => {
        await servers?.remove();
      });
    }

    it("GIVEN the bundle alone in a folder WHEN run with node and sent SIGTERM THEN it serves health and metrics and exits 0", async () => {
      const bundle = await startBundledService(serviceDir, {
        SERVICE_NAME: manifest.name,
        PLATFORM_ENVIRONMENT: "test",
        ...unreachableDependencies,
        ...backingServices(),
      });
      try {
        expect(bundle.files).toEqual(bundleFiles);
        expect((await fetch(`${bundle.url}${manifest.health.liveness}`)).status).toBe(200);
        // It listens before it connects to its backing services and migrates: wait until it is
        // ready. "overloaded" is a passing state too: beside another whole suite (load average 14
        // to 22) the loop's mean delay over a sample, waiting for the CPU, passed the shedding
        // bound just after the start, and readiness said so. Any other answer ends the wait.
        let readiness = await fetch(`${bundle.url}${manifest.health.readiness}`);
        while (
          readiness.status !== 200 &&
          ["starting", "overloaded"].includes(((await readiness.json()) as { status: string }).status)
        ) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          readiness = await fetch(`${bundle.url}${manifest.health.readiness}`);
        }
        expect(readiness.status).toBe(200);
        expect(await (await fetch(`${bundle.url}${manifest.metricsPath}`)).text()).toContain(
          "process_cpu_seconds_total",
        );
        expect(await bundle.terminate()).toEqual([0, null]);
        expect(bundle.lines.map((l) => l.msg)).toEqual(
          expect.arrayContaining(["stop requested", "draining", "stopped"]),
        );
        expect(bundle.lines[0]).toMatchObject({ level: "info", service: manifest.name, environment: "test" });
      } finally {
        bundle.remove();
      }
    });

    it("GIVEN the service's own application WHEN started THEN it is ready", async () => {
      const service = await startForTest(createApplication(), {
        variables: { ...unreachableDependencies, ...backingServices() },
        migrationsDir,
      });
      try {
        expect((await fetch(`${service.url}${manifest.health.readiness}`)).status).toBe(200);
      } finally {
        await service.stop();
      }
    });
  });
}
