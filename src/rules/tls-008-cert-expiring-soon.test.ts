import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-008-cert-expiring-soon.js';
import { assertFinding, NOW, run } from './fixtures.js';
import { cert, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

const DAY = 86_400_000;
const soon = (days: number) => cert({ notAfter: new Date(NOW.getTime() + days * DAY + 3600_000).toISOString() });

test('invalid: valid leaf with 9 days left (window 30) → TLS-008 warning', () => {
  const f = assertFinding(rule, run(rule, [handshake({ chain: [soon(9), intermediate()] })]), 'warning');
  assert.equal(f.title, 'The certificate of app.lab.test (203.0.113.10:443) expires in 9 days');
  assert.match(f.explanation, /expires on 2026-12-05, in 9 days \(warning window: 30 days\)/);
  assert.equal(f.evidence[0]!.data!['daysLeft'], 9);
});

test('invalid: the recorded server whose certificate expires in about 10 days', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'expiring soon')!;
  const f = assertFinding(rule, run(rule, [fromNode(c)], { now: RECORDED_AT, lang: 'zh' }), 'warning');
  assert.match(f.title, /证书即将过期（剩余 (9|10) 天）/);
});

test('invalid: the window comes from options; also beside a TLS-007 failure', () => {
  assertFinding(rule, run(rule, [handshake({ chain: [soon(50)] })], { options: { certWarnDays: 60 } }), 'warning');
  assertFinding(rule, run(rule, [handshake({ chain: [soon(5)], outcome: 'alert', errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })]), 'warning');
});

test('valid: far from expiry, already expired, a certificate under another finding (wrong name), no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [handshake({ chain: [soon(31)] })]), null);
  assert.equal(run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [soon(-2)] })]), null);
  assert.equal(
    run(rule, [verifyFailed('ERR_TLS_CERT_ALTNAME_INVALID', { chain: [soon(5)], verify: { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID', hostnameOk: false, trustedBy: 'system' } })]),
    null,
  );
  assert.equal(run(rule, []), null);
});
