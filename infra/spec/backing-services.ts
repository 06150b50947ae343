/**
 * Backing services: the data a service owns (`backingServices` in a service file). This
 * slice of issue 16 knows one type, PostgreSQL; this file holds what is accepted for it
 * and the names of the variables a service reaches it by, which the schema, the
 * resolution and both targets read.
 */

/** The types a backing service may have, for messages; `redis` and `queue` are planned (issue 16). */
export const BACKING_SERVICE_TYPES = ["postgres"] as const;
/** A backing service's type. */
export type BackingServiceType = (typeof BACKING_SERVICE_TYPES)[number];

/** The PostgreSQL major versions the platform has pinned images for, oldest first. */
export const POSTGRES_VERSIONS = [16, 17] as const;
/** A supported PostgreSQL major version. */
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];

/** The port PostgreSQL listens on, on both targets. */
export const POSTGRES_PORT = 5432;

/**
 * The smallest storage, in MiB: PostgreSQL keeps up to `max_wal_size` (1 GB by default)
 * of write-ahead log besides the data, so a smaller volume can fill with log alone.
 */
export const MIN_STORAGE_MIB = 1024;
/** The largest storage, in MiB: 16 TiB, the largest single volume of AWS EBS gp3 and the common cloud ceiling. */
export const MAX_STORAGE_MIB = 16 * 1024 * 1024;
/** What a storage size may look like, for messages. */
export const STORAGE_ACCEPTED = 'a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi"';

/**
 * The most instances a PostgreSQL cluster may have: one primary and up to 8 replicas.
 * Each instance is a full copy of the data on a volume of its own; a team that needs
 * more raises it here.
 */
export const MAX_INSTANCES = 9;

const STORAGE_PATTERN = /^([1-9]\d*)(Mi|Gi|Ti)$/;

/** Parses a storage size ("20Gi") to MiB; undefined when malformed. */
export function parseStorageMiB(value: string): number | undefined {
  const match = STORAGE_PATTERN.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[match[2] as "Mi" | "Gi" | "Ti"];
}

/** What is wrong with a storage size, as the rest of a message ("must be ..."), or undefined. */
export function storageQuantityProblem(value: string): string | undefined {
  const mib = parseStorageMiB(value);
  if (mib === undefined || mib < MIN_STORAGE_MIB || mib > MAX_STORAGE_MIB)
    return `must be ${STORAGE_ACCEPTED}: below 1Gi PostgreSQL's write-ahead log alone can fill the volume, 16Ti is the largest single cloud volume`;
  return undefined;
}

/** The parts of a connection, each one variable (`DB_HOST`, ...). */
export const CONNECTION_PARTS = ["HOST", "PORT", "DATABASE", "USER", "PASSWORD", "URL"] as const;
/** One part of a connection. */
export type ConnectionPart = (typeof CONNECTION_PARTS)[number];

/** The variable prefix of a backing service: `db` gives `DB`, `order-store` gives `ORDER_STORE`. */
export function connectionVariablePrefix(resource: string): string {
  return resource.toUpperCase().replace(/-/g, "_");
}

/**
 * The variables through which a service reaches one of its backing services, by part:
 * `db` gives `DB_HOST`, `DB_PORT`, `DB_DATABASE`, `DB_USER`, `DB_PASSWORD` and `DB_URL`.
 * The password and the URL (which holds it) only ever reach a container by reference.
 */
export function connectionVariables(resource: string): Readonly<Record<ConnectionPart, string>> {
  const prefix = connectionVariablePrefix(resource);
  return Object.fromEntries(CONNECTION_PARTS.map((part) => [part, `${prefix}_${part}`])) as Record<
    ConnectionPart,
    string
  >;
}

/**
 * The name of a backing service's data outside the service: the CloudNativePG `Cluster`
 * (whose Services and Secret take it as prefix: `orders-db-rw`, `orders-db-app`) and the
 * Docker container, network and volume. No service may take this name or a name that
 * starts with it and '-', so that nothing else is named like the database's objects.
 */
export function dataResourceName(service: string, resource: string): string {
  return `${service}-${resource}`;
}
