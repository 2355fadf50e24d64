import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observation, ofKind, type Observation } from '../model/observation.js';
import { parseTarget } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { TunnelPeer, TunnelState } from '../model/tunnel.js';
import type { DfPingQuery } from '../probes/df-ping.js';
import { probeContext } from '../probes/types.js';
import { DEFAULT_OPTIONS, type DiagnoseOptions } from '../model/options.js';
import { fakeSnapshot, route } from './testing.js';
import { HANDSHAKE_WAIT_MS, tunnelPhase, type TunnelDeps, type TunnelInput } from './tunnel.js';
import { selectTunnels } from './tunnel-select.js';
import { encapOverhead } from './tunnel-overhead.js';
import { fakeKey } from '../system/tunnel-fixtures.js';

const NOW = new Date('2026-11-26T08:00:00.000Z');
const nowSec = NOW.getTime() / 1000;
const SERVER = 'CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=';

const peer = (over: Partial<TunnelPeer> = {}): TunnelPeer => ({
  publicKey: SERVER,
  name: null,
  endpoint: { host: '203.0.113.10', port: 51820, proto: 'udp' },
  allowedIps: ['100.96.0.0/24'],
  latestHandshake: nowSec - 30,
  rxBytes: 716,
  txBytes: 1956,
  keepaliveSec: 25,
  ...over,
});

const wg = (over: Partial<TunnelState> = {}): TunnelState => ({
  kind: 'wireguard',
  dev: 'wg0',
  source: 'running',
  link: { up: true, carrier: true, mtu: 1420, kind: 'tun', addresses: ['100.96.0.2/24'] },
  mtu: null,
  listenPort: 33102,
  peers: [peer()],
  networks: ['100.96.0.0/24'],
  service: null,
  problems: [],
  ...over,
});

const ovpn = (over: Partial<NonNullable<TunnelState['openvpn']>> = {}, t: Partial<TunnelState> = {}): TunnelState => ({
  kind: 'openvpn',
  dev: 'tun0',
  source: 'running',
  link: { up: true, carrier: true, mtu: 1500, kind: 'tun', addresses: ['100.97.0.2/24'] },
  mtu: 1500,
  listenPort: null,
  peers: [peer({ publicKey: null, name: 'server', endpoint: { host: '203.0.113.10', port: 1194, proto: 'udp' }, allowedIps: ['100.98.0.0/24'], keepaliveSec: 10 })],
  networks: ['100.97.0.0/24', '100.98.0.0/24'],
  service: null,
  problems: [],
  openvpn: {
    mode: 'client',
    pid: 4242,
    configFile: '/etc/openvpn/client/office.conf',
    remotes: [{ host: '203.0.113.10', port: 1194, proto: 'udp' }],
    activeRemote: { host: '203.0.113.10', port: 1194, proto: 'udp' },
    devType: 'tun',
    cipher: 'AES-256-GCM',
    auth: null,
    tlsAuth: false,
    compress: false,
    state: 'CONNECTED',
    stateDetail: 'SUCCESS',
    stateSince: nowSec - 100,
    linkReadBytes: 2032,
    linkWriteBytes: 2072,
    statusFile: null,
    management: 'tcp 127.0.0.1 7505',
    routes: ['100.98.0.0/24'],
    pingSec: 10,
    pingRestartSec: 60,
    ...over,
  },
  ...t,
});

function snap(tunnels: TunnelState[]): Snapshot {
  const s = fakeSnapshot();
  return { ...s, tunnels: { ok: true, value: tunnels } };
}

interface Fake {
  deps: TunnelDeps;
  calls: Record<string, unknown[]>;
  clock: { ms: number };
}

