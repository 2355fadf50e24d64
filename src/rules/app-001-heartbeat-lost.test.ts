import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './app-001-heartbeat-lost.js';
import { assertFinding, run, tcp } from './fixtures.js';
import { observation, type ObservationData } from '../model/observation.js';

type H = ObservationData['app.heartbeat'];
const hb = (over: Partial<H> = {}) =>
  observation('app.heartbeat', {
    address: '203.0.113.10',
    port: 7000,
    tls: false,
    send: 'PING',
    expect: 'PONG',
    everySec: 3,
    beats: [
      { atMs: 0, replyMs: 1.2 },
      { atMs: 3000, replyMs: 1.1 },
      { atMs: 6000, replyMs: 1.3 },
    ],
    answered: 3,
    sent: 3,
    intervalSec: 3,
    peerClosed: null,
    error: null,
    ms: 9000,
    ...over,
  });

test('invalid: the peer closes 2 s after a beat while beats come every 3 s → APP-001 with the peer timeout', () => {
  const f = assertFinding(rule, run(rule, [tcp(), hb({ beats: [{ atMs: 0, replyMs: 1 }], answered: 1, sent: 1, intervalSec: null, peerClosed: { event: 'fin', afterIdleSec: 2, atMs: 2000 } })]));
  assert.match(f.title, /every 3 s exceed the peer's idle timeout \(about 2 s\)/);
  assert.match(f.fix[0]!.summary, /every 1 s instead of 3 s/);
  assert.ok(f.evidence.some((e) => /closed the session 2 s after the last heartbeat/.test(e.summary)));
});

test('invalid: beats unanswered → APP-001 counts them', () => {
  const f = assertFinding(
    rule,
    run(rule, [
      hb({
        beats: [
          { atMs: 0, replyMs: 1 },
          { atMs: 3000, replyMs: null },
          { atMs: 6000, replyMs: null },
        ],
        answered: 1,
      }),
    ]),
  );
  assert.equal(f.title, '2 of 3 heartbeats to 203.0.113.10:7000 went unanswered');
  assert.match(f.evidence[0]!.summary, /lost, lost/);
});

test('valid: every beat answered and the session stays up; or no heartbeat test → null', () => {
  assert.equal(run(rule, [hb()]), null);
  assert.equal(run(rule, [tcp()]), null);
});

test('zh: the title is Chinese', () => {
  const f = assertFinding(rule, run(rule, [hb({ answered: 2 })], { lang: 'zh' }));
  assert.match(f.title, /^心跳异常/);
});
