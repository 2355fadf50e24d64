import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { burstShaped, firstLossyHop, lastResponding, summarize, type ProbeRecord } from './trace-stats.js';

const T = '203.0.113.2';
const hopAddr = (ttl: number): string => `198.51.100.${4 * (ttl - 1) + 2}`;

/** Records of one flow: `answers(ttl, round)` says whether that probe got an answer. */
function run(hops: number, rounds: number, answers: (ttl: number, round: number) => boolean, intervalMs = 100): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let ttl = 1; ttl <= hops; ttl++) {
      const ok = answers(ttl, round);
      const isT = ttl === hops;
      out.push({
        ttl,
        round,
        sentAt: round * intervalMs,
        outcome: ok ? (isT ? 'reply' : 'icmp-error') : 'timeout',
        from: ok ? (isT ? T : hopAddr(ttl)) : null,
        rttMs: ok ? 0.1 * ttl : null,
        icmp: ok && !isT ? { type: 11, code: 0, from: hopAddr(ttl), name: 'time-exceeded' } : null,
      });
    }
  }
  return out;
}

/** A router with a token bucket (burst 6, one more per second), `tokens` at the start. */
const bucket = (tokens: number, intervalMs = 100) => {
  const state = new Map<number, { tokens: number; last: number }>();
  return (ttl: number, round: number): boolean => {
    const now = round * intervalMs;
    const s = state.get(ttl) ?? { tokens, last: 0 };
    s.tokens = Math.min(6, s.tokens + (now - s.last) / 1000);
    s.last = now;
    state.set(ttl, s);
    if (s.tokens >= 1) {
      s.tokens -= 1;
      return true;
    }
    return false;
  };
};

test('clean path with ICMP rate limiting at every router: the target is clean, router loss is marked rate-limited, no lossy hop', () => {
  const limit = bucket(6);
  const s = summarize(
    run(5, 10, (ttl, r) => (ttl === 5 ? true : limit(ttl, r))),
    { target: T, proto: 'icmp', durationMs: 1000 },
  );
  assert.equal(s.reached, true);
  assert.deepEqual(
    s.hops.map((h) => [h.ttl, h.addr, h.recv, h.rateLimited, h.target]),
    [
      [1, hopAddr(1), 6, true, false],
      [2, hopAddr(2), 6, true, false],
      [3, hopAddr(3), 6, true, false],
      [4, hopAddr(4), 6, true, false],
      [5, T, 10, false, true],
    ],
  );
  assert.equal(firstLossyHop(s.hops), null);
});

test('a spent bucket (back-to-back runs) is still rate limiting, also for the target of a UDP trace', () => {
  const limit = bucket(0.3);
  const recs = run(5, 10, (ttl, r) => limit(ttl, r)).map((x) =>
    x.ttl === 5 && x.outcome === 'reply' ? { ...x, outcome: 'icmp-error' as const, icmp: { type: 3, code: 3, from: T, name: 'port-unreachable' } } : x,
  );
  const s = summarize(recs, { target: T, proto: 'udp', durationMs: 1000 });
  assert.equal(s.reached, true);
  assert.ok(
    s.hops.every((h) => h.rateLimited),
    JSON.stringify(s.hops),
  );
  assert.equal(s.hops[4]!.icmp, undefined, 'the target’s port-unreachable is its answer, not an error');
  assert.equal(firstLossyHop(s.hops), null);
});

test('real loss after hop 2: routers before it are rate-limited only, the first lossy hop is 3', () => {
  const limit = bucket(6);
  // Deterministic 'random' loss of 30% for every probe that crosses the link after hop 2.
  const lost = (ttl: number, r: number): boolean => ttl >= 3 && (ttl * 7 + r * 3) % 10 < 3;
  const s = summarize(
    run(5, 20, (ttl, r) => !lost(ttl, r) && (ttl === 5 || limit(ttl, r))),
    { target: T, proto: 'icmp', durationMs: 2000 },
  );
  const h = firstLossyHop(s.hops);
  assert.equal(h?.ttl, 3);
  assert.equal(s.hops[0]!.rateLimited, true);
  assert.equal(s.hops[1]!.rateLimited, true);
  assert.ok(s.hops[4]!.lossPct > 2);
});