/** Healthy fakes; `wgSeq` gives the successive `wg show` answers (the last repeats). */
function fakes(over: Partial<TunnelDeps> = {}, wgSeq: TunnelPeer[][] = []): Fake {
  const calls: Record<string, unknown[]> = {};
  const clock = { ms: NOW.getTime() };
  const rec = (k: string, a: unknown): void => void (calls[k] ??= []).push(a);
  let i = 0;
  const deps: TunnelDeps = {
    systemLookup: async (name) => (rec('systemLookup', name), [observation('dns.system', { name, addresses: [{ address: '203.0.113.10', family: 4 }], error: null, ms: 1 })]),
    routeLookup: async (dst) => (rec('routeLookup', dst), [route(dst)]),
    gateway: async (q) => (rec('gateway', q), [observation('gateway.neighbor', { gateway: q.gateway, dev: q.dev, state: 'REACHABLE', answered: true, method: 'ping' })]),
    icmp: async (q) => (
      rec('icmp', q),
      [observation('icmp.echo', { address: q.address, method: 'raw', sent: q.count, received: q.count, lossPct: 0, rtt: { min: 0.3, avg: 0.4, max: 0.5, stddev: 0.1 }, errors: [] })]
    ),
    tcp: async (q) => (rec('tcp', q), [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: 'open', ms: 1 })]),
    openvpnReset: async (q) => (rec('openvpnReset', q), { outcome: 'answered', ms: 2 }),
    wgPeers: async (dev) => {
      rec('wgPeers', dev);
      const peers = wgSeq[Math.min(i++, wgSeq.length - 1)];
      return peers ? { ok: true, peers } : { ok: false, reason: 'no fake' };
    },
    dfPing: async (q) => (rec('dfPing', q), { outcome: 'pass', method: 'ping' }),
    now: () => new Date(clock.ms),
    sleep: async (ms) => void (clock.ms += ms),
    ...over,
  };
  return { deps, calls, clock };
}

function input(snapshot: Snapshot, target: string, observations: Observation[], options: Partial<DiagnoseOptions> = {}): TunnelInput {
  return { target: parseTarget(target), snapshot, observations, addresses: [parseTarget(target).host], options: { ...DEFAULT_OPTIONS, ...options }, ctx: (ms) => probeContext(ms) };
}

const viaWg0 = (dst = '100.96.0.1'): Observation => route(dst, { dev: 'wg0', gateway: null, route: `${dst} dev wg0` });
const kinds = (o: Observation[]): string[] => o.map((x) => x.kind);

test('select: by route, by network whatever the route says, by --tunnel (also a missing one), config-only by network, none', () => {
  const s = snap([wg(), wg({ dev: 'office', source: 'config', link: null, networks: ['100.100.0.0/24'] })]);
  assert.deepEqual(
    selectTunnels(s, [viaWg0()], ['100.96.0.1']).map((x) => [x.tunnel.dev, x.selectedBy, x.targetNetwork]),
    [['wg0', 'route', '100.96.0.0/24']],
  );
  assert.deepEqual(
    selectTunnels(s, [route('100.96.0.1')], ['100.96.0.1']).map((x) => [x.tunnel.dev, x.selectedBy]),
    [['wg0', 'network']],
  );
  assert.deepEqual(
    selectTunnels(s, [route('100.100.0.5')], ['100.100.0.5']).map((x) => [x.tunnel.dev, x.source]),
    [['office', 'config']],
  );
  assert.deepEqual(
    selectTunnels(s, [route('203.0.113.99')], ['203.0.113.99'], 'tun7').map((x) => [x.tunnel.dev, x.source, x.selectedBy]),
    [['tun7', 'missing', 'option']],
  );
  assert.deepEqual(selectTunnels(s, [route('203.0.113.99')], ['203.0.113.99']), []);
  // The carrier: the peer whose allowed IPs contain the target.
  assert.equal(selectTunnels(s, [viaWg0()], ['100.96.0.1'])[0]!.carrier?.publicKey, SERVER);
});

test('select: without collected tunnels, a tun link the route leaves through is an "other" tunnel; routes via a tunnel add to its networks', () => {
  const s = fakeSnapshot();
  const links = s.links.ok ? s.links.value : [];
  const withTun: Snapshot = {
    ...s,
    links: {
      ok: true,
      value: [
        ...links,
        {
          name: 'tnl0',
          index: 9,
          up: true,
          carrier: true,
          operstate: 'UNKNOWN',
          mtu: 1400,
          kind: 'tun',
          loopback: false,
          mac: null,
          master: null,
          addresses: [{ family: 4, address: '100.90.0.2', prefixlen: 32, scope: 'global' }],
        },
      ],
    },
    routes: {
      ok: true,
      value: [
        ...(s.routes.ok ? s.routes.value : []),
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '100.91.0.0/16',
          gateway: null,
          dev: 'tnl0',
          src: null,
          metric: null,
          protocol: 'static',
          scope: 'link',
          nexthops: [],
          text: '100.91.0.0/16 dev tnl0',
        },
      ],
    },
  };
  const sel = selectTunnels(withTun, [route('100.91.2.3')], ['100.91.2.3']);
  assert.deepEqual(
    sel.map((x) => [x.tunnel.dev, x.tunnel.kind, x.selectedBy, x.targetNetwork]),
    [['tnl0', 'other', 'network', '100.91.0.0/16']],
  );
});

