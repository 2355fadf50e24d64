/**
 * Makes the lab captures of src/pcap/fixtures/ (needs root, tcpdump, openssl): two namespaces of
 * its own (`ndx-cap-<pid>-c|s`, netnsSet) joined by a veth pair (never linked to the root
 * namespace; addresses from 198.51.100.0/24), one fault at a time, tcpdump in the client namespace.
 * Removes everything it made on exit, on Ctrl-C and on SIGTERM. Run through the script:
 *   bash scripts/pcap-lab-fixtures.sh [OUTDIR]   (default src/pcap/fixtures, from the current directory)
 *   ONLY="lab-tcp-006 lab-dns" bash scripts/pcap-lab-fixtures.sh   (only these captures)
 * The faults are injected in order whatever ONLY selects (a later one builds on an earlier one).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupOnSignals, netnsSet, removeStaleNamespaces } from '../lab/netns.js';
import { makePki } from '../lab/certs.js';

const OUT = resolve(process.argv[2] ?? 'src/pcap/fixtures');
const PEERS = fileURLToPath(new URL('./lab-fixtures-peers.js', import.meta.url));
const SIP = '198.51.100.131';
const ONLY = (process.env.ONLY ?? '').split(/\s+/).filter(Boolean);
const set = netnsSet(`ndx-cap-${process.pid}`);
const work = mkdtempSync(join(tmpdir(), 'ndx-cap-'));

const wanted = (name: string): boolean => ONLY.length === 0 || ONLY.includes(name);
const inc = (...args: string[]): void => void set.exec('c', args);
const ins = (...args: string[]): void => void set.exec('s', args);
/** A client command whose output shows and whose failure does not matter (the fault makes it fail). */
const tryc = (...args: string[]): void => void set.run('c', args, { stdio: ['ignore', 'inherit', 'inherit'] });

let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  set.destroy();
  rmSync(work, { recursive: true, force: true });
}

/** tcpdump in the client on `filter` into OUT/name.pcap while `run` runs; prints the file's size. */
async function capture(name: string, filter: string, run: () => void): Promise<void> {
  if (!wanted(name)) return;
  const file = join(OUT, `${name}.pcap`);
  const tp = set.spawn('c', 'tcpdump', ['-i', 'eth0', '-n', '-U', '--immediate-mode', '-s', '0', '-w', file, filter], { stdio: 'ignore' });
  await sleep(1000);
  run();
  await sleep(500);
  const exited = tp.exitCode !== null || tp.signalCode !== null ? Promise.resolve() : once(tp, 'exit');
  tp.kill('SIGTERM');
  await exited;
  process.stdout.write(`${name}: ${statSync(file).size} bytes\n`);
}

