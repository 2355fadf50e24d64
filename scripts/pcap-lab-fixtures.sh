#!/usr/bin/env bash
# Makes the lab captures of src/pcap/fixtures/ (needs root, tcpdump, node): two namespaces of its
# own joined by a veth pair (never linked to the root namespace; addresses from 198.51.100.0/24),
# one fault at a time, tcpdump in the client namespace. Removes everything it made on exit.
#   bash scripts/pcap-lab-fixtures.sh [OUTDIR]   (default src/pcap/fixtures)
#   ONLY="lab-tcp-006 lab-dns" bash scripts/pcap-lab-fixtures.sh   (only these captures)
set -euo pipefail
OUT=$(realpath "${1:-src/pcap/fixtures}")
C=i15cap-$$-c
S=i15cap-$$-s
CIP=198.51.100.130
SIP=198.51.100.131
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$C" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$C"
ip netns add "$S"
ip -n "$C" link add eth0 type veth peer name eth0 netns "$S"
ip -n "$C" addr add "$CIP/24" dev eth0
ip -n "$S" addr add "$SIP/24" dev eth0
ip -n "$C" link set lo up; ip -n "$S" link set lo up
ip -n "$C" link set eth0 up; ip -n "$S" link set eth0 up
inc() { ip netns exec "$C" "$@"; }
ins() { ip netns exec "$S" "$@"; }