test('healthy WireGuard: a fresh session needs no waiting; the endpoint is diagnosed on the underlay; a full tunnel packet fits', async () => {
  const f = fakes();
  const r = await tunnelPhase(
    input(snap([wg()]), '100.96.0.1', [
      viaWg0(),
      observation('icmp.echo', { address: '100.96.0.1', method: 'raw', sent: 4, received: 4, lossPct: 0, rtt: { min: 1, avg: 1, max: 1, stddev: 0 }, errors: [] }),
    ]),
    f.deps,
  );
  assert.equal(r.skip, null);
  assert.deepEqual(kinds(r.observations), ['tunnel.state', 'route.lookup', 'gateway.neighbor', 'icmp.echo', 'tunnel.endpoint', 'tunnel.handshake', 'tunnel.mtu']);
  assert.equal(f.calls['wgPeers'], undefined, 'no handshake watch for a fresh session');
  assert.deepEqual(f.calls['routeLookup'], ['203.0.113.10']);
  const hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'fresh');
  assert.equal(hs.ageSec, 30);
  const mtu = ofKind(r.observations, 'tunnel.mtu')[0]!.data;
  assert.equal(mtu.needed, 1480);
  assert.equal(mtu.neededPasses, true);
  assert.deepEqual(
    (f.calls['dfPing'] as DfPingQuery[]).map((q) => [q.address, q.size]),
    [
      ['203.0.113.10', 1480],
      ['100.96.0.1', 1420],
    ],
  );
  assert.deepEqual(mtu.overlay, { address: '100.96.0.1', size: 1420, passed: true });
  const ep = ofKind(r.observations, 'tunnel.endpoint')[0]!.data;
  assert.equal(ep.probe.method, 'none');
});

test('WireGuard: a stale session is watched, and a handshake completing while netdx watches is "completed"', async () => {
  const stale = peer({ latestHandshake: nowSec - 600, txBytes: 100, rxBytes: 100 });
  const f = fakes({}, [[stale], [peer({ latestHandshake: nowSec + 1, txBytes: 248, rxBytes: 192 })]]);
  const r = await tunnelPhase(input(snap([wg({ peers: [stale] })]), '100.96.0.1', [viaWg0()]), f.deps);
  const hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'completed');
  assert.equal(f.calls['wgPeers']!.length, 2);
  assert.ok(
    (f.calls['icmp'] as Array<{ address: string }>).some((q) => q.address === '100.96.0.1'),
    'one packet into the tunnel triggers the initiation',
  );
});

test('WireGuard: initiations go out, nothing comes back → no-response after a bounded wait (fake clock)', async () => {
  const never = peer({ latestHandshake: 0, txBytes: 148, rxBytes: 0, keepaliveSec: null });
  const f = fakes({}, [[never], [peer({ latestHandshake: 0, txBytes: 296, rxBytes: 0, keepaliveSec: null })]]);
  const r = await tunnelPhase(input(snap([wg({ peers: [never] })]), '100.96.0.1', [viaWg0()]), f.deps);
  const hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'no-response');
  assert.equal(hs.txAfter, 296);
  assert.ok(hs.waitedMs >= HANDSHAKE_WAIT_MS && hs.waitedMs < HANDSHAKE_WAIT_MS + 200, `waited ${hs.waitedMs}`);
  assert.equal(ofKind(r.observations, 'tunnel.mtu').length, 0, 'no MTU check on a tunnel that does not work');
});

test('WireGuard: nothing sent because the route does not enter the tunnel → not-attempted with the reason', async () => {
  const stale = peer({ latestHandshake: 0, txBytes: 0, rxBytes: 0 });
  const f = fakes({}, [[stale]]);
  const r = await tunnelPhase(input(snap([wg({ peers: [stale] })]), '100.96.0.1', [route('100.96.0.1')]), f.deps);
  const hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'not-attempted');
  assert.match(hs.reason ?? '', /route does not enter wg0/);
});

