#!/usr/bin/env bash
# Runs every test: installs what the tests need (the npm SDKs), builds, and runs the whole suite.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Streaming).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: Node.js is required for the SDK conformance tests; installing it" >&2
  apt-get install -y nodejs npm >/dev/null
fi
(cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)

# A real PostgreSQL for the cluster-store tests, stopped again however the run ends.
# (Captured first so a server that fails to start stops the run here instead of failing every cluster-store test.)
pg_env="$(tests/start-postgres.sh)"
eval "$pg_env"
stop_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$SWITCHYARD_TEST_PGBIN/pg_ctl" -D "$SWITCHYARD_TEST_PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  else "$SWITCHYARD_TEST_PGBIN/pg_ctl" -D "$SWITCHYARD_TEST_PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$SWITCHYARD_TEST_PGDIR"
}
trap stop_postgres EXIT

dotnet test Switchyard.slnx --logger "trx" --results-directory artifacts/test-results "$@"
