import type { Construct } from "constructs";
import { POSTGRES_PORT, type PostgresVersion } from "../../spec/backing-services.js";
import type { PostgresBackingService } from "../../spec/model.js";
import { LocalDataContainer, type LocalDataContainerProps } from "./local-data-container.js";

/** The official PostgreSQL image of each supported major, pinned to a minor release. */
export const POSTGRES_IMAGES: Readonly<Record<PostgresVersion, string>> = {
  16: "postgres:16.10-bookworm",
  17: "postgres:17.6-bookworm",
};

/** The uid and gid of the `postgres` user of the official image (Debian variants). */
export const POSTGRES_USER_ID = 999;
/** Where the official image keeps its data (`PGDATA`), a named volume here. */
export const POSTGRES_DATA_PATH = "/var/lib/postgresql/data";
/** Where PostgreSQL puts its socket and lock file: a tmpfs, as the root file system is read-only. */
export const POSTGRES_SOCKET_PATH = "/var/run/postgresql";

/**
 * A PostgreSQL database a service owns, on the local engine (the shared part is
 * {@link LocalDataContainer}): the pinned official image of its major, run as `postgres`
 * (uid 999), a tmpfs for the socket, the database and its owner named after the service,
 * and a `pg_isready` healthcheck on TCP, which passes only once the server that takes
 * connections is up (the entrypoint's first-start server listens on the socket alone).
 */
export class LocalPostgres extends LocalDataContainer {
  constructor(scope: Construct, id: string, props: LocalDataContainerProps<PostgresBackingService>) {
    const { owner, resource } = props;
    const database = owner.name;
    const user = owner.name;
    super(scope, id, props, ({ dataName, password }) => ({
      image: POSTGRES_IMAGES[resource.version],
      userId: POSTGRES_USER_ID,
      dataPath: POSTGRES_DATA_PATH,
      env: [`POSTGRES_USER=${user}`, `POSTGRES_DB=${database}`, `POSTGRES_PASSWORD=${password}`],
      tmpfs: { [POSTGRES_SOCKET_PATH]: "rw,noexec,nosuid,nodev,size=1m" },
      healthcheck: [
        "CMD",
        "pg_isready",
        "--host=127.0.0.1",
        `--port=${POSTGRES_PORT}`,
        `--username=${user}`,
        `--dbname=${database}`,
      ],
      startPeriod: "30s",
      connection: {
        HOST: dataName,
        PORT: String(POSTGRES_PORT),
        DATABASE: database,
        USER: user,
        PASSWORD: password,
        URL: `postgresql://${user}:${password}@${dataName}:${POSTGRES_PORT}/${database}`,
      },
    }));
  }
}
