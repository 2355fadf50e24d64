/**
 * The probes against real kernel answers that loopback cannot give (filtered, ICMP rejects,
 * unreachable routers, unanswered ARP), inside two network namespaces made for this test:
 *
 *   ndx-pr-<pid>-a  v0 198.51.100.1/24 2001:db8:1::1/64 ── ndx-pr-<pid>-b  v0 198.51.100.2/24 2001:db8:1::2/64
 *   a: default via b.  b: forwards to 203.0.113.0/24 (a veth of its own, nothing behind it) but REJECTs
 *   203.0.113.0/25 with host-unreachable and 203.0.113.128/25 with admin-prohibited (iptables, not
 *   unreachable/prohibit routes: the kernel's ip_error limiter shares its tokens with the REJECTs);
 *   b's INPUT: tcp 81 DROP, 82 REJECT (port-unreachable), 83 REJECT admin-prohibited, 86 REJECT tcp-reset,
 *   udp 5353 DROP; a TCP server on 85; nothing on 84 or udp 53. a: prohibit 100.64.0.0/16, OUTPUT udp 5300 DROP.
 *
 * Nothing touches the root namespace. Each probe runs in a node process inside `a`, once with the
 * raw-network module (when it loads) and once without (NETDX_NO_NATIVE=1), sequentially (the
 * fallback reads the namespace's ICMP counters). Skipped without root or iproute2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { netnsSet, removeStaleNamespaces } from '../lab/netns.js';
import { once } from 'node:events';
import type { Observation, ObservationData } from '../model/observation.js';

const set = netnsSet(`ndx-pr-${process.pid}`);
const A = set.ns('a');
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const onA = (...args: string[]): string => set.exec('a', args);
const inB = (...args: string[]): string => set.exec('b', args);

function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  try {
    ip('-V');
    execFileSync('iptables', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 or iptables missing';
  }
  return null;
}
const skip = unavailable();

before(async () => {
  if (skip) return;
  removeStaleNamespaces(/^ndx-pr-(\d+)-[ab]$/);
  set.add('a');
  set.add('b');
  set.veth({ host: 'a', dev: 'v0', addrs: ['198.51.100.1/24', '2001:db8:1::1/64', 'fe80::1/64'] }, { host: 'b', dev: 'v0', addrs: ['198.51.100.2/24', '2001:db8:1::2/64', 'fe80::2/64'] });
  onA('ip', 'route', 'add', 'default', 'via', '198.51.100.2');
  onA('ip', '-6', 'route', 'add', 'default', 'via', '2001:db8:1::2');
  onA('ip', 'route', 'add', 'prohibit', '100.64.0.0/16');
  onA('iptables', '-A', 'OUTPUT', '-p', 'udp', '--dport', '5300', '-j', 'DROP');
  inB('ip', 'link', 'add', 'v1', 'type', 'veth', 'peer', 'name', 'v1p');
  inB('ip', 'link', 'set', 'v1', 'up');
  inB('ip', 'link', 'set', 'v1p', 'up');
  inB('ip', 'addr', 'add', '203.0.113.1/24', 'dev', 'v1');
  inB('iptables', '-A', 'FORWARD', '-d', '203.0.113.0/25', '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable');
  inB('iptables', '-A', 'FORWARD', '-d', '203.0.113.128/25', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited');
  inB('sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0');
  for (const [tool, rej] of [
    ['iptables', ['icmp-port-unreachable', 'icmp-admin-prohibited']],
    ['ip6tables', ['icmp6-port-unreachable', 'icmp6-adm-prohibited']],
  ] as const) {
    inB(tool, '-A', 'INPUT', '-p', 'tcp', '--dport', '81', '-j', 'DROP');
    inB(tool, '-A', 'INPUT', '-p', 'tcp', '--dport', '82', '-j', 'REJECT', '--reject-with', rej[0]);
    inB(tool, '-A', 'INPUT', '-p', 'tcp', '--dport', '83', '-j', 'REJECT', '--reject-with', rej[1]);
    inB(tool, '-A', 'INPUT', '-p', 'tcp', '--dport', '86', '-j', 'REJECT', '--reject-with', 'tcp-reset');
    inB(tool, '-A', 'INPUT', '-p', 'udp', '--dport', '5353', '-j', 'DROP');
  }
  const server = set.spawn('b', process.execPath, ['-e', "require('net').createServer(()=>{}).listen(85,'::',()=>console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(server.stdout!, 'data');
});

after(() => {
  if (!skip) set.destroy();
});

const modules = new URL('.', import.meta.url);
const RUNNER = `
const [mod, fn, q, budget] = JSON.parse(process.argv[1]);
const { probeContext } = await import(new URL('types.js', ${JSON.stringify(modules.href)}));
const m = await import(new URL(mod, ${JSON.stringify(modules.href)}));
process.stdout.write(JSON.stringify(await m[fn](q, probeContext(budget))));
`;

/** Runs probe `mod`.`fn`(q) inside namespace a; native: whether the raw-network module may load. */
function inA(native: boolean, mod: string, q: unknown, budget: number, fn = 'run'): Observation[] {
  const out = execFileSync('ip', ['netns', 'exec', A, process.execPath, '--input-type=module', '-e', RUNNER, JSON.stringify([mod, fn, q, budget])], {
    encoding: 'utf8',
    env: { ...process.env, ...(native ? {} : { NETDX_NO_NATIVE: '1' }) },
  });
  return JSON.parse(out) as Observation[];
}
const data = <K extends keyof ObservationData>(obs: Observation[], kind: K): ObservationData[K] => {
  const o = obs.find((x) => x.kind === kind);
  assert.ok(o, `no ${kind} in ${JSON.stringify(obs)}`);
  return o.data as ObservationData[K];
};
const tcp = (native: boolean, address: string, port: number, budget = 1500) => inA(native, 'tcp.js', { address, port, afterMs: 100 }, budget);
const hasNative = (): boolean => {
  const r = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      A,
      process.execPath,
      '--input-type=module',
      '-e',
      `const m = await import(new URL('native.js', ${JSON.stringify(modules.href)})); process.stdout.write(String(!!(await m.native())))`,
    ],
    { encoding: 'utf8' },
  );
  return r === 'true';
};

