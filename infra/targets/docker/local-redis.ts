import type { Construct } from "constructs";
import { BACKING_SERVICE_PORTS } from "../../spec/backing-services.js";
import type { RedisBackingService } from "../../spec/model.js";
import {
  REDIS_DATA_PATH,
  REDIS_HEALTH_COMMAND,
  REDIS_IMAGE,
  REDIS_PASSWORD_VARIABLE,
  REDIS_USER,
  REDIS_USER_ID,
  redisServerCommand,
} from "../redis-server.js";
import { LocalDataContainer, type LocalDataContainerProps } from "./local-data-container.js";

/**
 * A Redis store a service owns, on the local engine (the shared part is
 * {@link LocalDataContainer}): the pinned official image run as `redis` (uid 999), the
 * spec's persistence on the data volume at /data, `maxmemory` below the memory limit,
 * and a password it requires: the container gets it in `REDISCLI_AUTH` (as the Terraform
 * reference), the command passes it to `--requirepass` from there, and the healthcheck's
 * `redis-cli ping` authenticates with it. Nothing else is writable: Redis writes only to /data.
 */
export class LocalRedis extends LocalDataContainer {
  constructor(scope: Construct, id: string, props: LocalDataContainerProps<RedisBackingService>) {
    const { resource } = props;
    const port = BACKING_SERVICE_PORTS.redis;
    super(scope, id, props, ({ dataName, password }) => ({
      image: REDIS_IMAGE,
      userId: REDIS_USER_ID,
      dataPath: REDIS_DATA_PATH,
      env: [`${REDIS_PASSWORD_VARIABLE}=${password}`],
      command: redisServerCommand(resource.persistence, resource.resources.limits.memoryMiB),
      healthcheck: ["CMD-SHELL", REDIS_HEALTH_COMMAND],
      startPeriod: "30s",
      connection: {
        HOST: dataName,
        PORT: String(port),
        USER: REDIS_USER,
        PASSWORD: password,
        URL: `redis://${REDIS_USER}:${password}@${dataName}:${port}/0`,
      },
    }));
  }
}
