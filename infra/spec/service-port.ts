/**
 * The ports a service may listen on, in one place: the spec schema refuses any other
 * `port` or `monitoring.metricsPort`, and the scaffolder's port question (`new:service
 * --port`) asks for the same range with the same reason.
 */

/**
 * The lowest port a service may listen on. Every service container runs as a non-root user
 * (uid 10001, `CONTAINER_USER_ID`) with all capabilities dropped (no `NET_BIND_SERVICE`), so
 * the kernel refuses it a port below 1024.
 */
export const LOWEST_SERVICE_PORT = 1024;

/** The highest TCP port. */
export const HIGHEST_PORT = 65535;

/** Why a service cannot listen below {@link LOWEST_SERVICE_PORT}, for messages. */
export const SERVICE_PORT_WHY =
  "the service runs as a non-root user without capabilities, so it cannot bind a lower port";

/** What a service's listening port must be, as a message: `must be a whole number from 1024 to 65535 (why)`. */
export const SERVICE_PORT_ACCEPTED = `must be a whole number from ${LOWEST_SERVICE_PORT} to ${HIGHEST_PORT} (${SERVICE_PORT_WHY})`;
