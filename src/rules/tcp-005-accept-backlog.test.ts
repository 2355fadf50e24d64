import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './tcp-005-accept-backlog.js';
import { assertFinding, commands, run } from './fixtures.js';
import { observation, type ObservationData } from '../model/observation.js';
import { clusters } from '../probes/backlog.js';

const backlog = (ms: number[], failed = 0) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const c = clusters(sorted);
  return observation('tcp.backlog', { address: '203.0.113.10', port: 8080, parallel: ms.length + failed, connected: ms.length, failed, connectMs: sorted, retried: c.at1s + c.at3s + c.later, clusters: c } as ObservationData['tcp.backlog']);
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
  assert.equal(meta.implemented, true);
});

test('clusters: the SYN retransmission buckets', () => {
  assert.deepEqual(clusters([1, 700, 900, 1200, 2900, 3100, 7000]), { first: 2, at1s: 2, at3s: 2, later: 1 });
});
