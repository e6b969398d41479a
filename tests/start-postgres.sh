#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on loopback for the test run and prints the connection string.
# Usage: eval "$(tests/start-postgres.sh)"  → exports SWITCHYARD_TEST_DATABASE_URL and SWITCHYARD_TEST_PGDIR.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "start-postgres: installing the PostgreSQL server" >&2
  apt-get install -y postgresql >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y postgresql >/dev/null; }
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
# The port asked for, else the first free one from 55432 (another server, or another run, may hold it).
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -n "${SWITCHYARD_TEST_PG_PORT:-}" ]; then
  PORT=$SWITCHYARD_TEST_PG_PORT
else
  PORT=55432
  while port_busy "$PORT"; do PORT=$((PORT + 1)); done
fi
PGDIR=$(mktemp -d /tmp/switchyard-pg.XXXXXX)
chown postgres:postgres "$PGDIR" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
# A port nobody listens on may still be taken by an outgoing connection's local end (the cluster tests open many), so
# the server cannot bind it: then the next free port is tried (unless a port was asked for).
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" start >/dev/null; then
    break
  fi
  if [ -n "${SWITCHYARD_TEST_PG_PORT:-}" ] || [ "$attempt" = 10 ]; then
    echo "start-postgres: the server did not start; its log:" >&2
    tail -n 5 "$PGDIR/log" >&2
    exit 1
  fi
  PORT=$((PORT + 1))
  while port_busy "$PORT"; do PORT=$((PORT + 1)); done
done
echo "export SWITCHYARD_TEST_DATABASE_URL='Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres'"
echo "export SWITCHYARD_TEST_PGDIR='$PGDIR'"
echo "export SWITCHYARD_TEST_PGBIN='$PGBIN'"
