import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-001-cert-expired.js';
import { assertFinding, clock, NOW, run } from './fixtures.js';
import { cert, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

const DAY = 86_400_000;
const expiredLeaf = cert({ notAfter: new Date(NOW.getTime() - 12 * DAY - 3600_000).toISOString() });

test('invalid: CERT_HAS_EXPIRED → TLS-001 with subject, notAfter and days ago', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredLeaf, intermediate()] })]));
  assert.equal(f.title, 'The certificate of app.lab.test (203.0.113.10:443) expired 12 days ago');
  assert.match(f.explanation, /CN=app\.lab\.test presented by app\.lab\.test \(203\.0\.113\.10:443\) was valid until 2026-11-14, 12 days ago/);
  assert.match(f.evidence[0]!.summary, /^certificate #0 CN=app\.lab\.test: notAfter 2026-11-14T07:00:00\.000Z \(12 days ago\); verify: CERT_HAS_EXPIRED$/);
  assert.equal(f.evidence[0]!.data!['daysAgo'], 12);
  assert.equal(f.fix[0]!.summary, 'Renew the certificate for CN=app.lab.test (expired 2026-11-14) and reload the server');
});

test('invalid: an expired intermediate is named as such', () => {
  const inter = intermediate({ notAfter: new Date(NOW.getTime() - 3 * DAY).toISOString() });
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [cert(), inter] })], { lang: 'zh' }));
  assert.match(f.explanation, /CN=NDX Lab Issuing CA 1（中间证书 #1）/);
  assert.match(f.evidence[0]!.summary, /^证书 #1 /);
});

test('invalid: clock evidence joins when the diagnosis compared clocks', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredLeaf] }), clock([400 * DAY])]));
  assert.match(f.evidence[1]!.summary, /local clock is 34560000 s ahead of https:\/\/203\.0\.113\.10\/ \(http-date\): beyond the 60 s tolerance/);
});

test('invalid: the recorded expired server (node reported CERT_HAS_EXPIRED)', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'expired')!;
  const f = assertFinding(rule, run(rule, [fromNode(c)], { now: RECORDED_AT }));
  assert.match(f.evidence[0]!.summary, /CN=localhost: notAfter 2025-01-01T00:00:00\.000Z/);
});

test('valid: a self-signed expired certificate is TLS-004 alone → null here', () => {
  const selfExp = cert({ selfSigned: true, issuer: 'CN=app.lab.test', notAfter: expiredLeaf.notAfter });
  assert.equal(run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [selfExp] })]), null);
});

test('invalid: a wrong-name certificate that is also expired: TLS-003 is the primary, the expiry is its own finding too', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [expiredLeaf], verify: { ok: false, code: 'CERT_HAS_EXPIRED', hostnameOk: false, trustedBy: 'system' } })]));
  assert.equal(f.code, 'TLS-001');
});

test('valid: healthy handshake, failed TCP, no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [handshake({ outcome: 'tcp-failed', chain: [] })]), null);
  assert.equal(run(rule, []), null);
});
