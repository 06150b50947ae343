#!/bin/bash
# The entrypoint of the container tests' stand-in for the official rabbitmq image
# (docker-library/rabbitmq, docker-entrypoint.sh of 4.1), reduced to what the local stack
# uses. Since RabbitMQ 3.9 the official one does little: started as root it switches to
# the rabbitmq user (the stack runs it as 999:999 from the start, so this one refuses
# root instead), it refuses the variables RabbitMQ no longer reads, uses long node names
# when the host name is a long one, and makes the server exec the Erlang VM (pid 1). The
# server itself reads RABBITMQ_DEFAULT_USER, RABBITMQ_DEFAULT_PASS, RABBITMQ_LOGS and
# RABBITMQ_UPGRADE_LOG.
set -euo pipefail

if [[ "${1:-}" == rabbitmq* ]] && [ "$(id -u)" = 0 ]; then
	echo "stand-in rabbitmq entrypoint: runs as root; the stand-in supports only a non-root user (the local stack runs it as 999:999)" >&2
	exit 1
fi
for old in RABBITMQ_DEFAULT_PASS_FILE RABBITMQ_DEFAULT_USER_FILE RABBITMQ_SSL_CACERTFILE RABBITMQ_SSL_CERTFILE \
	RABBITMQ_SSL_KEYFILE RABBITMQ_SSL_VERIFY RABBITMQ_VM_MEMORY_HIGH_WATERMARK; do
	if [ -n "${!old:-}" ]; then
		echo "stand-in rabbitmq entrypoint: $old is set but deprecated (the official image refuses it too)" >&2
		exit 1
	fi
done
if [ -z "${RABBITMQ_USE_LONGNAME:-}" ] && [ "$(hostname)" != "$(hostname -s)" ]; then
	export RABBITMQ_USE_LONGNAME=true
fi
export RUNNING_UNDER_SYSTEMD=true
exec "$@"
