/**
 * The tunnel layer through the real ranking (judge): the underlay finding about the endpoint is
 * primary over VPN-002/VPN-003 and names the endpoint (faults.md, causal rule for VPN-002); a
 * tunnel that is down explains the missing route; NET-004 without --expect-gateway for a silent
 * VPN endpoint steered away from the default route (the seed's misrouted region).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge } from '../diagnose/judge.js';
import { observation, type Observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { rule as NET_004 } from './net-004-route-conflict.js';
import { assertFinding, commands, ctx, echo, icmpError, routeLookup, run, tcp } from './fixtures.js';
import { ENDPOINT, VTARGET, endpoint, endpointRoute, handshake, healthyTunnel, tunnelRoute, tunnelSnapshot, tunnelState } from './vpn-fixtures.js';

function report(observations: Observation[], snapshot: Snapshot | null = tunnelSnapshot(), target = VTARGET): Report {
  const c = ctx({ target, observations });
  return judge({ target: c.target, options: c.options, observations, snapshot, startedAt: c.now, durationMs: 1, layerMs: () => 0, skips: new Map(), addresses: [target], now: c.now });
}
const explained = (r: Report) => Object.fromEntries(r.findings.map((f) => [f.code, f.explainedBy ?? null]));

// Region A: 203.0.113.0/24 via the "wrong ISP" router 198.51.100.254; the default route via 198.51.100.1.
const misrouted = endpointRoute({
  gateway: '198.51.100.254',
  route: '203.0.113.10 via 198.51.100.254 dev eth0 src 198.51.100.10',
  candidates: [
    { prefix: '203.0.113.0/24', table: 'main', dev: 'eth0', gateway: '198.51.100.254', metric: null, type: 'unicast', text: '203.0.113.0/24 via 198.51.100.254 dev eth0' },
    { prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: null, type: 'unicast', text: 'default via 198.51.100.1 dev eth0' },
  ],
});
const silent = [
  echo({ address: VTARGET, received: 0 }),
  echo({ address: ENDPOINT, sent: 3, received: 0 }),
  endpoint(),
  handshake({ outcome: 'no-response', ageSec: null, txAfter: 2104, waitedMs: 2000 }),
];

test('the seed: a region whose route to the VPN server points at the wrong ISP → NET-004 names the misroute, VPN-002 and VPN-003 explained by it', () => {
  const r = report([tunnelState(), tunnelRoute(), misrouted, ...silent]);
  assert.equal(r.primary?.code, 'NET-004');
  assert.equal(r.primary?.title, 'Traffic to 203.0.113.10 goes via 198.51.100.254 dev eth0, not via 198.51.100.1');
  assert.match(r.primary!.explanation, /the server of the tunnel wg0 \(203\.0\.113\.10:51820\/udp\)/);
  assert.ok(r.primary!.evidence.some((e) => /VPN endpoint 203\.0\.113\.10:51820\/udp of wg0/.test(e.summary)));
  assert.deepEqual(commands(r.primary!), ['ip route del 203.0.113.0/24 via 198.51.100.254 dev eth0', 'ip route add 203.0.113.10/32 via 198.51.100.1']);
  assert.equal(explained(r)['VPN-002'], 'NET-004');
  assert.equal(explained(r)['VPN-003'], 'NET-004');
});

test('the other region: the endpoint goes by the default route and the tunnel works → ok', () => {
  const r = report(healthyTunnel());
  assert.equal(r.verdict, 'ok');
  assert.equal(r.primary, null);
  assert.equal(r.layers.find((l) => l.layer === 'tunnel')?.status, 'pass');
});

test('NET-004 stays quiet for an endpoint that answers, a tunnel that works, or a silent endpoint on the default route', () => {
  assert.equal(run(NET_004, [tunnelState(), misrouted, echo({ address: ENDPOINT }), endpoint(), handshake({ outcome: 'no-response' })], { target: VTARGET }), null);
  assert.equal(run(NET_004, [tunnelState(), misrouted, echo({ address: ENDPOINT, received: 0 }), endpoint(), handshake()], { target: VTARGET }), null);
  const viaDefault = endpointRoute({
    candidates: [{ prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: null, type: 'unicast', text: 'default via 198.51.100.1 dev eth0' }],
  });
  assert.equal(run(NET_004, [tunnelState(), viaDefault, ...silent], { target: VTARGET, snapshot: tunnelSnapshot() }), null);
  assertFinding(NET_004, run(NET_004, [tunnelState(), misrouted, ...silent], { target: VTARGET, snapshot: tunnelSnapshot() }));
});

test('no route to the endpoint: NET-001 about the endpoint is primary over VPN-002', () => {
  const r = report(
    [
      tunnelState(),
      tunnelRoute(),
      endpointRoute({ outcome: 'no-route', dev: null, gateway: null, route: null }),
      endpoint(),
      handshake({ outcome: 'no-response' }),
      echo({ address: VTARGET, received: 0 }),
    ],
    null,
  );
  assert.equal(r.primary?.code, 'NET-001');
  assert.match(r.primary!.title, /203\.0\.113\.10/);
  assert.equal(explained(r)['VPN-002'], 'NET-001');
});

test('a tunnel that is down: its missing route and the routers answering for its network are symptoms, VPN-001 is primary', () => {
  const r = report([tunnelState({ up: false, selectedBy: 'network' }), routeLookup(VTARGET, { outcome: 'no-route', dev: null, gateway: null, route: null })]);
  assert.equal(r.primary?.code, 'VPN-001');
  assert.deepEqual(
    r.findings.map((f) => f.code),
    ['VPN-001'],
  );
  const viaCore = report([
    tunnelState({ up: false, selectedBy: 'network' }),
    routeLookup(VTARGET),
    echo({ address: VTARGET, received: 0, errors: [icmpError({ from: '198.51.100.10', type: 3, code: 0, name: 'net-unreachable' })] }),
  ]);
  assert.equal(viaCore.primary?.code, 'VPN-001');
  assert.ok(!viaCore.findings.some((f) => f.code === 'NET-010'));
});

test('an OpenVPN client that cannot connect (endpoint name gone): VPN-002 is primary, not the core router answering for the virtual network', () => {
  const ovpn = tunnelState({
    kind: 'openvpn',
    dev: 'tun0',
    present: false,
    up: null,
    mtu: null,
    selectedBy: 'network',
    networks: ['100.98.0.0/24'],
    targetNetwork: '100.98.0.0/24',
    openvpn: { mode: 'client', state: 'RESOLVE', detail: null, proto: 'udp', tlsAuth: false, cipher: null, devType: 'tun', pingSec: null },
  });
  const r = report(
    [
      ovpn,
      routeLookup('100.98.0.1'),
      echo({ address: '100.98.0.1', received: 0, errors: [icmpError({ from: '198.51.100.10', type: 3, code: 0, name: 'net-unreachable' })] }),
      endpoint({
        dev: 'tun0',
        host: 'vpn-old.lab.test',
        address: null,
        port: 1194,
        resolve: { name: 'vpn-old.lab.test', addresses: [], error: 'ENOTFOUND', ms: 3 },
        probe: { method: 'none', outcome: 'not-probed', ms: 0 },
      }),
      handshake({ dev: 'tun0', method: 'openvpn-state', outcome: 'no-response', reason: 'management state RESOLVE' }),
    ],
    tunnelSnapshot(),
    '100.98.0.1',
  );
  assert.equal(r.primary?.code, 'VPN-002');
  assert.match(r.primary!.explanation, /vpn-old\.lab\.test does not resolve/);
});

test('a VPN server that filters ICMP, with a working tunnel and an open target port → ok (no NET-005 about the endpoint)', () => {
  const obs = [...healthyTunnel().filter((o) => !(o.kind === 'icmp.echo' && o.data.address === ENDPOINT)), echo({ address: ENDPOINT, sent: 3, received: 0 }), tcp({ address: VTARGET, port: 443 })];
  const r = report(obs, tunnelSnapshot(), `${VTARGET}:443`);
  assert.equal(r.verdict, 'ok', JSON.stringify(r.findings.map((f) => f.code)));
});

test('a trace into a dead tunnel is not a path blackhole: the tunnel finding is primary, not NET-003', () => {
  const trace = observation('trace.path', {
    target: VTARGET,
    proto: 'icmp',
    port: null,
    method: 'raw',
    skipped: [],
    count: 5,
    reached: false,
    paths: [{ flow: 'icmp', reached: false, hops: [{ ttl: 1, addr: null, addrs: [], sent: 5, recv: 0, lossPct: 100, rtt: null, rateLimited: false, target: false }] }],
  });
  const r = report([
    tunnelState(),
    tunnelRoute(),
    endpointRoute(),
    echo({ address: ENDPOINT, sent: 3 }),
    endpoint(),
    echo({ address: VTARGET, received: 0 }),
    trace,
    handshake({ outcome: 'no-response', txAfter: 296, rxAfter: 0 }),
  ]);
  assert.equal(r.primary?.code, 'VPN-003');
  assert.ok(!r.findings.some((f) => f.code === 'NET-003'));
});

test('the seed with a session set up before the misroute: the stalled tunnel is explained by NET-004 too', () => {
  const stalled = [echo({ address: VTARGET, received: 0 }), echo({ address: ENDPOINT, sent: 3, received: 0 }), endpoint(), handshake({ outcome: 'stalled', txAfter: 2420 })];
  const r = report([tunnelState(), tunnelRoute(), misrouted, ...stalled]);
  assert.equal(r.primary?.code, 'NET-004');
  assert.equal(explained(r)['VPN-002'], 'NET-004');
  assert.equal(explained(r)['VPN-003'], 'NET-004');
});

test('a route into WireGuard that no peer allows: VPN-008 is primary, the dead trace is not a path blackhole', () => {
  const trace = observation('trace.path', {
    target: '100.96.5.1',
    proto: 'icmp',
    port: null,
    method: 'raw',
    skipped: [],
    count: 5,
    reached: false,
    paths: [{ flow: 'icmp', reached: false, hops: [{ ttl: 1, addr: null, addrs: [], sent: 5, recv: 0, lossPct: 100, rtt: null, rateLimited: false, target: false }] }],
  });
  const r = report(
    [
      tunnelState({ carrier: null, targetNetwork: null }),
      routeLookup('100.96.5.1', { dev: 'wg0', gateway: null, route: '100.96.5.1 dev wg0' }),
      echo({ address: '100.96.5.1', received: 0 }),
      trace,
      endpointRoute(),
      echo({ address: ENDPOINT, sent: 3 }),
      endpoint(),
      handshake(),
    ],
    tunnelSnapshot(),
    '100.96.5.1',
  );
  assert.equal(r.primary?.code, 'VPN-008');
  assert.ok(!r.findings.some((f) => f.code === 'NET-003'));
});