test('blackhole beyond hop 2: not reached, one silent row after the last answer, last responding hop 2', () => {
  const s = summarize(
    run(8, 5, (ttl) => ttl <= 2),
    { target: T, proto: 'icmp', durationMs: 500 },
  );
  assert.equal(s.reached, false);
  assert.deepEqual(
    s.hops.map((h) => [h.ttl, h.recv]),
    [
      [1, 5],
      [2, 5],
      [3, 0],
    ],
  );
  assert.equal(lastResponding(s.hops)?.addr, hopAddr(2));
  assert.equal(firstLossyHop(s.hops), null, 'no target answers: a blackhole, not loss');
});

test('a router that reports unreachable ends the path and carries the ICMP error', () => {
  const recs = run(4, 3, (ttl) => ttl <= 2).map((x) => (x.ttl === 2 && x.from ? { ...x, icmp: { type: 3, code: 13, from: hopAddr(2), name: 'admin-prohibited' } } : x));
  const s = summarize(recs, { target: T, proto: 'tcp', durationMs: 300 });
  assert.equal(s.reached, false);
  assert.equal(s.hops.length, 2);
  assert.equal(s.hops[1]!.icmp?.name, 'admin-prohibited');
});

test('rtt statistics and probes beyond the target are left out', () => {
  const recs = run(3, 4, () => true);
  recs.push({ ttl: 4, round: 0, sentAt: 0, outcome: 'reply', from: T, rttMs: 9, icmp: null });
  const s = summarize(recs, { target: T, proto: 'icmp', durationMs: 400 });
  assert.equal(s.hops.length, 3);
  assert.deepEqual(s.hops[2]!.rtt, { min: 0.3, avg: 0.3, max: 0.3, stddev: 0 });
});

test('burstShaped: random loss is not a token bucket', () => {
  const mk = (pattern: string): ProbeRecord[] =>
    [...pattern].map((c, i) => ({ ttl: 1, round: i, sentAt: i * 100, outcome: c === '1' ? 'icmp-error' : 'timeout', from: c === '1' ? hopAddr(1) : null, rttMs: c === '1' ? 1 : null, icmp: null }));
  assert.equal(burstShaped(mk('1111110000'), 1000), true);
  assert.equal(burstShaped(mk('1000000000'), 1000), true);
  assert.equal(burstShaped(mk('1101101101'), 1000), false);
  assert.equal(burstShaped(mk('0110110110'), 1000), false);
  assert.equal(burstShaped(mk('1111111111'), 1000), false, 'no loss at all');
});

test('summarize: any records give hops within bounds, never an exception', () => {
  const rec = fc.record({
    ttl: fc.integer({ min: 1, max: 30 }),
    round: fc.integer({ min: 0, max: 20 }),
    sentAt: fc.integer({ min: 0, max: 5000 }),
    outcome: fc.constantFrom('reply', 'icmp-error', 'timeout', 'error'),
    from: fc.option(fc.constantFrom(T, hopAddr(1), hopAddr(2))),
    rttMs: fc.option(fc.double({ min: 0, max: 1000, noNaN: true })),
    icmp: fc.constant(null),
  }) as fc.Arbitrary<ProbeRecord>;
  fc.assert(
    fc.property(fc.array(rec, { maxLength: 200 }), fc.constantFrom('icmp', 'udp', 'tcp'), (recs, proto) => {
      const s = summarize(recs, { target: T, proto: proto as 'icmp', durationMs: 1000 });
      for (const h of s.hops) {
        assert.ok(h.recv <= h.sent && h.lossPct >= 0 && h.lossPct <= 100);
      }
      firstLossyHop(s.hops);
    }),
  );
});

test('a router whose ICMP budget is spent answers nothing, yet the target answers every probe: not loss (rate-limited), no lossy hop', () => {
  const s = summarize(
    run(3, 20, (ttl) => ttl === 3),
    { target: T, proto: 'icmp', durationMs: 400 },
  );
  assert.equal(s.reached, true);
  assert.deepEqual(
    s.hops.map((h) => [h.ttl, h.recv, h.rateLimited]),
    [
      [1, 0, true],
      [2, 0, true],
      [3, 20, false],
    ],
  );
  assert.equal(firstLossyHop(s.hops), null);
  // Silent routers before a blackhole stay what they are: nothing after them answers.
  const dead = summarize(
    run(4, 5, (ttl) => ttl === 1),
    { target: T, proto: 'icmp', durationMs: 500 },
  );
  assert.ok(
    dead.hops.every((h) => !h.rateLimited || h.recv > 0),
    JSON.stringify(dead.hops),
  );
});
