import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepaliveBelow, rule } from './tcp-006-idle-timeout.js';
import { assertFinding, commands, run } from './fixtures.js';
import { observation, type ObservationData } from '../model/observation.js';

type I = ObservationData['tcp.idle'];
const idle = (holds: I['holds'], aliveSec: number | null, deadSec: number | null) =>
  observation('tcp.idle', { address: '203.0.113.10', port: 5222, maxSec: 10, holds, aliveSec, deadSec, keepalive: { timeSec: 7200, intvlSec: 75, probes: 9 }, ms: 3500 } as I);

test('invalid: alive after 2.7 s, dead after 3 s → TCP-006 with sysctl and socket-option values below the timeout', () => {
  const holds: I['holds'] = [
    { idleSec: 1, outcome: 'alive' },
    { idleSec: 2.3, outcome: 'alive' },
    { idleSec: 2.7, outcome: 'alive' },
    { idleSec: 3.1, outcome: 'silent' },
    { idleSec: 3.5, outcome: 'not-tested' },
  ];
  const f = assertFinding(rule, run(rule, [idle(holds, 2.7, 3.1)]));
  assert.equal(f.title, 'Idle connections to 203.0.113.10:5222 are dropped after about 2.9 s');
  assert.match(f.explanation, /alive after 2\.7 s but dead after 3\.1 s.*keepalive interval \(7200 s\)/);
  assert.deepEqual(commands(f), ['sysctl -w net.ipv4.tcp_keepalive_time=2 net.ipv4.tcp_keepalive_intvl=1']);
  assert.match(f.fix[1]!.summary, /SO_KEEPALIVE=1, TCP_KEEPIDLE=2, TCP_KEEPINTVL=1, TCP_KEEPCNT=9/);
  assert.match(f.evidence[0]!.summary, /4 connections .*3\.1 s no acknowledgement/);
});

test('invalid: even the shortest hold dies (reset) → timeout below 1 s; zh', () => {
  const f = assertFinding(rule, run(rule, [idle([{ idleSec: 1, outcome: 'reset' }], null, 1)], { lang: 'zh' }));
  assert.match(f.title, /约 0\.5 秒/);
  assert.match(f.fix[1]!.summary, /TCP_KEEPIDLE=1/);
});

test('valid: every hold alive up to MAX; no test run', () => {
  assert.equal(run(rule, [idle([{ idleSec: 10, outcome: 'alive' }], 10, null)]), null);
  assert.equal(run(rule, []), null);
});

test('keepaliveBelow stays under the observed timeout, at least 1 s', () => {
  assert.equal(keepaliveBelow(300), 240);
  assert.equal(keepaliveBelow(1), 1);
});
