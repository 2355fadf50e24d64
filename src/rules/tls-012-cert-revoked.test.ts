import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-012-cert-revoked.js';
import { rule as tls003 } from './tls-003-hostname-mismatch.js';
import { assertFinding, run } from './fixtures.js';
import { handshake } from './tls-fixtures.js';
import { classifyHandshake } from './tls-classify.js';
import { NOW } from './fixtures.js';

const revoked = {
  stapled: true,
  responseStatus: 'successful',
  certStatus: 'revoked' as const,
  revokedAt: '2026-11-20T10:00:00.000Z',
  reason: 'keyCompromise',
  thisUpdate: '2026-11-25T00:00:00.000Z',
  nextUpdate: '2026-11-26T00:00:00.000Z',
};

test('invalid: the stapled OCSP response says revoked → TLS-012 with the serial, time, reason; the handshake itself "worked"', () => {
  const f = assertFinding(rule, run(rule, [handshake({ ocsp: revoked })]));
  assert.equal(f.title, 'The certificate of app.lab.test (203.0.113.10:443) is revoked');
  assert.match(f.explanation, /revoked on 2026-11-20 \(keyCompromise\)/);
  assert.match(f.evidence[0]!.summary, /^stapled OCSP response \(successful\): certificate serial .* revoked at 2026-11-20T10:00:00\.000Z \(keyCompromise\)/);
  assert.match(f.fix[0]!.summary, /Issue a new certificate/);
  const zh = assertFinding(rule, run(rule, [handshake({ ocsp: revoked })], { lang: 'zh' }));
  assert.match(zh.title, /已被吊销/);
});

test('revoked and for another name: both are findings (TLS-012 first)', () => {
  const h = handshake({ ocsp: revoked, outcome: 'verify-failed', verify: { ok: true, code: null, hostnameOk: false, trustedBy: 'system' } });
  assert.equal(classifyHandshake(h.data, { now: NOW })?.code, 'TLS-012');
  assertFinding(rule, run(rule, [h]));
  assertFinding(tls003, run(tls003, [h]));
});

test('valid: good, unknown, not stapled, no data → null', () => {
  assert.equal(run(rule, [handshake({ ocsp: { ...revoked, certStatus: 'good' } })]), null);
  assert.equal(run(rule, [handshake({ ocsp: { ...revoked, certStatus: 'unknown' } })]), null);
  assert.equal(run(rule, [handshake({ ocsp: { stapled: false } })]), null);
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, []), null);
});
