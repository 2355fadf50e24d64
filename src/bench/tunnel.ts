/**
 * Benchmark of the tunnel layer: `netdx diagnose` as a whole CLI process inside a client
 * namespace, against real tunnels in its own namespaces (`ndx-vb-<pid>-c|r|s`, removed at the end):
 *   - a healthy WireGuard tunnel (wireguard-go) and a healthy OpenVPN tunnel (UDP): target < 1.5 s
 *     including the underlay check of the endpoint;
 *   - a WireGuard handshake failure (the server does not know the client's key): target < 5 s;
 *   - the healthy WireGuard client with 500 peers, and the tunnel collector alone on it.
 *
 *   sudo node dist/bench/tunnel.js [--runs N] [--json]
 *
 * Addresses: 198.51.100.0/24 (client side), 203.0.113.0/24 (server side), 100.96.0.0/24,
 * 100.97.0.0/24, 100.98.0.0/24, 100.99.0.0/24 (overlays), 100.64.0.0/16 (the fake peers' networks).
 */
import { execFileSync, execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { netnsSet } from '../lab/netns.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const COLLECT = fileURLToPath(new URL('../system/tunnel.js', import.meta.url));
const id = String(process.pid % 100000);
const set = netnsSet(`ndx-vb-${id}`);
const NS = { c: set.ns('c'), r: set.ns('r'), s: set.ns('s') };
const dev = (x: string): string => `nvb${id}${x}`;
const dir = mkdtempSync(join(tmpdir(), 'ndx-bench-vpn-'));

const sh = (ns: string, args: string[]): string => execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function key(name: string): { file: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const file = join(dir, `${name}.key`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64') + '\n', { mode: 0o600 });
  return { file, pub: publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64') };
}

function wg(ns: string, name: string, addr: string): void {
  sh(ns, ['wireguard-go', name]);
  sh(ns, ['ip', 'addr', 'add', addr, 'dev', name]);
  sh(ns, ['ip', 'link', 'set', name, 'up']);
}

function build(): void {
  for (const h of ['c', 'r', 's']) set.add(h);
  set.veth({ host: 'c', dev: 'eth0', addrs: ['198.51.100.10/24'] }, { host: 'r', dev: 'c0', addrs: ['198.51.100.1/24'] });
  set.veth({ host: 'r', dev: 's0', addrs: ['203.0.113.1/24'] }, { host: 's', dev: 'eth0', addrs: ['203.0.113.10/24'] });
  sh(NS.c, ['ip', 'route', 'add', 'default', 'via', '198.51.100.1']);
  sh(NS.r, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  sh(NS.s, ['ip', 'route', 'add', 'default', 'via', '203.0.113.1']);
  // Healthy WireGuard: server 100.96.0.1, client .2.
  const [s, c] = [key('s'), key('c')];
  wg(NS.s, dev('s'), '100.96.0.1/24');
  sh(NS.s, ['wg', 'set', dev('s'), 'listen-port', '51820', 'private-key', s.file, 'peer', c.pub, 'allowed-ips', '100.96.0.2/32']);
  wg(NS.c, dev('c'), '100.96.0.2/24');
  sh(NS.c, ['wg', 'set', dev('c'), 'private-key', c.file, 'peer', s.pub, 'endpoint', '203.0.113.10:51820', 'allowed-ips', '100.96.0.0/24', 'persistent-keepalive', '25']);
  // Failing WireGuard: the server's second interface (port 51821) does not know this client's key.
  const [s2, c2, stranger] = [key('s2'), key('c2'), key('x')];
  wg(NS.s, dev('t'), '100.99.0.1/24');
  sh(NS.s, ['wg', 'set', dev('t'), 'listen-port', '51821', 'private-key', s2.file, 'peer', stranger.pub, 'allowed-ips', '100.99.0.2/32']);
  wg(NS.c, dev('f'), '100.99.0.2/24');
  sh(NS.c, ['wg', 'set', dev('f'), 'private-key', c2.file, 'peer', s2.pub, 'endpoint', '203.0.113.10:51821', 'allowed-ips', '100.99.0.0/24']);
  // OpenVPN over UDP with a pushed route to 100.98.0.0/24 (100.98.0.1 on the server).
  const ossl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=bench CA']);
  for (const [n, eku] of [
    ['server', 'serverAuth'],
    ['client', 'clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${n}.ext`), `keyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=${eku}\n`);
    ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${n}.key`), '-out', join(dir, `${n}.csr`), '-subj', `/CN=${n}`]);
    ossl([
      'x509',
      '-req',
      '-in',
      join(dir, `${n}.csr`),
      '-CA',
      join(dir, 'ca.crt'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(dir, `${n}.crt`),
      '-days',
      '2',
      '-extfile',
      join(dir, `${n}.ext`),
    ]);
  }
  sh(NS.s, ['ip', 'addr', 'add', '100.98.0.1/32', 'dev', 'lo']);
  const common = [`ca ${join(dir, 'ca.crt')}`, 'dev-type tun', 'proto udp', 'verb 1'];
  writeFileSync(
    join(dir, 's.conf'),
    [
      ...common,
      `dev ${dev('o')}`,
      `cert ${join(dir, 'server.crt')}`,
      `key ${join(dir, 'server.key')}`,
      'dh none',
      'topology subnet',
      'server 100.97.0.0 255.255.255.0',
      'push "route 100.98.0.0 255.255.255.0"',
      'keepalive 10 60',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'c.conf'),
    [
      ...common,
      'client',
      `dev ${dev('p')}`,
      'remote 203.0.113.10 1194',
      'nobind',
      'remote-cert-tls server',
      `cert ${join(dir, 'client.crt')}`,
      `key ${join(dir, 'client.key')}`,
      'management 127.0.0.1 7505',
      `status ${join(dir, 'c.status')} 1`,
    ].join('\n'),
  );
  sh(NS.s, ['openvpn', '--daemon', 'ndx-bench-ovpn-s', '--config', join(dir, 's.conf'), '--writepid', join(dir, 's.pid'), '--log', join(dir, 's.log')]);
  sh(NS.c, ['openvpn', '--daemon', 'ndx-bench-ovpn-c', '--config', join(dir, 'c.conf'), '--writepid', join(dir, 'c.pid'), '--log', join(dir, 'c.log')]);
  for (let i = 0; i < 100 && !sh(NS.c, ['ip', '-o', 'addr']).includes(dev('p')); i++) execFileSync('sleep', ['0.1']);
  sh(NS.c, ['ping', '-c', '1', '-W', '2', '100.96.0.1']);
}

function addPeers(n: number): void {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const { publicKey } = generateKeyPairSync('x25519');
    const pub = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
    lines.push(`peer ${pub} endpoint 203.0.113.${(i % 200) + 20}:51820 allowed-ips 100.64.${Math.floor(i / 250)}.${(i % 250) + 1}/32`);
  }
  // One `wg set` per 50 peers (argument length).
  for (let i = 0; i < lines.length; i += 50)
    sh(NS.c, [
      'wg',
      'set',
      dev('c'),
      ...lines
        .slice(i, i + 50)
        .join(' ')
        .split(' '),
    ]);
}

function destroy(): void {
  for (const p of ['c.pid', 's.pid']) {
    try {
      process.kill(Number(readFileSync(join(dir, p), 'utf8').trim()), 'SIGTERM');
    } catch {
      /* not running */
    }
  }
  for (const [ns, d] of [
    [NS.c, dev('c')],
    [NS.c, dev('f')],
    [NS.s, dev('s')],
    [NS.s, dev('t')],
  ] as const) {
    try {
      sh(ns, ['ip', 'link', 'del', d]);
    } catch {
      /* gone */
    }
  }
  set.destroy();
  rmSync(dir, { recursive: true, force: true });
}

function diagnose(target: string): Promise<{ ms: number; verdict: string; primary: string | null; durationMs: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile('ip', ['netns', 'exec', NS.c, process.execPath, BIN, 'diagnose', '--json', target], { timeout: 60_000, maxBuffer: 64 << 20 }, (_err, stdout) => {
      const ms = performance.now() - t0;
      try {
        const r = JSON.parse(stdout) as { verdict: string; primary: { code: string } | null; durationMs: number };
        resolve({ ms, verdict: r.verdict, primary: r.primary?.code ?? null, durationMs: r.durationMs });
      } catch {
        resolve({ ms, verdict: 'error', primary: null, durationMs: -1 });
      }
    });
  });
}

function collectMs(): Promise<{ ms: number; peers: number }> {
  const script = `const t0=performance.now();const m=await import(${JSON.stringify(COLLECT)});const c=await m.collectTunnels();const ms=performance.now()-t0;console.log(JSON.stringify({ms,peers:c.ok?Math.max(...c.value.map(t=>t.peers.length)):-1}))`;
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', NS.c, process.execPath, '--input-type=module', '-e', script], (_e, stdout) =>
      resolve(JSON.parse(stdout || '{"ms":-1,"peers":-1}') as { ms: number; peers: number }),
    );
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const json = process.argv.includes('--json');
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces)');
  const rows: Array<{ case: string; target: string; median: number; worst: number; durationMedian: number; got: string }> = [];
  try {
    build();
    const cases: Array<[string, string]> = [
      ['WireGuard healthy', '100.96.0.1'],
      ['OpenVPN healthy (UDP, pushed route)', '100.98.0.1'],
      ['WireGuard handshake failure', '100.99.0.1'],
    ];
    const measure = async (name: string, target: string): Promise<void> => {
      const rs = [];
      for (let i = 0; i < runs; i++) rs.push(await diagnose(target));
      rows.push({
        case: name,
        target,
        median: Math.round(median(rs.map((r) => r.ms))),
        worst: Math.round(Math.max(...rs.map((r) => r.ms))),
        durationMedian: Math.round(median(rs.map((r) => r.durationMs))),
        got: [...new Set(rs.map((r) => r.primary ?? r.verdict))].join('/'),
      });
    };
    for (const [name, target] of cases) await measure(name, target);
    addPeers(499);
    await measure('WireGuard healthy, 500 peers', '100.96.0.1');
    const cs = [];
    for (let i = 0; i < runs; i++) cs.push(await collectMs());
    rows.push({
      case: `collectTunnels alone, ${cs[0]?.peers ?? '?'} peers (incl. node start)`,
      target: '-',
      median: Math.round(median(cs.map((c) => c.ms))),
      worst: Math.round(Math.max(...cs.map((c) => c.ms))),
      durationMedian: 0,
      got: '-',
    });
  } finally {
    destroy();
  }
  if (json) console.log(JSON.stringify({ runs, rows }, null, 2));
  else {
    console.log('| case | target | wall median | wall worst | report durationMs (median) | got |');
    console.log('| --- | --- | ---: | ---: | ---: | --- |');
    for (const r of rows) console.log(`| ${r.case} | ${r.target} | ${r.median} ms | ${r.worst} ms | ${r.durationMedian} ms | ${r.got} |`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench/tunnel: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
