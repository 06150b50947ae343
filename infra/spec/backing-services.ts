/**
 * Backing services: the data a service owns (`backingServices` in a service file): a
 * PostgreSQL database, a Redis store or a RabbitMQ queue. This file holds what is
 * accepted for each type, the port it listens on and the names of the variables a
 * service reaches it by, which the schema, the resolution and both targets read.
 */

/** The types a backing service may have. */
export const BACKING_SERVICE_TYPES = ["postgres", "redis", "queue"] as const;
/** A backing service's type. */
export type BackingServiceType = (typeof BACKING_SERVICE_TYPES)[number];

/** What each type is, for messages: `the database`, `the Redis store`, `the queue`. */
export const BACKING_SERVICE_NOUNS: Readonly<Record<BackingServiceType, string>> = {
  postgres: "the database",
  redis: "the Redis store",
  queue: "the queue",
};

/**
 * How a Redis store keeps its data, as Redis itself offers it: `aof`, an append-only file
 * fsynced every second (at most a second of writes lost on a crash: the default);
 * `rdb`, snapshots (Redis's own schedule: the last minutes of writes can be lost);
 * `aof+rdb`, both (snapshots for a faster restart); `none`, nothing on disk (a cache:
 * a restart empties it).
 */
export const REDIS_PERSISTENCE = ["aof", "rdb", "aof+rdb", "none"] as const;
/** A Redis persistence mode. */
export type RedisPersistence = (typeof REDIS_PERSISTENCE)[number];

/** The port each type listens on, on both targets. */
export const BACKING_SERVICE_PORTS: Readonly<Record<BackingServiceType, number>> = {
  postgres: 5432,
  redis: 6379,
  queue: 5672,
};

/**
 * A queue name: letters, digits, '.', '_' and '-', starting with a letter or digit, at
 * most 255 characters (RabbitMQ's limit); `amq.` is reserved by RabbitMQ. No ',' either:
 * the names reach the service as one comma-separated variable.
 */
export const QUEUE_NAME = /^(?!amq\.)[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** What a queue name may look like, for messages. */
export const QUEUE_NAME_ACCEPTED =
  "a queue name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 255 characters, not starting with 'amq.' (reserved by RabbitMQ)";

/** The PostgreSQL major versions the platform has pinned images for, oldest first. */
export const POSTGRES_VERSIONS = [16, 17] as const;
/** A supported PostgreSQL major version. */
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];

/** The port PostgreSQL listens on, on both targets. */
export const POSTGRES_PORT = BACKING_SERVICE_PORTS.postgres;

/**
 * The smallest storage, in MiB: PostgreSQL keeps up to `max_wal_size` (1 GB by default)
 * of write-ahead log besides the data, so a smaller volume can fill with log alone; a
 * Redis append-only file grows to twice the data before it is rewritten, and RabbitMQ
 * blocks publishers when less than its disk free limit is left. One floor for every type.
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
    return `must be ${STORAGE_ACCEPTED}: below 1Gi PostgreSQL's write-ahead log (or Redis's append-only file, RabbitMQ's message store) alone can fill the volume, 16Ti is the largest single cloud volume`;
  return undefined;
}

/** The parts of a connection, each one variable (`DB_HOST`, ...). */
export const CONNECTION_PARTS = ["HOST", "PORT", "DATABASE", "USER", "PASSWORD", "URL", "QUEUES"] as const;
/** One part of a connection. */
export type ConnectionPart = (typeof CONNECTION_PARTS)[number];

/**
 * The parts of each type's connection: a Redis store has no database name (its URL
 * names database 0) and a queue has its queue names (comma-separated) instead.
 */
export const CONNECTION_PARTS_OF: Readonly<Record<BackingServiceType, readonly ConnectionPart[]>> = {
  postgres: ["HOST", "PORT", "DATABASE", "USER", "PASSWORD", "URL"],
  redis: ["HOST", "PORT", "USER", "PASSWORD", "URL"],
  queue: ["HOST", "PORT", "USER", "PASSWORD", "URL", "QUEUES"],
};

/** The parts only ever passed by reference: the password and the URL that holds it. */
export const SECRET_CONNECTION_PARTS: ReadonlySet<ConnectionPart> = new Set(["PASSWORD", "URL"]);

/** The variable prefix of a backing service: `db` gives `DB`, `order-store` gives `ORDER_STORE`. */
export function connectionVariablePrefix(resource: string): string {
  return resource.toUpperCase().replace(/-/g, "_");
}

/** The variable of one part of a connection: `db` and `HOST` give `DB_HOST`. */
export function connectionVariable(resource: string, part: ConnectionPart): string {
  return `${connectionVariablePrefix(resource)}_${part}`;
}

/**
 * The variables through which a service reaches one of its backing services, by part:
 * a `postgres` named `db` gives `DB_HOST`, `DB_PORT`, `DB_DATABASE`, `DB_USER`,
 * `DB_PASSWORD` and `DB_URL`; a `queue` named `jobs` gives `JOBS_HOST`, `JOBS_PORT`,
 * `JOBS_USER`, `JOBS_PASSWORD`, `JOBS_URL` and `JOBS_QUEUES` (see {@link CONNECTION_PARTS_OF}).
 * The password and the URL (which holds it) only ever reach a container by reference.
 */
export function connectionVariables(
  resource: string,
  type: BackingServiceType,
): Readonly<Partial<Record<ConnectionPart, string>>> {
  return Object.fromEntries(CONNECTION_PARTS_OF[type].map((part) => [part, connectionVariable(resource, part)]));
}

/**
 * The name of a backing service's data outside the service: the CloudNativePG `Cluster`
 * (whose Services and Secret take it as prefix: `orders-db-rw`, `orders-db-app`), the
 * `RabbitmqCluster`, the Redis StatefulSet, and the Docker container, network and volume.
 * No service may take this name or a name that starts with it and '-', so that nothing
 * else is named like the data's objects.
 */
export function dataResourceName(service: string, resource: string): string {
  return `${service}-${resource}`;
}

/** The label every data object carries on both targets (`orders-db`): containers, networks, Clusters, StatefulSets, Secrets, policies. */
export const BACKING_SERVICE_LABEL = "platform.dev/backing-service";

/**
 * The label (Docker container) or annotation (Kubernetes Deployment) by which a service's
 * workload says which other services' backing services it reads (`uses`): their names,
 * `orders-db,orders-jobs`. The guardrails read the synthesized stack only, so this is
 * how DATA-04 tells a declared user from an intruder. It is on the reader's workload,
 * never on the data's objects: changing a data container's labels would replace it.
 */
export const USES_LABEL = "platform.dev/uses";

/** The value of {@link USES_LABEL} for what a service reads: the data names, sorted, comma-separated; undefined when it reads none. */
export function usesLabelValue(
  uses: ReadonlyArray<{ readonly owner: string; readonly name: string }>,
): string | undefined {
  if (uses.length === 0) return undefined;
  return [...new Set(uses.map((used) => dataResourceName(used.owner, used.name)))].sort().join(",");
}
