#!/usr/bin/env bash
# Makes the lab captures of src/pcap/fixtures/ (needs root, tcpdump, openssl, node and a build:
# `npm run build`): two namespaces of its own, built with the lab's namespace builder (netnsSet),
# joined by a veth pair (never linked to the root namespace; addresses from 198.51.100.0/24), one
# fault at a time, tcpdump in the client namespace. Removes everything it made on exit.
# The steps are in src/pcap/lab-fixtures.ts (the peers it runs: src/pcap/lab-fixtures-peers.ts).
#   bash scripts/pcap-lab-fixtures.sh [OUTDIR]   (default src/pcap/fixtures)
#   ONLY="lab-tcp-006 lab-dns" bash scripts/pcap-lab-fixtures.sh   (only these captures)
set -euo pipefail
ROOT=$(dirname "$(dirname "$(realpath "$0")")")
if [ ! -f "$ROOT/dist/pcap/lab-fixtures.js" ]; then
  echo "pcap-lab-fixtures: $ROOT/dist/pcap/lab-fixtures.js is missing: run npm run build first" >&2
  exit 1
fi
exec node "$ROOT/dist/pcap/lab-fixtures.js" "$@"
