/**
 * The real services of the lab, as data: which program runs in which host with which arguments,
 * and which sockets must be listening before the lab is ready. Real server programs wherever
 * one fits: dnsmasq (two resolvers), nginx (HTTP/HTTPS 200 and 503), openssl s_server (every
 * certificate/protocol flavour), socat (the heartbeat line service, a stalling and a resetting
 * server, a full accept queue). Two small node servers do what no packaged server can: answer
 * SERVFAIL on purpose, and run a clock ahead of the machine's.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADDR, SERVICES, type Host } from './topology.js';
import type { Pki } from './certs.js';

export interface ServiceSpec {
  name: string;
  host: Host;
  argv: string[];
  /** Sockets that show it is ready: `tcp ADDR:PORT` or `udp ADDR:PORT` as `ss` prints them. */
  listens: Array<{ proto: 'tcp' | 'udp'; addr: string; port: number }>;
}

export const ZONE = 'lab.test';

/** How a resolver misbehaves, when it does. */
export type DnsVariant = { kind: 'normal' } | { kind: 'poisoned'; name: string; address: string };

/** The zone: every service name with its addresses (A and AAAA). */
export function zoneRecords(): Array<{ name: string; addrs: string[] }> {
  const out: Array<{ name: string; addrs: string[] }> = [
    { name: `srv.${ZONE}`, addrs: ['203.0.113.2', '2001:db8:20::2'] },
    // Behind the core's balanced branches (br1 | br2), IPv4 only.
    { name: `mp.${ZONE}`, addrs: [ADDR.mp] },
    // An internationalized name, bücher.lab.test, as DNS knows it (its A-label): www's addresses.
    { name: `xn--bcher-kva.${ZONE}`, addrs: [SERVICES.www.v4, SERVICES.www.v6] },
  ];
  for (const [name, a] of Object.entries(SERVICES)) {
    if (name === 'gone' || name === 'intercept') continue;
    out.push({ name: `${name}.${ZONE}`, addrs: 'v6' in a ? [a.v4, a.v6] : [a.v4] });
  }
  return out;
}

export const SERVFAIL_UPSTREAM = { addr: '127.0.0.1', port: 5300 };

export function dnsmasqArgv(listen: string, variant: DnsVariant): string[] {
  const records = zoneRecords().map((r) => (variant.kind === 'poisoned' && r.name === variant.name ? { name: r.name, addrs: [variant.address] } : r));
  return [
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    `--listen-address=${listen}`,
    '--user=root',
    '--log-queries',
    '--log-facility=-',
    `--local=/${ZONE}/`,
    '--local-ttl=60',
    // The partner's zone is delegated to an upstream that is broken (answers SERVFAIL).
    `--server=/partner.test/${SERVFAIL_UPSTREAM.addr}#${SERVFAIL_UPSTREAM.port}`,
    ...records.map((r) => `--host-record=${r.name},${r.addrs.join(',')}`),
  ];
}

