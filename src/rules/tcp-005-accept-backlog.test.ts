import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tcp-005-accept-backlog.js';
import { assertFinding, commands, echo, run, tcp } from './fixtures.js';
import { observation, type ObservationData } from '../model/observation.js';
import { clusters } from '../probes/backlog.js';

const backlog = (ms: number[], failed = 0) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const c = clusters(sorted);
  return observation('tcp.backlog', {
    address: '203.0.113.10',
    port: 8080,
    parallel: ms.length + failed,
    connected: ms.length,
    failed,
    connectMs: sorted,
    retried: c.at1s + c.at3s + c.later,
    clusters: c,
  } as ObservationData['tcp.backlog']);
};
const fast = (n: number) => Array.from({ length: n }, (_, i) => 0.4 + i * 0.01);

test('invalid: 8 of 32 connects wait for the SYN retransmission at 1 s and 3 s → TCP-005 with the sysctl fix', () => {
  const f = assertFinding(rule, run(rule, [backlog([...fast(24), 1003, 1004, 1005, 1010, 1011, 3008, 3010, 3012])]));
  assert.equal(f.title, "203.0.113.10:8080 drops SYNs: the server's listen queue overflows");
  assert.match(f.explanation, /Under 32 parallel connects, 8 of the SYNs/);
  assert.match(f.evidence[0]!.summary, /24 within 1 ms, 5 at ~1 s, 3 at ~3 s, 0 failed; slow ones \(ms\): 1003, 1004/);
  assert.deepEqual(commands(f), ['sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=8192']);
});

test('invalid: zh', () => {
  const f = assertFinding(rule, run(rule, [backlog([...fast(10), 1001, 1002])], { lang: 'zh' }));
  assert.match(f.title, /连接队列溢出/);
});

test('valid: all fast; a single retransmission (one lost SYN is loss, not a queue); nothing connected fast; no data', () => {
  assert.equal(run(rule, [backlog(fast(32))]), null);
  assert.equal(run(rule, [backlog([...fast(31), 1002])]), null);
  assert.equal(run(rule, [backlog([1001, 1002, 1003], 29)]), null, 'nothing fast: a filter or a dead server, not a full queue');
  assert.equal(run(rule, []), null);
});

test('clusters: the SYN retransmission buckets', () => {
  assert.deepEqual(clusters([1, 700, 900, 1200, 2900, 3100, 7000]), { first: 2, at1s: 2, at3s: 2, later: 1 });
});

// ── a server that stopped calling accept() ──
const spreadObs = (answered: number, lost: number) =>
  observation('tcp.spread', {
    address: '203.0.113.10',
    port: 8080,
    method: 'raw',
    answered,
    lost,
    flows: [
      ...Array.from({ length: answered }, (_, i) => ({ sport: 40000 + i, outcome: 'answered' as const, ms: 0.3 })),
      ...Array.from({ length: lost }, (_, i) => ({ sport: 50000 + i, outcome: 'lost' as const, ms: null })),
    ],
  });

test('invalid: --backlog 50 against a server that no longer accepts: how many completed and after how long', () => {
  const b = backlog([0.5, 0.7], 48);
  const f = assertFinding(rule, run(rule, [{ ...b, ms: 8012 }, tcp({ port: 8080 })]));
  assert.equal(f.title, "203.0.113.10:8080 completed 2 of 50 parallel connects; 48 got no answer: the server's listen queue is full");
  assert.match(f.explanation, /2 completed \(the last after 1 ms\) and 48 got no SYN-ACK at all within 8 s/);
  assert.deepEqual(commands(f), ["ss -ltn 'sport = :8080'", 'sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=8192']);
  // None completed, but the connect before the test did: still the queue.
  const none = assertFinding(rule, run(rule, [{ ...backlog([], 50), ms: 8000 }, tcp({ port: 8080 })], { lang: 'zh' }));
  assert.match(none.title, /50 个并发连接只建立了 0 个/);
});

test('invalid: without --backlog, a connect that completed and then every SYN of the spread lost while ping answers → TCP-005 suspected, never TCP-002', () => {
  const f = assertFinding(rule, run(rule, [tcp({ port: 8080 }), spreadObs(0, 12), echo()]));
  assert.match(f.title, /accepted a connection, then dropped every further SYN: its listen queue looks full \(suspected\)/);
  assert.deepEqual(commands(f), ['netdx diagnose 203.0.113.10:8080 --protocol tcp --backlog 50', "ss -ltn 'sport = :8080'"]);
});

test('valid: the spread answered (or partly: a balanced path, NET-003), the host does not answer ping, the connect failed, or a backlog test ran clean', () => {
  assert.equal(run(rule, [tcp({ port: 8080 }), spreadObs(12, 0), echo()]), null);
  assert.equal(run(rule, [tcp({ port: 8080 }), spreadObs(6, 6), echo()]), null);
  assert.equal(run(rule, [tcp({ port: 8080 }), spreadObs(0, 12), echo({ received: 0 })]), null);
  assert.equal(run(rule, [tcp({ port: 8080, outcome: 'filtered' }), spreadObs(0, 12), echo()]), null);
  assert.equal(run(rule, [tcp({ port: 8080 }), spreadObs(0, 12), echo(), backlog(fast(32))]), null);
  assert.equal(run(rule, [backlog([], 50)]), null, 'no connect ever completed: a filter or a dead server');
});
