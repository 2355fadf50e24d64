#!/usr/bin/env bash
# Bench (issue 16): netdx's own numbers beside the reference tools, on the same lab path, in the
# same run. Two namespaces of its own, built with the lab's namespace builder (netnsSet), joined by
# a veth pair (198.51.100.200/30, never linked to the root namespace), removed on exit. Needs root,
# iperf3, wrk, nginx (scripts/setup-debian.sh) and a build (`npm run build`).
#   1. throughput: netdx load --bytes against netdx responder  vs  iperf3 -c against iperf3 -s (single stream)
#   2. request rate: netdx load --http (new connection per request)  vs  wrk -H 'Connection: close', same nginx, same connections
# The steps are in src/bench/wire.ts; this raises the open-file limit for it and the tools it runs.
# Usage: bash bench/wire.sh [SECONDS=5] [CONNECTIONS=32]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ROOT/dist/bench/wire.js" ]; then
  echo "wire bench: $ROOT/dist/bench/wire.js is missing: run npm run build first" >&2
  exit 1
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
exec node "$ROOT/dist/bench/wire.js" "$@"