test('OpenVPN: connected → fresh; the UDP endpoint answers a hard reset; tls-auth → not probed with the reason; TCP → connect', async () => {
  let f = fakes();
  let r = await tunnelPhase(input(snap([ovpn()]), '100.98.0.1', [route('100.98.0.1', { dev: 'tun0', gateway: null })]), f.deps);
  assert.equal(ofKind(r.observations, 'tunnel.handshake')[0]!.data.outcome, 'fresh');
  assert.deepEqual(ofKind(r.observations, 'tunnel.endpoint')[0]!.data.probe, { method: 'openvpn-reset', outcome: 'answered', ms: 2 });
  assert.equal(ofKind(r.observations, 'tunnel.mtu')[0]!.data.needed, 1552);
  f = fakes();
  r = await tunnelPhase(input(snap([ovpn({ tlsAuth: true, state: 'WAIT', stateDetail: null })]), '100.98.0.1', [route('100.98.0.1')]), f.deps);
  assert.equal(f.calls['openvpnReset'], undefined);
  assert.match(ofKind(r.observations, 'tunnel.endpoint')[0]!.data.probe.reason ?? '', /tls-auth/);
  assert.equal(ofKind(r.observations, 'tunnel.handshake')[0]!.data.outcome, 'no-response');
  f = fakes();
  const tcpRemote = { host: '203.0.113.10', port: 443, proto: 'tcp' as const };
  r = await tunnelPhase(input(snap([ovpn({ remotes: [tcpRemote], activeRemote: tcpRemote })]), '100.98.0.1', [route('100.98.0.1', { dev: 'tun0', gateway: null })]), f.deps);
  assert.deepEqual(ofKind(r.observations, 'tunnel.endpoint')[0]!.data.probe, { method: 'tcp-connect', outcome: 'open', ms: 1 });
  assert.equal(ofKind(r.observations, 'tunnel.mtu').length, 0, 'OpenVPN over TCP has no underlay MTU blackhole');
});

test('an endpoint name that no longer resolves: named in tunnel.endpoint, nothing probed', async () => {
  const f = fakes({ systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'ENOTFOUND', ms: 2 })] });
  const named = { host: 'vpn.lab.test', port: 1194, proto: 'udp' as const };
  const r = await tunnelPhase(
    input(snap([ovpn({ remotes: [named], activeRemote: null, state: 'RESOLVE' }, { link: null })]), '100.98.0.1', [route('100.98.0.1', { outcome: 'no-route', dev: null, gateway: null })]),
    f.deps,
  );
  const ep = ofKind(r.observations, 'tunnel.endpoint')[0]!.data;
  assert.equal(ep.address, null);
  assert.deepEqual(ep.resolve, { name: 'vpn.lab.test', addresses: [], error: 'ENOTFOUND', ms: 2 });
  assert.equal(f.calls['routeLookup'], undefined);
});

test('500 peers: only the carrier peer is diagnosed and shown; the rest are counted', async () => {
  const peers = Array.from({ length: 500 }, (_, i) =>
    peer({
      publicKey: fakeKey(i),
      allowedIps: [i === 377 ? '100.96.0.0/24' : `100.64.${Math.floor(i / 250)}.${(i % 250) + 1}/32`],
      endpoint: { host: `203.0.113.${(i % 200) + 20}`, port: 51820, proto: 'udp' },
    }),
  );
  const f = fakes();
  const r = await tunnelPhase(input(snap([wg({ peers })]), '100.96.0.1', [viaWg0()]), f.deps);
  const st = ofKind(r.observations, 'tunnel.state')[0]!.data;
  assert.equal(st.peerCount, 500);
  assert.equal(st.peers.length, 1);
  assert.equal(st.carrier, fakeKey(377));
  assert.deepEqual(f.calls['routeLookup'], ['203.0.113.197']);
});

test('MTU: a 1400-byte underlay without frag-needed is found exactly by the parallel search', async () => {
  let probes = 0;
  const f = fakes({ dfPing: async (q) => (probes++, { outcome: q.size <= 1400 || q.address === '100.96.0.1' ? 'pass' : 'lost', method: 'ping' }) });
  const r = await tunnelPhase(input(snap([wg()]), '100.96.0.1', [viaWg0()]), f.deps);
  const m = ofKind(r.observations, 'tunnel.mtu')[0]!.data;
  assert.equal(m.neededPasses, false);
  assert.equal(m.largestPass, 1400);
  assert.equal(m.smallestFail, 1401);
  assert.ok(probes <= 40, `${probes} probes`);
});

