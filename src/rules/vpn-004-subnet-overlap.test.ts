import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-004-subnet-overlap.js';
import { assertFinding, commands, echo, routeLookup, run, snapshot } from './fixtures.js';
import { VTARGET, healthyTunnel, tunnelRoute, tunnelState } from './vpn-fixtures.js';
import type { Route } from '../model/snapshot.js';

const r = (dst: string, dev: string, extra: Partial<Route> = {}): Route => ({
  family: 4,
  table: 'main',
  type: 'unicast',
  dst,
  gateway: null,
  dev,
  src: null,
  metric: null,
  protocol: 'kernel',
  scope: 'link',
  nexthops: [],
  text: `${dst} dev ${dev} proto kernel scope link`,
  ...extra,
});

// The office LAN 100.96.0.0/16 on eth0 and the virtual network 100.96.0.0/24 of wg0.
const overlap = snapshot({
  routes: { ok: true, value: [r('0.0.0.0/0', 'eth0', { gateway: '100.96.255.1', scope: 'global', text: 'default via 100.96.255.1 dev eth0' }), r('100.96.0.0/16', 'eth0'), r('100.96.0.0/24', 'wg0')] },
});

test('invalid: the LAN route wins for a target of the virtual network → host route into the tunnel', () => {
  const lanWins = snapshot({ routes: { ok: true, value: [r('100.96.0.0/24', 'eth0'), r('100.96.0.0/16', 'wg0')] } });
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelState({ networks: ['100.96.0.0/16'], targetNetwork: '100.96.0.0/16' }),
        routeLookup(VTARGET, { dev: 'eth0', gateway: null, route: '100.96.0.1 dev eth0 src 100.96.0.20' }),
        echo({ address: VTARGET, received: 0 }),
      ],
      { target: VTARGET, snapshot: lanWins },
    ),
  );
  assert.equal(f.title, 'The virtual network 100.96.0.0/16 overlaps the local network 100.96.0.0/24 on eth0');
  assert.match(f.explanation, /sends 100\.96\.0\.1 out of eth0 instead of wg0/);
  assert.deepEqual(commands(f), ['ip route add 100.96.0.1/32 dev wg0']);
});

test('invalid (the reverse): the tunnel route wins for a LAN target and nothing answers through the tunnel', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState({ targetNetwork: '100.96.0.0/24' }), routeLookup('100.96.0.9', { dev: 'wg0', gateway: null, route: '100.96.0.9 dev wg0' }), echo({ address: '100.96.0.9', received: 0 })], {
      target: '100.96.0.9',
      snapshot: overlap,
    }),
  );
  assert.match(f.explanation, /sends 100\.96\.0\.9 out of wg0 instead of eth0/);
  assert.deepEqual(commands(f), ['ip route add 100.96.0.9/32 dev eth0']);
});

test('valid: no overlap (healthy), the tunnel route wins and the target answers, no route lookup', () => {
  assert.equal(run(rule, healthyTunnel(), { target: VTARGET, snapshot: snapshot() }), null);
  assert.equal(run(rule, [tunnelState(), tunnelRoute(), echo({ address: VTARGET })], { target: VTARGET, snapshot: overlap }), null);
  assert.equal(run(rule, [tunnelState()], { target: VTARGET, snapshot: overlap }), null);
});