# A small server in the server namespace: PING→PONG three times then silence on :7000,
# DNS on :53 answering NXDOMAIN for nope.lab.test, 198.51.100.66 for moved.lab.test (a record that
# moved elsewhere: DNS-005 against --expect-ip) and REFUSED for everything else.
cat > "$WORK/srv.mjs" <<'EOF'
import net from 'node:net';
import dgram from 'node:dgram';
net.createServer((s) => { let n = 0; s.on('data', () => { if (++n <= 3) s.write('PONG\n'); }); s.on('error', () => {}); }).listen(7000);
net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => {}); }).listen(7001);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => {
  let o = 12; const labels = [];
  while (m[o]) { labels.push(m.subarray(o + 1, o + 1 + m[o]).toString()); o += 1 + m[o]; }
  const name = labels.join('.');
  const rcode = name === 'nope.lab.test' ? 3 : name === 'moved.lab.test' ? 0 : 5;
  let out = Buffer.from(m.subarray(0, o + 5)); out[2] = 0x81; out[3] = 0x80 | rcode; out.writeUInt16BE(0, 6);
  if (rcode === 0) {
    out.writeUInt16BE(1, 6);
    out = Buffer.concat([out, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 66])]);
  }
  u.send(out, r.port, r.address);
});
u.bind(53);
EOF
cat > "$WORK/cli.mjs" <<'EOF'
import net from 'node:net';
import dgram from 'node:dgram';
const [mode, host] = process.argv.slice(2);
if (mode === 'heartbeat') {
  const s = net.connect(7000, host);
  s.on('data', () => {});
  let n = 0;
  const t = setInterval(() => { s.write('PING\n'); if (++n === 6) { clearInterval(t); setTimeout(() => s.destroy(), 1500); } }, 1000);
} else if (mode === 'idle') {
  // One exchange, 5 s of silence, then one more write that nobody answers; gone 4 s later.
  const s = net.connect(7001, host);
  s.on('error', () => {});
  s.once('data', () => setTimeout(() => { s.write('again\n'); setTimeout(() => s.destroy(), 4000); }, 5000));
  s.write('hello\n');
} else if (mode === 'dns') {
  const u = dgram.createSocket('udp4');
  const q = (id, name) => Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
  let got = 0;
  u.on('message', () => { if (++got === 2) u.close(); });
  u.send(q(0x1111, 'nope.lab.test'), 53, host);
  u.send(q(0x2222, 'www.lab.test'), 53, host);
  setTimeout(() => u.close(), 2000).unref();
} else if (mode === 'dns-moved') {
  const u = dgram.createSocket('udp4');
  const q = Buffer.concat([Buffer.from([0x33, 0x33, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...'moved.lab.test'.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
  u.on('message', () => u.close());
  u.send(q, 53, host);
  setTimeout(() => u.close(), 2000).unref();
}
EOF
# Not through the `ins` function: a function in the background is a subshell, and killing it would
# leave node running. `ip netns exec` execs node, so this pid is node's.
ip netns exec "$S" node "$WORK/srv.mjs" & PIDS+=($!)
sleep 0.5

capture() { # name filter command…
  local name=$1 filter=$2; shift 2
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  ip netns exec "$C" tcpdump -i eth0 -n -U --immediate-mode -s 0 -w "$OUT/$name.pcap" "$filter" 2>/dev/null &
  local tp=$!
  sleep 1
  "$@" || true
  sleep 0.5
  kill -TERM "$tp"; wait "$tp" 2>/dev/null || true
  echo "$name: $(stat -c %s "$OUT/$name.pcap") bytes"
}

# TCP-002: the server drops SYNs to :8443 (two retransmissions within 4 s).
ins iptables -I INPUT -p tcp --dport 8443 -j DROP
capture lab-tcp-002 'tcp port 8443 or icmp' inc timeout 4 bash -c "exec 3<>/dev/tcp/$SIP/8443" 
# TCP-003: the server rejects :8081 with ICMP admin-prohibited.
ins iptables -I INPUT -p tcp --dport 8081 -j REJECT --reject-with icmp-admin-prohibited
capture lab-tcp-003 'tcp port 8081 or icmp' inc timeout 3 bash -c "exec 3<>/dev/tcp/$SIP/8081"
# APP-001: heartbeats answered three times, then not.
capture lab-app-001 'tcp port 7000' inc node "$WORK/cli.mjs" heartbeat "$SIP"
# DNS-002 / DNS-003: NXDOMAIN and REFUSED.
capture lab-dns 'udp port 53' inc node "$WORK/cli.mjs" dns "$SIP"
# NET-002: a default route through a gateway that does not exist; ARP asks for it in vain.
inc ip route add default via 198.51.100.199
capture lab-net-002 'arp or icmp' inc ping -c 4 -i 0.5 -W 1 203.0.113.1
# TCP-006: the server's connection tracking forgets an idle connection after 3 s and drops what
# follows as INVALID (no loose pick-up), as a NAT that forgot the flow would: one exchange, 5 s of
# silence, then the client's write is retransmitted and never answered.
ins sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=3 net.netfilter.nf_conntrack_tcp_loose=0
ins iptables -I INPUT -p tcp --dport 7001 -m conntrack --ctstate INVALID -j DROP
capture lab-tcp-006 'tcp port 7001' inc node "$WORK/cli.mjs" idle "$SIP"

# DNS-005: the resolver answers moved.lab.test with 198.51.100.66 (judged with --expect-ip 198.51.100.131).
capture lab-dns-005 'udp port 53' inc node "$WORK/cli.mjs" dns-moved "$SIP"

# NET-004: the field case on one LAN. The gateway (198.51.100.1, the server's own MAC) carries the
# routed traffic; a second router on the same segment (198.51.100.66, a macvlan with its own MAC,
# no forwarding) is where a more specific route sends 203.0.113.80: its pings leave to the wrong MAC
# and nothing answers. The gateway answers for 203.0.113.20-22 itself (addresses on its lo).
ins ip addr add 198.51.100.1/24 dev eth0
ins sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1
ins ip link add w0 link eth0 type macvlan mode bridge
ins ip addr add 198.51.100.66/24 dev w0
ins ip link set w0 up
for a in 20 21 22; do ins ip addr add "203.0.113.$a/32" dev lo; done
inc ip route replace default via 198.51.100.1
inc ip route add 203.0.113.80/32 via 198.51.100.66
capture lab-net-004 'arp or icmp' inc bash -c 'for a in 20 21 22; do ping -c 1 -W 1 203.0.113.$a >/dev/null; done; ping -c 3 -i 0.5 -W 1 203.0.113.80'

# TLS 1.2 servers (the certificate chain travels in the clear) with the lab's PKI: an expired
# certificate (TLS-001), one not yet valid (TLS-002), and a server that requires a client certificate
# the client does not have (TLS-007). The client checks the chain and gives up on a bad one.
if [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" lab-tls12-"* ]]; then
  ROOT=$(dirname "$(dirname "$(realpath "$0")")")
  node --input-type=module -e "import { makePki } from '$ROOT/dist/lab/certs.js'; await makePki('$WORK');"
  P=$WORK/pki
  tls_server() { # port leaf extra…
    local port=$1 leaf=$2; shift 2
    ip netns exec "$S" openssl s_server -quiet -accept "$port" -tls1_2 -cert "$P/$leaf.pem" -cert_chain "$P/int.pem" -key "$P/leaf.key" "$@" </dev/null >/dev/null 2>&1 & PIDS+=($!)
  }
  tls_server 9443 expired
  tls_server 9444 future
  tls_server 9445 mtls -Verify 1 -CAfile "$P/ca.pem"
  sleep 0.5
  tls_client() { # port name
    inc timeout 3 openssl s_client -tls1_2 -connect "$SIP:$1" -servername "$2" -CAfile "$P/ca.pem" -verify_return_error </dev/null >/dev/null 2>&1
  }
  capture lab-tls12-expired 'tcp port 9443' tls_client 9443 expired.lab.test
  capture lab-tls12-future 'tcp port 9444' tls_client 9444 future.lab.test
  capture lab-tls12-mtls 'tcp port 9445' tls_client 9445 mtls.lab.test
fi
