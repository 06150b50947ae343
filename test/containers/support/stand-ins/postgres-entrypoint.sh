#!/bin/bash
# The entrypoint of the container tests' stand-in for the official postgres image
# (docker-library/postgres, docker-entrypoint.sh), reduced to what the local stack uses:
# run as a non-root user from the start, POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD,
# PGDATA. On an empty PGDATA it does what the official one does: initdb as the current
# user with POSTGRES_USER as superuser and POSTGRES_PASSWORD as its password
# (scram-sha-256), local connections trusted, password authentication from any host;
# then a temporary server on the socket only creates POSTGRES_DB; then it execs the
# server, which listens on *:5432. Anything else it refuses instead of guessing.
set -Eeuo pipefail

fail() {
	echo "stand-in postgres entrypoint: $*" >&2
	exit 1
}

if [ "${1:-}" != postgres ]; then
	exec "$@"
fi
[ "$(id -u)" != 0 ] || fail "runs as root; the stand-in supports only a non-root user (the local stack runs it as 999:999)"
[ -n "${POSTGRES_PASSWORD:-}" ] || fail "POSTGRES_PASSWORD is not set"
: "${PGDATA:?PGDATA is not set}"
user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	[ -w "$PGDATA" ] || fail "cannot write to PGDATA ($PGDATA) as uid $(id -u)"
	initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		--auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
	printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	if [ "$database" != postgres ]; then
		psql -v ON_ERROR_STOP=1 --username="$user" --no-password --no-psqlrc --dbname=postgres \
			--set db="$database" <<<'CREATE DATABASE :"db";'
	fi
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "stand-in postgres entrypoint: initialized $PGDATA (superuser $user, database $database)"
fi

exec "$@"
