import pg from "pg";
import type { BackingServiceConnection, BackingServiceTarget } from "./backing-service.js";

/** The most connections one replica holds; replicas times this stays below the server's 100. */
export const POSTGRES_POOL_MAX = 10;

/**
 * Opens a pg pool on a PostgreSQL backing service and checks it answers. The pool opens
 * connections on demand and drops the ones the server closed, so it recovers by itself
 * when the server comes back. A connection attempt gives up after 5 s, so that a
 * request waits no longer for a server that does not answer.
 */
export async function openPostgres(target: BackingServiceTarget): Promise<BackingServiceConnection<"postgres">> {
  const pool = new pg.Pool({
    connectionString: target.url.href,
    max: POSTGRES_POOL_MAX,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: target.name,
  });
  // An idle connection the server closes emits an error on the pool; without a listener
  // it would stop the process. The pool drops that connection; the next check reports it.
  pool.on("error", (error) => target.log.warn({ err: error }, "an idle connection failed"));
  // The pool listens to a connection only while it is idle: one the server ends while it is
  // checked out (a failover in the middle of a transaction) would emit an error with no
  // listener and stop the process. This listener stays for the connection's whole life; the
  // query in flight fails with the error, and the pool drops the connection when it is released.
  pool.on("connect", (connection) =>
    connection.on("error", (error) => target.log.warn({ err: error }, "a connection in use failed")),
  );
  const check = async (): Promise<void> => {
    await pool.query("SELECT 1");
  };
  try {
    await check();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { client: pool, check, close: () => pool.end() };
}