function nginxConf(dir: string, pki: Pki): string {
  const www = SERVICES.www;
  const api = SERVICES.api;
  const tmp = join(dir, 'nginx');
  const tls = (leaf: 'www' | 'api'): string => `ssl_certificate ${pki.leaf(leaf).chain}; ssl_certificate_key ${pki.leaf(leaf).key}; ssl_protocols TLSv1.2 TLSv1.3;`;
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'nginx-error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi; uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
  default_type text/plain;
  server_tokens off;
  server { listen ${www.v4}:80; listen [${www.v6}]:80; server_name www.lab.test; location / { return 200 "hello from www.lab.test\\n"; } location = /download { alias ${join(dir, 'download.bin')}; } }
  server { listen ${www.v4}:443 ssl; listen [${www.v6}]:443 ssl; server_name www.lab.test; ${tls('www')} location / { return 200 "hello from www.lab.test over TLS\\n"; } }
  server { listen ${api.v4}:80; listen [${api.v6}]:80; server_name api.lab.test; location / { return 503 "service unavailable: backend pool empty\\n"; } }
  server { listen ${api.v4}:443 ssl; listen [${api.v6}]:443 ssl; server_name api.lab.test; ${tls('api')} location / { return 503 "service unavailable: backend pool empty\\n"; } }
}
`;
}

const tcp = (addr: string, port: number) => ({ proto: 'tcp' as const, addr, port });

/** Every service of a freshly built lab. `node` is the node binary, `servers` the compiled lab servers' folder. */
export function services(dir: string, pki: Pki, node: string, servers: string): ServiceSpec[] {
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  // A bulk transfer: http://www.lab.test/download is 256 KiB (full-size segments from the first byte).
  writeFileSync(join(dir, 'download.bin'), Buffer.alloc(256 * 1024, 0x61));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, pki));
  const S = SERVICES;
  const sServer = (name: string, addr: string, leaf: Parameters<Pki['leaf']>[0], extra: string[], chain = true): ServiceSpec => ({
    name,
    host: 'srv',
    argv: [
      'openssl',
      's_server',
      '-accept',
      `${addr}:443`,
      '-cert',
      pki.leaf(leaf).cert,
      '-key',
      pki.leaf(leaf).key,
      ...(chain ? ['-cert_chain', join(pki.dir, 'int.pem')] : []),
      '-www',
      '-quiet',
      ...extra,
    ],
    listens: [tcp(addr, 443)],
  });
  const socat = (name: string, listen: string, opts: string, right: string, check: { addr: string; port: number }): ServiceSpec => ({
    name,
    host: 'srv',
    argv: ['socat', `${listen},${opts}`, right],
    listens: [tcp(check.addr, check.port)],
  });
  return [
    // The line service behind the balanced branches (far, on its loopback address).
    { name: 'mp-line', host: 'far', argv: ['socat', `TCP4-LISTEN:7000,bind=${ADDR.mp},reuseaddr,fork`, 'SYSTEM:sed -u s/^PING/PONG/'], listens: [tcp(ADDR.mp, 7000)] },
    { name: 'ns1', host: 'dns', argv: dnsmasqArgv(ADDR.ns1, { kind: 'normal' }), listens: [{ proto: 'udp', addr: ADDR.ns1, port: 53 }] },
    { name: 'ns2', host: 'dns', argv: dnsmasqArgv(ADDR.ns2, { kind: 'normal' }), listens: [{ proto: 'udp', addr: ADDR.ns2, port: 53 }] },
    {
      name: 'partner-dns',
      host: 'dns',
      argv: [node, join(servers, 'dns-servfail.js'), SERVFAIL_UPSTREAM.addr, String(SERVFAIL_UPSTREAM.port)],
      listens: [{ proto: 'udp', addr: SERVFAIL_UPSTREAM.addr, port: SERVFAIL_UPSTREAM.port }],
    },
    { name: 'nginx', host: 'srv', argv: ['nginx', '-c', conf, '-g', 'daemon off; user root;'], listens: [tcp(S.www.v4, 80), tcp(S.www.v4, 443), tcp(S.api.v4, 80), tcp(S.api.v4, 443)] },
    sServer('tls-expired', S.expired.v4, 'expired', []),
    sServer('tls-future', S.future.v4, 'future', []),
    sServer('tls-wrongname', S.wrongname.v4, 'wrongname', []),
    sServer('tls-self', S.self.v4, 'self', [], false),
    sServer('tls-nochain', S.nochain.v4, 'nochain', [], false),
    sServer('tls-mtls', S.mtls.v4, 'mtls', ['-Verify', '1', '-CAfile', pki.ca]),
    sServer('tls-old', S.old.v4, 'old', ['-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.1', '-cipher', 'DEFAULT@SECLEVEL=0']),
    sServer('tls-13', S.tls13.v4, 'tls13', ['-tls1_3']),
    sServer('tls-soon', S.soon.v4, 'soon', []),
    sServer('tls-intercept', S.intercept.v4, 'intercept', [], false),
    sServer('tls-intercept6', `[${S.intercept.v6}]`, 'intercept', [], false),
    { name: 'tls-skew', host: 'srv', argv: [node, join(servers, 'skewed-https.js'), S.skew.v4, '443', pki.leaf('skew').chain, pki.leaf('skew').key, '7200'], listens: [tcp(S.skew.v4, 443)] },
    // The line service: answers PING with PONG (and echoes anything else), one process per connection.
    socat('heartbeat', `TCP4-LISTEN:7000,bind=${S.hb.v4}`, 'reuseaddr,fork', 'SYSTEM:sed -u s/^PING/PONG/', { addr: S.hb.v4, port: 7000 }),
    socat('heartbeat6', `TCP6-LISTEN:7000,bind=[${S.hb.v6}]`, 'reuseaddr,fork,ipv6only=1', 'SYSTEM:sed -u s/^PING/PONG/', { addr: S.hb.v6, port: 7000 }),
    // A line service that reads the heartbeat and never answers.
    socat('heartbeat-mute', `TCP4-LISTEN:7000,bind=${S.mute.v4}`, 'reuseaddr,fork', 'SYSTEM:cat >/dev/null', { addr: S.mute.v4, port: 7000 }),
    // Accepts and never says a word: a TLS client waits for a ServerHello that never comes.
    socat('stall', `TCP4-LISTEN:443,bind=${S.stall.v4}`, 'reuseaddr,fork', 'SYSTEM:sleep 3600', { addr: S.stall.v4, port: 443 }),
    // Accepts and resets at once (SO_LINGER 0 then close): the peer dies right after the handshake.
    socat('reset', `TCP4-LISTEN:443,bind=${S.reset.v4}`, 'reuseaddr,fork,so-linger=0', 'SYSTEM:exit 0', { addr: S.reset.v4, port: 443 }),
    // A slow server: one connection at a time (1 s each) and a listen queue of 1, so a few
    // parallel connects overflow the queue and get through only after SYN retransmission.
    socat('backlog', `TCP4-LISTEN:443,bind=${S.backlog.v4}`, 'reuseaddr,fork,backlog=1,max-children=1', 'SYSTEM:sleep 1', { addr: S.backlog.v4, port: 443 }),
  ];
}
