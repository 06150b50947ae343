#!/bin/sh
# The entrypoint of the container tests' stand-in for the official redis image
# (docker-library/redis, docker-entrypoint.sh), reduced to what the local stack uses: it
# runs as a non-root user from the start (the stack runs it as 999:999), so there is no
# ownership to fix and no user to switch to. Like the official one, a first argument that
# is an option or a .conf file runs redis-server with it, and redis-server itself starts
# with umask 0077; anything else (the stack's `sh -c 'exec redis-server "$@" --requirepass
# "$REDISCLI_AUTH"' ...`) is run as it is.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
	echo "stand-in redis entrypoint: runs as root; the stand-in supports only a non-root user (the local stack runs it as 999:999)" >&2
	exit 1
fi
if [ "$1" = redis-server ] && [ "$(umask)" = 0022 ]; then
	umask 0077
fi
exec "$@"
