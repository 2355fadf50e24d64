#!/usr/bin/env bash
# Bench (issue 16): netdx's own numbers beside the reference tools, on the same lab path, in the
# same run. Two namespaces of its own joined by a veth pair (198.51.100.200/30, never linked to
# the root namespace), removed on exit. Needs root, iperf3, wrk, nginx (scripts/setup-debian.sh).
#   1. throughput: netdx load --bytes against netdx responder  vs  iperf3 -c against iperf3 -s (single stream)
#   2. request rate: netdx load --http (new connection per request)  vs  wrk -H 'Connection: close', same nginx, same connections
# Usage: bash bench/wire.sh [SECONDS=5] [CONNECTIONS=32]
set -euo pipefail
SECS=${1:-5}
CONNS=${2:-32}
A=ndx-wire-$$-a
B=ndx-wire-$$-b
DIR=$(mktemp -d)
NETDX="node $(cd "$(dirname "$0")/.." && pwd)/bin/netdx.js"
cleanup() {
  for p in $(cat "$DIR"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
ip link add w$$a netns "$A" type veth peer name w$$b netns "$B"
ip -n "$A" addr add 198.51.100.201/30 dev w$$a
ip -n "$B" addr add 198.51.100.202/30 dev w$$b
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set w$$a up
ip -n "$B" link set w$$b up
ip netns exec "$B" sysctl -qw net.core.somaxconn=4096
ip netns exec "$A" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
ip netns exec "$A" sysctl -qw net.ipv4.tcp_tw_reuse=1
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# servers
ip netns exec "$B" $NETDX responder --listen 198.51.100.202:4790 --token bench >"$DIR/resp.log" & echo $! >"$DIR/resp.pid"
ip netns exec "$B" iperf3 -s -B 198.51.100.202 -p 5201 >/dev/null 2>&1 & echo $! >"$DIR/iperf.pid"
cat >"$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pidfile;
error_log $DIR/nginx.err;
events { worker_connections 8192; }
http { access_log off; server { listen 198.51.100.202:80 backlog=4096; location / { return 200 "ok\n"; } } }
CONF
ip netns exec "$B" nginx -c "$DIR/nginx.conf" -g 'daemon off;' & echo $! >"$DIR/nginx.pid"
sleep 1

echo "== throughput, single stream, ${SECS}s-ish each =="
ip netns exec "$A" iperf3 -c 198.51.100.202 -p 5201 -t "$SECS" -J >"$DIR/iperf.json"
ip netns exec "$A" iperf3 -c 198.51.100.202 -p 5201 -t "$SECS" -R -J >"$DIR/iperf-r.json"
node -e "for (const f of ['$DIR/iperf.json','$DIR/iperf-r.json']) { const j=JSON.parse(require('fs').readFileSync(f)); console.log('iperf3', f.endsWith('-r.json')?'download':'upload  ', (j.end.sum_received.bits_per_second/1e9).toFixed(2), 'Gbit/s, retransmits', j.end.sum_sent.retransmits); }"
ip netns exec "$A" $NETDX load 198.51.100.202:4790 --bytes 4G --responder 198.51.100.202:4790 --token bench --json >"$DIR/netdx-tput.json"
node -e "const j=JSON.parse(require('fs').readFileSync('$DIR/netdx-tput.json')); for (const r of j.throughput.results) console.log('netdx ', r.direction.padEnd(8), (r.bitsPerSecond/1e9).toFixed(2), 'Gbit/s, retransmits', r.retransmits, 'in', (r.ms/1000).toFixed(1), 's'); console.log('netdx generator cpu', Math.round(j.generator.cpu*100)+'%', j.generator.limited?'(limited by itself)':'')"

echo "== request rate, new connection per request, $CONNS connections, ${SECS}s =="
ip netns exec "$A" wrk -t 2 -c "$CONNS" -d "${SECS}s" -H 'Connection: close' http://198.51.100.202/ | grep -E 'Requests/sec|Socket errors|Non-2xx' || true
ip netns exec "$A" $NETDX load http://198.51.100.202/ --connections "$CONNS" --duration "${SECS}s" --steps 1 --json >"$DIR/netdx-load.json" || true
node -e "const j=JSON.parse(require('fs').readFileSync('$DIR/netdx-load.json')); console.log('netdx load Requests/sec', j.achievedRate.toFixed(0), 'errors', JSON.stringify(j.errors.map(e=>e.code+':'+e.count)), 'p50/p99 ms', j.latencyMs.total.p50?.toFixed(2), j.latencyMs.total.p99?.toFixed(2), 'cpu', Math.round(j.generator.cpu*100)+'%', j.generator.limited?'(limited by itself)':'')"
