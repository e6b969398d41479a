#!/usr/bin/env bash
# The load benchmark, one command: installs the tools it needs (wrk, nginx, the Portkey gateway from npm), builds
# Switchyard and the FakeProvider in Release, and runs every contender side by side on loopback.
# Options go to the harness: --quick, --duration S, --warmup S, --connections N, --stream-samples N, --only a,b, --results DIR.
# Results: bench/results/<time>.md and .json. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
command -v wrk >/dev/null 2>&1 || { echo "bench: installing wrk" >&2; apt_install wrk; }
[ -x /usr/sbin/nginx ] || { echo "bench: installing nginx-light" >&2; apt_install nginx-light; }
command -v node >/dev/null 2>&1 || { echo "bench: installing Node.js" >&2; apt_install nodejs npm; }
(cd bench/portkey && npm ci --no-audit --no-fund --loglevel=error)

dotnet build src/FrontDoor -c Release -nologo -v quiet
dotnet build tests/FakeProvider -c Release -nologo -v quiet
dotnet build bench/Bench.Load -c Release -nologo -v quiet

export BENCH_NODE_VERSION="$(node -v)"
exec dotnet bench/Bench.Load/bin/Release/net10.0/Switchyard.Bench.Load.dll "$@"
