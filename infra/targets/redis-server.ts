import { BACKING_SERVICE_PORTS, type RedisPersistence } from "../spec/backing-services.js";

/**
 * How the platform runs Redis, the same on both targets: the pinned official image, its
 * user, where it keeps its data, the command line (persistence, memory, password) and
 * the health command.
 */

const PORT = BACKING_SERVICE_PORTS.redis;

/** The official Redis image, pinned to a patch release (Debian bookworm). */
export const REDIS_IMAGE = "redis:7.4.4-bookworm";
/** The uid and gid of the `redis` user of the official image (Debian variant). */
export const REDIS_USER_ID = 999;
/** Where the official image keeps its data (its working directory): a volume on both targets. */
export const REDIS_DATA_PATH = "/data";
/** The user of Redis's password (`requirepass` sets the password of the ACL user `default`). */
export const REDIS_USER = "default";
/**
 * The variable that carries the password into the container: Redis's own CLI reads it
 * (so the healthcheck authenticates without a password on its command line), and the
 * command passes it to `--requirepass`.
 */
export const REDIS_PASSWORD_VARIABLE = "REDISCLI_AUTH";
/** Redis's default RDB schedule (`save`): after 1 hour and 1 change, 5 minutes and 100, 1 minute and 10000. */
export const REDIS_SNAPSHOT_SCHEDULE = "3600 1 300 100 60 10000";
/**
 * The share of the memory limit Redis may fill (`maxmemory`): the rest is for the copy
 * of written pages while a snapshot or an append-only rewrite runs in a forked child,
 * and for client buffers, so that the kernel does not kill it at the limit.
 */
export const REDIS_MAXMEMORY_SHARE = 0.75;

/** The persistence settings of each mode, as `redis-server` options. */
const PERSISTENCE_OPTIONS: Readonly<Record<RedisPersistence, readonly string[]>> = {
  aof: ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
  rdb: ["--appendonly", "no", "--save", REDIS_SNAPSHOT_SCHEDULE],
  "aof+rdb": ["--appendonly", "yes", "--appendfsync", "everysec", "--save", REDIS_SNAPSHOT_SCHEDULE],
  none: ["--appendonly", "no", "--save", ""],
};

/**
 * The container's command: a shell that passes the password from
 * {@link REDIS_PASSWORD_VARIABLE} to `--requirepass`, so that neither the JSON nor the
 * manifest holds it, followed by `redis-server`'s options, each its own argument.
 * `maxmemory-policy noeviction`: a store refuses writes when full instead of dropping keys.
 */
export function redisServerCommand(persistence: RedisPersistence, memoryLimitMiB: number): string[] {
  return [
    "sh",
    "-c",
    `exec redis-server "$@" --requirepass "$${REDIS_PASSWORD_VARIABLE}"`,
    "redis-server",
    "--port",
    String(PORT),
    "--dir",
    REDIS_DATA_PATH,
    ...PERSISTENCE_OPTIONS[persistence],
    "--maxmemory",
    `${Math.floor(memoryLimitMiB * REDIS_MAXMEMORY_SHARE)}mb`,
    "--maxmemory-policy",
    "noeviction",
  ];
}

/** The health command: `redis-cli ping` answered `PONG`, authenticated by {@link REDIS_PASSWORD_VARIABLE}. */
export const REDIS_HEALTH_COMMAND = `redis-cli -h 127.0.0.1 -p ${PORT} ping | grep -q PONG`;
