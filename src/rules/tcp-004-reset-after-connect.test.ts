import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, SHORT_MS } from './tcp-004-reset-after-connect.js';
import { assertFinding, run, tcp } from './fixtures.js';
import { failedHandshake, versions } from './tls-fixtures.js';

test('invalid: handshake done, RST 2 ms later with no data → TCP-004 with the timing', () => {
  const f = assertFinding(rule, run(rule, [tcp({ ms: 0.9, after: { event: 'rst', ms: 2, bytes: 0 } })]));
  assert.equal(f.title, '203.0.113.10:443 closes the connection right after the handshake');
  assert.match(f.explanation, /reset the connection 2 ms later/);
  assert.equal(f.evidence[0]!.summary, 'TCP 203.0.113.10:443: handshake done in 1 ms, then RST 2 ms later with 0 bytes received');
  assert.deepEqual(f.evidence[0]!.data!['after'], { event: 'rst', ms: 2, bytes: 0 });
});

test('invalid: FIN without data; zh says 关闭', () => {
  const f = assertFinding(rule, run(rule, [tcp({ after: { event: 'fin', ms: 15 } })], { lang: 'zh' }));
  assert.match(f.explanation, /15 毫秒后关闭了连接/);
});

test('invalid: connect outcome reset/closed', () => {
  const f = assertFinding(rule, run(rule, [tcp({ outcome: 'reset', ms: 1.2, errno: 'ECONNRESET' })]));
  assert.match(f.evidence[0]!.summary, /reset right after the handshake \(1 ms\), ECONNRESET/);
  assertFinding(rule, run(rule, [tcp({ outcome: 'closed' })]));
});

test('invalid: the peer resets right after the TLS ClientHello (recorded as ECONNRESET by node)', () => {
  const f = assertFinding(rule, run(rule, [tcp(), failedHandshake({ outcome: 'reset', errorCode: 'ECONNRESET' })]));
  assert.match(f.evidence[0]!.summary, /SNI app\.lab\.test\): connection reset by the peer \(RST\) right after the ClientHello, no TLS answer \(ECONNRESET\)/);
});

test('invalid: a FIN right after the ClientHello is named a close, not a reset (node says ECONNRESET for it)', () => {
  const f = assertFinding(
    rule,
    run(rule, [tcp(), failedHandshake({ outcome: 'closed', errorCode: 'ECONNRESET', error: 'Client network socket disconnected before secure TLS connection was established' })]),
  );
  assert.match(f.evidence[0]!.summary, /connection closed by the peer \(FIN\) right after the ClientHello/);
  assert.doesNotMatch(f.evidence[0]!.summary, /reset|ECONNRESET/i);
  assert.match(f.explanation, /closed the connection/);
});

test('valid: a reset that tls.versions shows to be a version refusal is TLS-006, not TCP-004', () => {
  assert.equal(run(rule, [tcp(), failedHandshake({ outcome: 'reset', errorCode: 'ECONNRESET' }), versions()]), null);
});

test('valid: data first, a late close (idle timeout), quiet, or no data → null', () => {
  assert.equal(run(rule, [tcp({ after: { event: 'data', ms: 3, bytes: 40 } })]), null);
  assert.equal(run(rule, [tcp({ after: { event: 'rst', ms: 5, bytes: 12 } })]), null);
  assert.equal(run(rule, [tcp({ after: { event: 'fin', ms: SHORT_MS + 1 } })]), null);
  assert.equal(run(rule, [tcp({ after: { event: 'quiet', ms: 500 } })]), null);
  assert.equal(run(rule, [tcp()]), null);
  assert.equal(run(rule, []), null);
});
