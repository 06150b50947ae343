/**
 * How the platform runs RabbitMQ for a `queue` backing service, the same image on both
 * targets (locally as a container, on Kubernetes through the RabbitMQ cluster operator).
 */

/** The official RabbitMQ image, pinned to a patch release, without the management UI. */
export const RABBITMQ_IMAGE = "rabbitmq:4.1.0";
/** The uid and gid of the `rabbitmq` user of the official image. */
export const RABBITMQ_USER_ID = 999;
/**
 * Where the official image keeps its data, which is also the `rabbitmq` user's home: the
 * node's database and message store, and the Erlang cookie the node writes on its first start.
 */
export const RABBITMQ_DATA_PATH = "/var/lib/rabbitmq";
/**
 * The health command: RabbitMQ's own diagnostics, passing once its listeners accept
 * connections (`ping` passes a moment earlier, while AMQP connections are still refused,
 * and the owner's containers, which start once it is healthy, would fail to connect).
 */
export const RABBITMQ_HEALTH_COMMAND = ["rabbitmq-diagnostics", "-q", "check_port_connectivity"] as const;
