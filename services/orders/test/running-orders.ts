import { fileURLToPath } from "node:url";
import type { RunningApplication } from "@platform/service-runtime";
import {
  type ManifestServers,
  startForTest,
  startServersFor,
  type TestStartOptions,
} from "@platform/service-runtime/testing";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/application.js";

/** The orders service's migrations, which make its table. */
export const ORDERS_MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** Real servers for what orders connects to: its PostgreSQL, and a RabbitMQ standing for fulfilment's queue. */
export function startOrdersServers(): Promise<ManifestServers> {
  return startServersFor(MANIFEST);
}

/** Starts one replica of orders on the given servers, its table migrated in. */
export function startOrders(
  servers: ManifestServers,
  catalogUrl: string,
  options: Pick<TestStartOptions, "logs"> = {},
): Promise<RunningApplication<typeof MANIFEST>> {
  return startForTest(createApplication(), {
    ...options,
    variables: { CATALOG_URL: catalogUrl, ...servers.variables },
    migrationsDir: ORDERS_MIGRATIONS,
  });
}