test('tcp: open, refused (RST), refused by a tcp-reset REJECT, filtered', { skip: skip ?? false }, () => {
  for (const native of [true, false]) {
    const open = data(tcp(native, '198.51.100.2', 85), 'tcp.connect');
    assert.deepEqual([open.outcome, open.after?.event], ['open', 'quiet']);
    for (const port of [84, 86]) {
      const r = data(tcp(native, '198.51.100.2', port), 'tcp.connect');
      assert.deepEqual([r.outcome, r.errno, r.icmp], ['refused', 'ECONNREFUSED', undefined], `port ${port} native=${native}`);
    }
    for (const addr of ['198.51.100.2', '2001:db8:1::2']) {
      const f = data(tcp(native, addr, 81, 600), 'tcp.connect');
      assert.equal(f.outcome, 'filtered', addr);
      assert.equal(f.errno, undefined);
    }
  }
});

test('tcp: an ICMP port-unreachable REJECT is rejected, not refused (v4 and v6)', { skip: skip ?? false }, () => {
  const withNative = hasNative();
  for (const native of [true, false]) {
    for (const [addr, type, code] of [
      ['198.51.100.2', 3, 3],
      ['2001:db8:1::2', 1, 4],
    ] as const) {
      const r = data(tcp(native, addr, 82), 'tcp.connect');
      assert.equal(r.outcome, 'rejected', `${addr} native=${native}`);
      if (native && withNative) assert.deepEqual(r.icmp, { type, code, from: addr, name: 'port-unreachable' });
      else assert.equal(r.icmp, undefined);
    }
  }
});

test('tcp: an admin-prohibited REJECT is rejected with the native module; without it, unreachable and said to be ambiguous', { skip: skip ?? false }, () => {
  if (hasNative()) {
    const r = data(tcp(true, '198.51.100.2', 83), 'tcp.connect');
    assert.equal(r.outcome, 'rejected');
    assert.deepEqual(r.icmp, { type: 3, code: 13, from: '198.51.100.2', name: 'admin-prohibited' });
  }
  const obs = tcp(false, '198.51.100.2', 83);
  const r = data(obs, 'tcp.connect');
  assert.deepEqual([r.outcome, r.errno], ['unreachable', 'EHOSTUNREACH']);
  assert.match(data(obs, 'check.unknown').reason, /^EHOSTUNREACH is an ICMP host-unreachable or an admin-prohibited REJECT/);
});

