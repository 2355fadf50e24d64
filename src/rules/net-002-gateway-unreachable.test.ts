import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-002-gateway-unreachable.js';
import { assertFinding, commands, neighbor, routeLookup, run } from './fixtures.js';

test('invalid: the chosen route’s gateway is FAILED in the neighbor table → NET-002', () => {
  const f = assertFinding(
    rule,
    run(rule, [routeLookup('203.0.113.10', { gateway: '198.51.100.254', route: 'default via 198.51.100.254 dev eth0' }), neighbor({ gateway: '198.51.100.254', state: 'FAILED', answered: false })]),
  );
  assert.equal(f.title, 'The gateway 198.51.100.254 on eth0 does not answer ARP/ND');
  assert.match(f.explanation, /neighbor state FAILED/);
  assert.match(f.fix[0]!.summary, /default via 198\.51\.100\.254 dev eth0/);
  assert.deepEqual(commands(f), ['ip neigh show dev eth0']);
});

test('invalid: INCOMPLETE, and no entry + unanswered probe', () => {
  assertFinding(rule, run(rule, [routeLookup(), neighbor({ state: 'INCOMPLETE', answered: null, method: 'neigh' })]));
  assertFinding(rule, run(rule, [routeLookup(), neighbor({ state: null, answered: false })]));
});

test('valid: a router that drops ping but is REACHABLE/STALE in ARP, another gateway, or no data → null', () => {
  assert.equal(run(rule, [routeLookup(), neighbor()]), null);
  assert.equal(run(rule, [routeLookup(), neighbor({ state: 'REACHABLE', answered: false })]), null);
  assert.equal(run(rule, [routeLookup(), neighbor({ state: 'STALE', answered: false })]), null);
  assert.equal(run(rule, [routeLookup(), neighbor({ gateway: '198.51.100.2', state: 'FAILED', answered: false })]), null, 'not the chosen route’s gateway');
  assert.equal(run(rule, [routeLookup()]), null);
  assert.equal(run(rule, []), null);
});
