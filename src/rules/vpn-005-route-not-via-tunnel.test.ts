import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-005-route-not-via-tunnel.js';
import { assertFinding, commands, routeLookup, run } from './fixtures.js';
import { VTARGET, healthyTunnel, tunnelSnapshot, tunnelState } from './vpn-fixtures.js';

const T = { target: VTARGET, snapshot: tunnelSnapshot() };

test('invalid: the virtual network is not routed into the tunnel (it leaves by the default route) → ip route add … dev wg0', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState({ selectedBy: 'network', networks: ['100.96.0.0/24', '100.97.0.0/24'], targetNetwork: '100.97.0.0/24' }), routeLookup('100.97.0.5')], { ...T, target: '100.97.0.5' }),
  );
  assert.equal(f.title, '100.97.0.5 is inside the virtual network, but no route sends it into wg0');
  assert.match(f.explanation, /the kernel sends 100\.97\.0\.5 out of eth0 via 198\.51\.100\.1 instead/);
  assert.deepEqual(commands(f), ['ip route add 100.97.0.0/24 dev wg0']);
});

test('invalid: no route at all; --tunnel names the tunnel for a target outside its networks (host route)', () => {
  // No route at all: the snapshot has no route of the virtual network either (ip route add must be able to add it).
  const bare = tunnelSnapshot();
  if (bare.routes.ok) bare.routes.value = bare.routes.value.filter((r) => r.dev !== 'wg0');
  const f1 = assertFinding(
    rule,
    run(rule, [tunnelState({ selectedBy: 'network' }), routeLookup(VTARGET, { outcome: 'no-route', dev: null, gateway: null, route: null, candidates: [] })], { ...T, snapshot: bare }),
  );
  assert.match(f1.explanation, /nowhere \(no route\)/);
  const f2 = assertFinding(rule, run(rule, [tunnelState({ selectedBy: 'option', targetNetwork: null }), routeLookup('203.0.113.99')], { ...T, target: '203.0.113.99' }));
  assert.deepEqual(commands(f2), ['ip route add 203.0.113.99/32 dev wg0']);
});

test('valid: the route enters the tunnel; the tunnel is down (VPN-001); a LAN overlap (VPN-004); the target is outside the tunnel', () => {
  assert.equal(run(rule, healthyTunnel(), T), null);
  assert.equal(run(rule, [tunnelState({ up: false }), routeLookup(VTARGET, { outcome: 'no-route', dev: null, gateway: null, route: null })], T), null);
  assert.equal(run(rule, [tunnelState({ source: 'config', present: false }), routeLookup(VTARGET)], T), null);
  const lan = tunnelSnapshot();
  if (lan.routes.ok)
    lan.routes.value.push({
      family: 4,
      table: 'main',
      type: 'unicast',
      dst: '100.96.0.0/16',
      gateway: null,
      dev: 'eth0',
      src: null,
      metric: null,
      protocol: 'kernel',
      scope: 'link',
      nexthops: [],
      text: '100.96.0.0/16 dev eth0',
    });
  assert.equal(run(rule, [tunnelState(), routeLookup(VTARGET, { dev: 'eth0', gateway: null })], { ...T, snapshot: lan }), null);
  assert.equal(run(rule, [tunnelState({ targetNetwork: null, selectedBy: 'route' }), routeLookup('203.0.113.99')], { ...T, target: '203.0.113.99' }), null);
});
