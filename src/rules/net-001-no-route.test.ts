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