test('tcp: a router without a route answers host-unreachable', { skip: skip ?? false }, () => {
  const withNative = hasNative();
  for (const native of [true, false]) {
    const r = data(tcp(native, '203.0.113.10', 80), 'tcp.connect');
    assert.deepEqual([r.outcome, r.errno], ['unreachable', 'EHOSTUNREACH'], `native=${native}`);
    if (native && withNative) assert.deepEqual(r.icmp, { type: 3, code: 1, from: '198.51.100.2', name: 'host-unreachable' });
  }
});

test('dns: port unreachable, a dropped port, resolvers behind a router’s host-unreachable and admin-prohibited', { skip: skip ?? false }, () => {
  const q = (server: string, port: number, budget = 1000) => {
    const d = data(inA(false, 'dns.js', { server, port, name: 'app.lab.test', qtype: 'A' }, budget), 'dns.query');
    return [d.outcome, d.error];
  };
  assert.deepEqual(q('198.51.100.2', 53), ['unreachable', 'ECONNREFUSED']);
  assert.deepEqual(q('198.51.100.2', 5353, 400), ['timeout', 'no answer within 400 ms']);
  // Host-unreachable is a soft error for UDP: the kernel does not report it to the socket.
  assert.deepEqual(q('203.0.113.10', 53, 400), ['timeout', 'no answer within 400 ms']);
  assert.deepEqual(q('203.0.113.200', 53), ['unreachable', 'EHOSTUNREACH']);
  // a's own refusals: a prohibit route (EACCES) and its OUTPUT firewall (EPERM).
  assert.deepEqual(q('100.64.0.1', 53), ['unreachable', 'EACCES']);
  assert.deepEqual(q('198.51.100.2', 5300), ['unreachable', 'EPERM']);
});

test('icmp: replies, and a router’s admin-prohibited, by ping and by the native module', { skip: skip ?? false }, () => {
  const withNative = hasNative();
  for (const native of [true, false]) {
    const ok = data(inA(native, 'icmp.js', { address: '198.51.100.2', count: 4 }, 2000), 'icmp.echo');
    assert.deepEqual([ok.method, ok.sent, ok.received], [native && withNative ? 'raw' : 'ping', 4, 4]);
    const bad = data(inA(native, 'icmp.js', { address: '203.0.113.200', count: 2 }, 1500), 'icmp.echo');
    assert.equal(bad.received, 0);
    assert.deepEqual(bad.errors[0], { type: 3, code: 13, from: '198.51.100.2', name: 'admin-prohibited' }, `native=${native}`);
  }
});

test('gateway: the router answers (also on its link-local address); an absent neighbour does not', { skip: skip ?? false }, () => {
  for (const native of [true, false]) {
    for (const gateway of ['198.51.100.2', 'fe80::2']) {
      const up = data(inA(native, 'gateway.js', { gateway, dev: 'v0' }, 1000), 'gateway.neighbor');
      assert.deepEqual([up.answered, up.method], [true, 'ping'], `${gateway} native=${native}`);
    }
    const down = data(inA(native, 'gateway.js', { gateway: '198.51.100.77', dev: 'v0' }, 800), 'gateway.neighbor');
    assert.equal(down.answered, false, JSON.stringify(down));
    assert.ok(down.state === null || ['INCOMPLETE', 'FAILED'].includes(down.state), String(down.state));
  }
});

test('tls and proxy over a filtered port: tcp-failed / filtered', { skip: skip ?? false }, () => {
  const h = data(inA(false, 'tls.js', { address: '198.51.100.2', port: 81, sni: null, hostname: '198.51.100.2', options: {} }, 500), 'tls.handshake');
  assert.deepEqual([h.outcome, h.errorCode], ['tcp-failed', 'ETIMEDOUT']);
  assert.equal(data(inA(false, 'proxy.js', { host: '198.51.100.2', port: 81 }, 500), 'proxy.connect').outcome, 'filtered');
  assert.equal(data(inA(false, 'route.js', '203.0.113.10', 500), 'route.lookup').outcome, 'route');
});
