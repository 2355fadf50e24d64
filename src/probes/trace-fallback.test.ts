import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTraceroute, parseTracepath } from './trace-fallback.js';
import { summarize } from '../analyze/trace-stats.js';

// Captured in a lab chain a – r1 – r2 – r3 – b (traceroute 2.1.2, iputils tracepath).
const CLEAN = `traceroute to 203.0.113.2 (203.0.113.2), 8 hops max, 60 byte packets
 1  198.51.100.2  0.189 ms  0.008 ms  0.005 ms
 2  198.51.100.6  0.081 ms  0.009 ms  0.007 ms
 3  198.51.100.10  0.076 ms  0.009 ms  0.009 ms
 4  203.0.113.2  0.074 ms  0.011 ms  0.010 ms
`;
const UNREACH = `traceroute to 203.0.113.2 (203.0.113.2), 8 hops max, 60 byte packets
 1  198.51.100.2  0.036 ms  0.007 ms  0.006 ms
 2  198.51.100.6  0.017 ms !H  0.009 ms !H *
`;
const TRACEPATH = ` 1?: [LOCALHOST]                      pmtu 1500
 1:  198.51.100.2                                          0.053ms 
 1:  198.51.100.2                                          0.015ms 
 2:  no reply
 3:  no reply
 4:  no reply
     Too many hops: pmtu 1500
     Resume: pmtu 1500 
`;
const MIXED = ` 1  198.51.100.2  0.2 ms  198.51.100.3  0.3 ms *
 2  * * *
 3  203.0.113.2  1.1 ms !X  1.0 ms !F-1400  0.9 ms
`;

test('traceroute: a clean path, hop by hop, the target as reply', () => {
  const recs = parseTraceroute(CLEAN, '203.0.113.2');
  assert.equal(recs.length, 12);
  const s = summarize(recs, { target: '203.0.113.2', proto: 'udp', durationMs: 0 });
  assert.equal(s.reached, true);
  assert.deepEqual(
    s.hops.map((h) => [h.ttl, h.addr, h.recv, h.sent]),
    [
      [1, '198.51.100.2', 3, 3],
      [2, '198.51.100.6', 3, 3],
      [3, '198.51.100.10', 3, 3],
      [4, '203.0.113.2', 3, 3],
    ],
  );
});

test('traceroute: !H from a router ends the path with host-unreachable', () => {
  const s = summarize(parseTraceroute(UNREACH, '203.0.113.2'), { target: '203.0.113.2', proto: 'udp', durationMs: 0 });
  assert.equal(s.reached, false);
  assert.equal(s.hops.length, 2);
  assert.deepEqual(s.hops[1]!.icmp, { type: 3, code: 1, from: '198.51.100.6', name: 'host-unreachable' });
  assert.equal(s.hops[1]!.recv, 2);
});

test('traceroute: several addresses on one line, silent hops, !X and !F-MTU annotations', () => {
  const recs = parseTraceroute(MIXED, '203.0.113.2');
  assert.deepEqual(
    recs.filter((r) => r.ttl === 1).map((r) => r.from),
    ['198.51.100.2', '198.51.100.3', null],
  );
  assert.equal(recs.filter((r) => r.ttl === 2 && r.outcome === 'timeout').length, 3);
  const t3 = recs.filter((r) => r.ttl === 3);
  assert.deepEqual(
    t3.map((r) => r.icmp?.name ?? null),
    ['admin-prohibited', 'frag-needed', null],
  );
  assert.equal(t3[1]!.icmp?.mtu, 1400);
});

test('tracepath: answers, no reply, the path MTU', () => {
  const { records, pmtu } = parseTracepath(TRACEPATH, '203.0.113.2');
  assert.equal(pmtu, 1500);
  const s = summarize(records, { target: '203.0.113.2', proto: 'udp', durationMs: 0 });
  assert.equal(s.reached, false);
  assert.deepEqual(
    s.hops.map((h) => [h.ttl, h.addr, h.recv, h.sent]),
    [
      [1, '198.51.100.2', 2, 2],
      [2, null, 0, 1],
    ],
  );
});

test('parsers: any text gives records, never an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      parseTraceroute(s, '203.0.113.2');
      parseTracepath(s, '203.0.113.2');
      parseTraceroute(` 1  ${s}`, '203.0.113.2');
    }),
  );
});
