import { fileURLToPath } from "node:url";
import type { RunningApplication } from "@platform/service-runtime";
import { startForTest, startServersFor, type TestStartOptions } from "@platform/service-runtime/testing";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/application.js";

/** A catalog on real servers, for its tests and its callers' (orders, gateway). */
export interface RunningCatalog {
  readonly service: RunningApplication<typeof MANIFEST>;
  /** Stops the service, then its servers (their data goes with them). */
  stop(): Promise<void>;
}

/** The catalog's migrations, which create and seed its products. */
export const CATALOG_MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Starts the catalog with its own PostgreSQL and Redis on loopback, its products migrated in. */
export async function startCatalog(options: Pick<TestStartOptions, "logs"> = {}): Promise<RunningCatalog> {
  const servers = await startServersFor(MANIFEST);
  try {
    const service = await startForTest(createApplication(), {
      ...options,
      variables: servers.variables,
      migrationsDir: CATALOG_MIGRATIONS,
    });
    return {
      service,
      async stop() {
        await service.stop();
        await servers.remove();
      },
    };
  } catch (error) {
    await servers.remove();
    throw error;
  }
}
