#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for tests and benchmarks, installing it from Debian if missing.
# Usage: source .ci/start-postgres.sh  → exports DATABASE_URL; stop with: stop_postgres
set -euo pipefail
PG_PORT="${PG_PORT:-55432}"
PG_DIR="${PG_DIR:-/tmp/noseworthy-pg-$PG_PORT}"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

as_postgres() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

if [ -f "$PG_DIR/postmaster.pid" ]; then
  as_postgres "$PG_BIN/pg_ctl -D $PG_DIR -m immediate stop" >/dev/null 2>&1 || true
fi
rm -rf "$PG_DIR"
mkdir -p "$PG_DIR"
[ "$(id -u)" = "0" ] && chown postgres:postgres "$PG_DIR"
as_postgres "$PG_BIN/initdb -D $PG_DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
# Durability is not the point of a test server: fsync off makes it fast.
as_postgres "$PG_BIN/pg_ctl -D $PG_DIR -l $PG_DIR/server.log -w -o \"-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (DATABASE_URL=$DATABASE_URL)"

stop_postgres() {
  as_postgres "$PG_BIN/pg_ctl -D $PG_DIR -m fast stop" >/dev/null 2>&1 || true
}
set +euo pipefail