test('a tunnel that is down or only configured: its state, nothing probed; an unknown tun: a clear unknown line', async () => {
  let f = fakes();
  let r = await tunnelPhase(
    input(snap([wg({ link: { up: false, carrier: false, mtu: 1420, kind: 'tun', addresses: ['100.96.0.2/24'] } })]), '100.96.0.1', [
      route('100.96.0.1', { outcome: 'no-route', dev: null, gateway: null }),
    ]),
    f.deps,
  );
  assert.deepEqual(kinds(r.observations), ['tunnel.state']);
  assert.equal(Object.keys(f.calls).length, 0);
  f = fakes();
  r = await tunnelPhase(input(snap([{ ...wg(), kind: 'other', peers: [] }]), '100.96.0.1', [viaWg0()]), f.deps);
  assert.deepEqual(kinds(r.observations), ['tunnel.state', 'check.unknown']);
  assert.equal((await tunnelPhase(input(snap([]), '203.0.113.99', [route('203.0.113.99')]), f.deps)).skip?.text, 'no tunnel carries the target (route, tunnel networks)');
});

test('idle test: alive after 2 and 4 s idle, silent after 8 s → tunnel.idle with the bracket (fake clock)', async () => {
  let echoes = 0;
  const f = fakes(
    {
      icmp: async (q) => {
        const alive = q.address !== '100.96.0.1' || q.count !== 1 || ++echoes <= 2;
        return [
          observation('icmp.echo', {
            address: q.address,
            method: 'raw',
            sent: q.count,
            received: alive ? q.count : 0,
            lossPct: alive ? 0 : 100,
            rtt: alive ? { min: 1, avg: 1, max: 1, stddev: 0 } : null,
            errors: [],
          }),
        ];
      },
    },
    [[peer()]],
  );
  const r = await tunnelPhase(input(snap([wg()]), '100.96.0.1', [viaWg0()], { tunnelIdleMs: 30_000 }), f.deps);
  const d = ofKind(r.observations, 'tunnel.idle')[0]!.data;
  assert.deepEqual(d.trials, [
    { idleSec: 2, alive: true },
    { idleSec: 4, alive: true },
    { idleSec: 8, alive: false },
  ]);
  assert.equal(d.aliveAfterSec, 4);
  assert.equal(d.deadAfterSec, 8);
});

test('overhead: WireGuard 60/80, OpenVPN by cipher, proto, compression and tap', () => {
  assert.equal(encapOverhead({ kind: 'wireguard' }, 4)?.bytes, 60);
  assert.equal(encapOverhead({ kind: 'wireguard' }, 6)?.bytes, 80);
  assert.equal(encapOverhead(ovpn(), 4)?.bytes, 52);
  assert.equal(encapOverhead(ovpn({ cipher: 'AES-256-CBC', auth: 'SHA256' }), 4)?.bytes, 20 + 8 + 4 + 32 + 16 + 4 + 16);
  assert.equal(encapOverhead(ovpn({ compress: true, devType: 'tap' }), 6)?.bytes, 40 + 8 + 24 + 1 + 14);
  const tcp = { host: '203.0.113.10', port: 443, proto: 'tcp' as const };
  assert.equal(encapOverhead(ovpn({ remotes: [tcp], activeRemote: tcp }), 4)?.bytes, 20 + 22 + 24);
  assert.equal(encapOverhead({ kind: 'other' }, 4), null);
});

test('WireGuard: a recent session, the target silent and nothing came back through the tunnel → stalled; something came back → fresh', async () => {
  const silent = [viaWg0(), observation('icmp.echo', { address: '100.96.0.1', method: 'raw', sent: 4, received: 0, lossPct: 100, rtt: null, errors: [] })];
  let f = fakes({}, [[peer({ txBytes: 2420, rxBytes: 716 })]]);
  let r = await tunnelPhase(input(snap([wg()]), '100.96.0.1', silent), f.deps);
  let hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'stalled');
  assert.match(hs.reason ?? '', /tx 1956 → 2420 bytes\) and nothing came back \(rx unchanged at 716\)/);
  f = fakes({}, [[peer({ txBytes: 2420, rxBytes: 800 })]]);
  r = await tunnelPhase(input(snap([wg()]), '100.96.0.1', silent), f.deps);
  hs = ofKind(r.observations, 'tunnel.handshake')[0]!.data;
  assert.equal(hs.outcome, 'fresh');
});

