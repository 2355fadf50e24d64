import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './net-003-path-blackhole.js';
import { assertFinding, commands, echo, routeLookup, run, tcp } from './fixtures.js';
import { hop, path, routerAddr, trace, TRACE_TARGET } from './trace-fixtures.js';

const dead = (after: number, n = 6) => path(n, Object.fromEntries(Array.from({ length: n - after }, (_, i) => [after + 1 + i, { recv: 0 }])));

test('invalid: the trace answers up to hop 2, then nothing; ping and TCP fail → NET-003 naming hop 2', () => {
  const obs = [routeLookup(TRACE_TARGET), trace(dead(2)), echo({ address: TRACE_TARGET, received: 0 }), tcp({ address: TRACE_TARGET, outcome: 'filtered' })];
  const f = assertFinding(rule, run(rule, obs));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost beyond hop 2 (${routerAddr(2)})`);
  assert.match(f.evidence[0]!.summary, /last answer from hop 2/);
  assert.equal(f.evidence.length, 3);
  assert.deepEqual(commands(f), [], 'one route only: no alternative to suggest');
  assert.match(f.fix[0]!.summary, new RegExp(`operator of ${routerAddr(2).replace(/\./g, '\\.')} \\(hop 2\\)`));
});

test('invalid: with a second candidate route the fix names the other gateway; zh text', () => {
  const route = routeLookup(TRACE_TARGET, {
    candidates: [
      { prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: 100, type: 'unicast', text: 'default via 198.51.100.1 dev eth0 metric 100' },
      { prefix: '0.0.0.0/0', table: 'main', dev: 'eth1', gateway: '198.51.100.129', metric: 200, type: 'unicast', text: 'default via 198.51.100.129 dev eth1 metric 200' },
    ],
  });
  const f = assertFinding(rule, run(rule, [route, trace(dead(1))], { lang: 'zh' }));
  assert.deepEqual(commands(f), ['ip route replace default via 198.51.100.129']);
  assert.match(f.title, /第 1 跳/);
});

test('invalid: nothing answers at all: the blackhole starts at the gateway (hop 0)', () => {
  const f = assertFinding(rule, run(rule, [routeLookup(TRACE_TARGET), trace(dead(0, 3))]));
  assert.match(f.title, /beyond hop 0 \(198\.51\.100\.1\)/);
});

test('valid: reached; target answers ping or TCP; a router reports unreachable (NET-010); no trace / unavailable', () => {
  assert.equal(run(rule, [trace()]), null);
  assert.equal(run(rule, [trace(dead(2)), echo({ address: TRACE_TARGET })]), null);
  assert.equal(run(rule, [trace(dead(2)), tcp({ address: TRACE_TARGET, outcome: 'refused' })]), null);
  const unreach = [hop(1), hop(2, { icmp: { type: 3, code: 1, from: routerAddr(2), name: 'host-unreachable' } })];
  assert.equal(run(rule, [trace(unreach)]), null);
  assert.equal(run(rule, [trace([], { method: 'unavailable', reached: false, paths: [] })]), null);
  assert.equal(run(rule, []), null);
  assert.equal(meta.implemented, true);
});
