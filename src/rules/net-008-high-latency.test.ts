import { test } from 'node:test';
import assert from 'node:assert/strict';
import { risingHop, rule } from './net-008-high-latency.js';
import { assertFinding, commands, echo, run } from './fixtures.js';
import { hop, path, routerAddr, trace, TRACE_TARGET } from './trace-fixtures.js';

const rtt = (avg: number, stddev = 1) => ({ min: avg * 0.9, avg, max: avg * 1.2, stddev });

test('invalid: RTT rises at hop 3 and stays → NET-008 names hop 3 with the target’s RTT', () => {
  const hops = path(5, { 3: { rtt: rtt(180) }, 4: { rtt: rtt(181) }, 5: { rtt: rtt(182, 4) } });
  const f = assertFinding(rule, run(rule, [trace(hops)]));
  assert.equal(f.title, `High latency to ${TRACE_TARGET}: RTT 182 ms (jitter 4 ms), rising at hop 3`);
  assert.match(f.explanation, new RegExp(`hop 3 \\(${routerAddr(3).replace(/\./g, '\\.')}\\)`));
  assert.match(f.evidence[0]!.summary, /3 198\.51\.100\.10 avg 180 ms/);
});

test('invalid: a router slow to answer its own ICMP before the real rise is not blamed; jitter alone counts', () => {
  const hops = path(4, { 1: { rtt: rtt(400) }, 2: { rtt: rtt(2) }, 3: { rtt: rtt(90) }, 4: { rtt: rtt(95, 80) } });
  assert.equal(risingHop(hops)?.ttl, 3);
  const f = assertFinding(rule, run(rule, [trace(hops)], { lang: 'zh' }));
  assert.match(f.title, /抖动 80 毫秒/);
});

test('invalid: without a trace, the echo RTT of the target; the fix runs a trace', () => {
  const f = assertFinding(rule, run(rule, [echo({ rtt: rtt(300) })]));
  assert.match(f.title, /RTT 300 ms/);
  assert.deepEqual(commands(f), ['netdx trace 203.0.113.10']);
});

test('valid: fast path, a slow router only, unreached target, an echo to another address', () => {
  assert.equal(run(rule, [trace()]), null);
  assert.equal(run(rule, [trace(path(3, { 2: { rtt: rtt(500) } }))]), null);
  assert.equal(run(rule, [trace([hop(1), hop(2, { recv: 0 })])]), null);
  assert.equal(run(rule, [echo({ address: '198.51.100.53', rtt: rtt(300) })]), null);
  assert.equal(run(rule, []), null);
});