test('WireGuard: a stale session whose retry is pending (tx unchanged while watched) is still no-response when the packets went in', async () => {
  const stale = peer({ latestHandshake: nowSec - 900, txBytes: 5000, rxBytes: 900 });
  const f = fakes({}, [[stale]]);
  const r = await tunnelPhase(input(snap([wg({ peers: [stale] })]), '100.96.0.1', [viaWg0()]), f.deps);
  assert.equal(ofKind(r.observations, 'tunnel.handshake')[0]!.data.outcome, 'no-response');
  const noEndpoint = peer({ latestHandshake: 0, txBytes: 0, rxBytes: 0, endpoint: null });
  const g = fakes({}, [[noEndpoint]]);
  const h = ofKind((await tunnelPhase(input(snap([wg({ peers: [noEndpoint] })]), '100.96.0.1', [viaWg0()]), g.deps)).observations, 'tunnel.handshake')[0]!.data;
  assert.equal(h.outcome, 'not-attempted');
  assert.match(h.reason ?? '', /no endpoint/);
});

test('the local firewall is asked about the tunnel’s own packets to its endpoint: UDP from the listen port, out of the underlay device', async () => {
  const flows: unknown[] = [];
  const f = fakes({
    firewallVerdict: (_s, flow) => {
      flows.push(flow);
      return {
        verdict: 'DROP',
        chain: 'OUTPUT',
        proto: flow.proto,
        src: flow.src,
        dst: flow.dst,
        sport: flow.sport ?? null,
        dport: flow.dport,
        rule: null,
        reason: 'policy DROP of filter/OUTPUT',
      } as never;
    },
  });
  const r = await tunnelPhase(input(snap([wg({ peers: [peer({ latestHandshake: null, rxBytes: 0, txBytes: 0 })] })]), '100.96.0.1', [viaWg0()]), f.deps);
  assert.deepEqual(flows, [{ chain: 'OUTPUT', proto: 'udp', src: '198.51.100.10', dst: '203.0.113.10', sport: 33102, dport: 51820, oif: 'eth0' }]);
  const v = ofKind(r.observations, 'firewall.verdict');
  assert.equal(v.length, 1);
  assert.equal(v[0]!.data.dst, '203.0.113.10');
  // an evaluator that throws is an unknown check of the tunnel layer, not a crash
  const g = fakes({
    firewallVerdict: () => {
      throw new Error('bad ruleset');
    },
  });
  const r2 = await tunnelPhase(input(snap([wg()]), '100.96.0.1', [viaWg0()]), g.deps);
  assert.ok(ofKind(r2.observations, 'check.unknown').some((u) => /firewall for udp 203\.0\.113\.10:51820: bad ruleset/.test(`${u.data.check}: ${u.data.reason}`)));
});

test('a WireGuard fwmark (wg-quick full tunnel): the endpoint is routed, pinged, MTU-probed and firewall-judged with that mark', async () => {
  const routes: unknown[] = [];
  const explained: unknown[] = [];
  const flows: Array<{ mark?: number }> = [];
  const f = fakes({
    routeLookup: async (dst) => (routes.push(dst), [route(dst)]),
    explainRoute: (_s, dst, opts) => (explained.push([dst, opts]), null),
    firewallVerdict: (_s, flow) => (flows.push(flow), null),
  });
  const t = wg({ fwmark: 51820, peers: [peer({ allowedIps: ['0.0.0.0/0'] })] });
  await tunnelPhase(
    input(
      snap([t]),
      '100.96.0.1',
      [viaWg0(), observation('icmp.echo', { address: '100.96.0.1', method: 'raw', sent: 4, received: 4, lossPct: 0, rtt: { min: 1, avg: 1, max: 1, stddev: 0 }, errors: [] })],
      { tunnel: 'wg0' },
    ),
    f.deps,
  );
  assert.deepEqual(routes, [{ destination: '203.0.113.10', mark: '51820' }]);
  assert.deepEqual(explained, [['203.0.113.10', { mark: 51820 }]]);
  assert.equal(flows[0]?.mark, 51820);
  assert.deepEqual(
    (f.calls.icmp as Array<{ address: string; mark?: number }>).filter((q) => q.address === '203.0.113.10').map((q) => q.mark),
    [51820],
  );
  const df = f.calls.dfPing as Array<{ address: string; mark?: number }>;
  assert.ok(
    df.some((q) => q.address === '203.0.113.10' && q.mark === 51820),
    JSON.stringify(df),
  );
  assert.ok(
    df.filter((q) => q.address === '100.96.0.1').every((q) => q.mark === undefined),
    'the overlay probe goes through the tunnel: no mark',
  );
  // without a fwmark nothing is marked
  const plain: unknown[] = [];
  const g = fakes({ routeLookup: async (dst) => (plain.push(dst), [route(dst)]) });
  await tunnelPhase(input(snap([wg()]), '100.96.0.1', [viaWg0()]), g.deps);
  assert.deepEqual(plain, ['203.0.113.10']);
});