function build(): void {
  removeStaleNamespaces(/^ndx-cap-(\d+)-/);
  set.add('c');
  set.add('s');
  set.veth({ host: 'c', dev: 'eth0', addrs: ['198.51.100.130/24'] }, { host: 's', dev: 'eth0', addrs: [`${SIP}/24`] });
  set.spawn('s', process.execPath, [PEERS, 'server'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

async function transport(): Promise<void> {
  // TCP-002: the server drops SYNs to :8443 (two retransmissions within 4 s).
  ins('iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '8443', '-j', 'DROP');
  await capture('lab-tcp-002', 'tcp port 8443 or icmp', () => tryc('timeout', '4', 'bash', '-c', `exec 3<>/dev/tcp/${SIP}/8443`));
  // TCP-003: the server rejects :8081 with ICMP admin-prohibited.
  ins('iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '8081', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited');
  await capture('lab-tcp-003', 'tcp port 8081 or icmp', () => tryc('timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${SIP}/8081`));
  // APP-001: heartbeats answered three times, then not.
  await capture('lab-app-001', 'tcp port 7000', () => tryc(process.execPath, PEERS, 'heartbeat', SIP));
  // DNS-002 / DNS-003: NXDOMAIN and REFUSED.
  await capture('lab-dns', 'udp port 53', () => tryc(process.execPath, PEERS, 'dns', SIP));
  // NET-002: a default route through a gateway that does not exist; ARP asks for it in vain.
  inc('ip', 'route', 'add', 'default', 'via', '198.51.100.199');
  await capture('lab-net-002', 'arp or icmp', () => tryc('ping', '-c', '4', '-i', '0.5', '-W', '1', '203.0.113.1'));
  // TCP-006: the server's connection tracking forgets an idle connection after 3 s and drops what
  // follows as INVALID (no loose pick-up), as a NAT that forgot the flow would: one exchange, 5 s of
  // silence, then the client's write is retransmitted and never answered.
  ins('sysctl', '-qw', 'net.netfilter.nf_conntrack_tcp_timeout_established=3', 'net.netfilter.nf_conntrack_tcp_loose=0');
  ins('iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '7001', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  await capture('lab-tcp-006', 'tcp port 7001', () => tryc(process.execPath, PEERS, 'idle', SIP));
  // DNS-005: the resolver answers moved.lab.test with 198.51.100.66 (judged with --expect-ip 198.51.100.131).
  await capture('lab-dns-005', 'udp port 53', () => tryc(process.execPath, PEERS, 'dns-moved', SIP));
}

/**
 * NET-004: the field case on one LAN. The gateway (198.51.100.1, the server's own MAC) carries the
 * routed traffic; a second router on the same segment (198.51.100.66, a macvlan with its own MAC,
 * no forwarding) is where a more specific route sends 203.0.113.80: its pings leave to the wrong MAC
 * and nothing answers. The gateway answers for 203.0.113.20-22 itself (addresses on its lo).
 */
async function secondRouter(): Promise<void> {
  ins('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'eth0');
  ins('sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1');
  set.macvlan({ host: 's', dev: 'w0', addrs: ['198.51.100.66/24'] }, 'eth0', 'bridge');
  for (const a of [20, 21, 22]) ins('ip', 'addr', 'add', `203.0.113.${a}/32`, 'dev', 'lo');
  inc('ip', 'route', 'replace', 'default', 'via', '198.51.100.1');
  inc('ip', 'route', 'add', '203.0.113.80/32', 'via', '198.51.100.66');
  await capture('lab-net-004', 'arp or icmp', () => tryc('bash', '-c', 'for a in 20 21 22; do ping -c 1 -W 1 203.0.113.$a >/dev/null; done; ping -c 3 -i 0.5 -W 1 203.0.113.80'));
}

/**
 * TLS 1.2 servers (the certificate chain travels in the clear) with the lab's PKI: an expired
 * certificate (TLS-001), one not yet valid (TLS-002), and a server that requires a client certificate
 * the client does not have (TLS-007). The client checks the chain and gives up on a bad one.
 */
async function tls12(): Promise<void> {
  if (ONLY.length > 0 && !ONLY.some((n) => n.startsWith('lab-tls12-'))) return;
  await makePki(work);
  const p = join(work, 'pki');
  const server = (port: number, leaf: string, ...extra: string[]): void =>
    void set.spawn('s', 'openssl', ['s_server', '-quiet', '-accept', String(port), '-tls1_2', '-cert', `${p}/${leaf}.pem`, '-cert_chain', `${p}/int.pem`, '-key', `${p}/leaf.key`, ...extra], {
      stdio: 'ignore',
    });
  server(9443, 'expired');
  server(9444, 'future');
  server(9445, 'mtls', '-Verify', '1', '-CAfile', `${p}/ca.pem`);
  await sleep(500);
  const client = (port: number, name: string) => (): void =>
    void set.run('c', ['timeout', '3', 'openssl', 's_client', '-tls1_2', '-connect', `${SIP}:${port}`, '-servername', name, '-CAfile', `${p}/ca.pem`, '-verify_return_error'], { stdio: 'ignore' });
  await capture('lab-tls12-expired', 'tcp port 9443', client(9443, 'expired.lab.test'));
  await capture('lab-tls12-future', 'tcp port 9444', client(9444, 'future.lab.test'));
  await capture('lab-tls12-mtls', 'tcp port 9445', client(9445, 'mtls.lab.test'));
}

async function main(): Promise<void> {
  cleanupOnSignals(cleanup);
  try {
    build();
    await sleep(500);
    await transport();
    await secondRouter();
    await tls12();
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`pcap-lab-fixtures: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
