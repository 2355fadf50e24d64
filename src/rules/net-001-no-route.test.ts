import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-001-no-route.js';
import { assertFinding, commands, routeLookup, run, snapshot } from './fixtures.js';

const noRoute = routeLookup('203.0.113.10', { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, candidates: [], error: 'Network is unreachable' });

test('invalid: no route, the table has a gateway → NET-001 with `ip route add … via GW dev DEV`', () => {
  const f = assertFinding(rule, run(rule, [noRoute], { snapshot: snapshot() }));
  assert.equal(f.title, 'No route to 203.0.113.10');
  assert.deepEqual(commands(f), ['ip route add 203.0.113.10/32 via 198.51.100.1 dev eth0']);
  assert.match(f.evidence[0]!.summary, /Network is unreachable/);
});

test('invalid: no gateway in the table → a fix without a command (never a placeholder)', () => {
  const f = assertFinding(rule, run(rule, [noRoute], { snapshot: snapshot({ routes: { ok: true, value: [] } }) }));
  assert.deepEqual(commands(f), []);
});

test('valid: a route exists, or no lookup was made → null', () => {
  assert.equal(run(rule, [routeLookup()]), null);
  assert.equal(run(rule, []), null);
});

test('invalid: no default route at all, a router is known from the neighbour table → `ip route add default via it`', () => {
  const snap = snapshot({
    routes: {
      ok: true,
      value: [
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '198.51.100.0/28',
          gateway: null,
          dev: 'eth0',
          src: '198.51.100.10',
          metric: null,
          protocol: 'kernel',
          scope: 'link',
          nexthops: [],
          text: '198.51.100.0/28 dev eth0 proto kernel scope link src 198.51.100.10',
        },
      ],
    },
    neighbors: {
      ok: true,
      value: [
        { family: 4, address: '198.51.100.1', dev: 'eth0', lladdr: '02:00:00:00:00:01', state: ['STALE'], router: false },
        { family: 4, address: '203.0.113.99', dev: 'eth9', lladdr: null, state: ['FAILED'], router: false },
      ],
    },
  });
  const f = assertFinding(rule, run(rule, [noRoute], { snapshot: snap }));
  assert.deepEqual(commands(f), ['ip route add default via 198.51.100.1 dev eth0']);
});
