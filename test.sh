#!/usr/bin/env bash
# Runs every test: installs what the tests need (the npm SDKs), builds, and runs the whole suite.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Streaming); the suite is built first, in Debug.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: Node.js is required for the SDK conformance tests; installing it" >&2
  apt-get install -y nodejs npm >/dev/null
fi
(cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)

# The Helm chart check (tests/FrontDoor.Tests/Deployment) builds tools/helm-render offline from Debian's Go packages.
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ]; then
  echo "test.sh: Go and the sprig/yaml Go libraries are required for the Helm chart check; installing them" >&2
  go_packages="golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev"
  apt-get install -y --no-install-recommends $go_packages >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $go_packages >/dev/null; } \
    || echo "test.sh: could not install Go; the Helm chart tests will be skipped" >&2
fi

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

# Build everything first (the benchmark projects too, so they keep compiling), then test without building: compilers
# running beside the suite on a 2-core machine make its timing-sensitive cluster tests flaky.
dotnet build Switchyard.slnx -nologo -v quiet
dotnet test Switchyard.slnx --no-build --logger "trx" --results-directory artifacts/test-results "$@"
