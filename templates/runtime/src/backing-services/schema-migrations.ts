import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { runner } from "node-pg-migrate";
import pg from "pg";
import type { Logger } from "../logger.js";

/** The table node-pg-migrate records applied migrations in (its default). */
export const MIGRATIONS_TABLE = "pgmigrations";

/** Only `.sql` files are migrations; dot files and anything else in the folder are ignored. */
const NOT_SQL = "(?:\\..*|(?!.*\\.sql$).*)";

/**
 * The folder of a PostgreSQL resource's migrations inside the service's `migrations/`
 * folder: `migrations/<resource>/` when it exists, else `migrations/` itself when the
 * service has one PostgreSQL resource only. Undefined when there is nothing to apply.
 * @throws when SQL files lie directly in `migrations/` and several resources could own them
 */
export function migrationsFolderOf(
  root: string,
  resource: string,
  postgresResources: readonly string[],
): string | undefined {
  const own = path.join(root, resource);
  if (existsSync(own) && statSync(own).isDirectory()) return own;
  if (!existsSync(root)) return undefined;
  const sqlFiles = readdirSync(root).filter((file) => file.endsWith(".sql"));
  if (sqlFiles.length === 0) return undefined;
  if (postgresResources.length > 1)
    throw new Error(
      `${root}: holds ${sqlFiles.join(", ")}, but the service has ${postgresResources.length} PostgreSQL resources (${postgresResources.join(", ")}); put each one's migrations in migrations/<resource>/`,
    );
  return root;
}

/**
 * Applies the SQL migrations of `folder` that the database has not seen, in the order of
 * their file names, in one transaction, with node-pg-migrate. Its advisory lock makes a
 * replica wait while another one migrates, so replicas that start together apply each
 * migration once. Returns the names of the migrations it applied, once its connection is
 * closed.
 *
 * The connection is the runtime's, not node-pg-migrate's own: that one has no error
 * listener, and its end is not awaited, so a server that shut down in the moments after
 * the migrations (a test's server, a failover) sent it an error that stopped the process.
 */
export async function applyMigrations(url: URL, folder: string, log: Logger): Promise<string[]> {
  const client = new pg.Client({ connectionString: url.href, application_name: MIGRATIONS_APPLICATION_NAME });
  // The query in flight, if any, fails with the error; the runner reports that one.
  client.on("error", (error) => log.warn({ err: error }, "the migrations' connection failed"));
  await client.connect();
  try {
    return await runMigrations(client, folder, log);
  } finally {
    await client.end().catch((error: unknown) => log.warn({ err: error }, "closing the migrations' connection failed"));
  }
}

/** The `application_name` of the migrations' connection, as the server lists it. */
export const MIGRATIONS_APPLICATION_NAME = "platform-migrations";

async function runMigrations(client: pg.Client, folder: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    dbClient: client,
    dir: folder,
    ignorePattern: NOT_SQL,
    direction: "up",
    migrationsTable: MIGRATIONS_TABLE,
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: "wait",
    logger: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
  });
  return applied.map((migration) => migration.name);
}
