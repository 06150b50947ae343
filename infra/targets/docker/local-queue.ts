import type { Construct } from "constructs";
import { BACKING_SERVICE_PORTS } from "../../spec/backing-services.js";
import type { QueueBackingService } from "../../spec/model.js";
import { RABBITMQ_DATA_PATH, RABBITMQ_HEALTH_COMMAND, RABBITMQ_IMAGE, RABBITMQ_USER_ID } from "../rabbitmq-server.js";
import { LocalDataContainer, type LocalDataContainerProps } from "./local-data-container.js";

/**
 * A RabbitMQ broker a service owns, on the local engine (the shared part is
 * {@link LocalDataContainer}): the pinned official image run as `rabbitmq` (uid 999), a
 * default user named after the service with the generated password (RabbitMQ reads
 * `RABBITMQ_DEFAULT_USER` and `RABBITMQ_DEFAULT_PASS` itself on its first start), and a
 * `rabbitmq-diagnostics -q check_port_connectivity` healthcheck. The service declares its queues (the names
 * reach it in `<RESOURCE>_QUEUES`).
 *
 * Where the hardening gives way: RabbitMQ writes the Erlang cookie (the secret its CLI
 * tools and other nodes authenticate with) into its home, /var/lib/rabbitmq, which is the
 * data volume here, so the cookie lives with the data instead of in a read-only layer;
 * and the node's name, hence its data directory, comes from the host name, so the
 * container's host name is fixed (`<owner>-<resource>`) instead of Docker's per-container id.
 * The root file system stays read-only with a tmpfs at /tmp.
 */
export class LocalQueue extends LocalDataContainer {
  constructor(scope: Construct, id: string, props: LocalDataContainerProps<QueueBackingService>) {
    const { owner, resource } = props;
    const user = owner.name;
    const port = BACKING_SERVICE_PORTS.queue;
    super(scope, id, props, ({ dataName, password }) => ({
      image: RABBITMQ_IMAGE,
      userId: RABBITMQ_USER_ID,
      dataPath: RABBITMQ_DATA_PATH,
      hostname: dataName,
      // Logs to standard output only: no log file to write on the read-only root file system.
      // The upgrade log is a file of its own (<node>_upgrade.log in /var/log/rabbitmq) unless
      // RABBITMQ_UPGRADE_LOG says otherwise: without it the node stops at its start
      // (cannot_log_to_file ... erofs). Seen with the container tests' stand-in (RabbitMQ
      // 3.10) on the real engine; 4.x's rabbit_env has the same default.
      env: [
        `RABBITMQ_DEFAULT_USER=${user}`,
        `RABBITMQ_DEFAULT_PASS=${password}`,
        "RABBITMQ_LOGS=-",
        "RABBITMQ_UPGRADE_LOG=-",
      ],
      healthcheck: ["CMD", ...RABBITMQ_HEALTH_COMMAND],
      startPeriod: "60s",
      connection: {
        HOST: dataName,
        PORT: String(port),
        USER: user,
        PASSWORD: password,
        URL: `amqp://${user}:${password}@${dataName}:${port}`,
        QUEUES: resource.queues.join(","),
      },
    }));
  }
}
