import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-007-packet-loss.js';
import { assertFinding, commands, echo, run } from './fixtures.js';
import { path, routerAddr, trace, TRACE_TARGET } from './trace-fixtures.js';

test('invalid: loss appears at hop 3 and carries to the target → NET-007 names hop 3, not the rate-limiting hops before it', () => {
  const hops = path(5, {
    1: { recv: 7, rateLimited: true },
    2: { recv: 7, rateLimited: true },
    3: { recv: 5 },
    4: { recv: 4 },
    5: { recv: 8 },
  });
  const f = assertFinding(rule, run(rule, [trace(hops)]));
  assert.equal(f.title, `20% packet loss to ${TRACE_TARGET}, starting at hop 3 (${routerAddr(3)})`);
  assert.match(f.fix[0]!.summary, /between hop 2 and hop 3/);
  assert.match(f.evidence[0]!.summary, /1 198\.51\.100\.2 7\/10 \(30%, ICMP rate-limited\)/);
});

test('invalid: loss from the first hop on: the fix names the local link; zh', () => {
  const hops = path(3, { 1: { recv: 6 }, 2: { recv: 6 }, 3: { recv: 6 } });
  const f = assertFinding(rule, run(rule, [trace(hops)], { lang: 'zh' }));
  assert.match(f.fix[0]!.summary, /本机与第 1 跳/);
  assert.match(f.title, /40%/);
});

test('invalid: only at the target (the last link): the target hop is named', () => {
  const f = assertFinding(rule, run(rule, [trace(path(4, { 4: { recv: 9 } }))]));
  assert.match(f.title, /starting at hop 4 \(203\.0\.113\.10\)/);
});

test('invalid: without a trace, 10+ echoes with loss; the fix is the trace command', () => {
  const f = assertFinding(rule, run(rule, [echo({ sent: 20, received: 15, lossPct: 25 })], { target: TRACE_TARGET }));
  assert.equal(f.title, `25% packet loss to ${TRACE_TARGET}`);
  assert.deepEqual(commands(f), [`netdx trace ${TRACE_TARGET}`]);
});

test('valid: routers that only rate-limit (target clean), loss of the trace UDP target that is rate limiting, few echoes, nothing answered', () => {
  assert.equal(run(rule, [trace(path(5, { 1: { recv: 6, rateLimited: true }, 2: { recv: 6, rateLimited: true } }))]), null);
  assert.equal(run(rule, [trace(path(5, { 1: { recv: 6 }, 2: { recv: 6 } }))]), null, 'target clean: router loss is not path loss');
  assert.equal(run(rule, [trace(path(3, { 3: { recv: 2, rateLimited: true } }), { proto: 'udp' })]), null);
  assert.equal(run(rule, [echo({ sent: 4, received: 3, lossPct: 25 })]), null);
  assert.equal(run(rule, [echo({ sent: 10, received: 0, lossPct: 100 })]), null, 'total loss is a blackhole/filter, not packet loss');
  assert.equal(run(rule, [trace(path(3, { 3: { recv: 0 } }))]), null);
  assert.equal(run(rule, [echo({ sent: 10, received: 8, lossPct: 20 }), trace(path(3))]), null, 'a clean trace to the target outweighs a few lost echoes');
  assert.equal(run(rule, []), null);
});
