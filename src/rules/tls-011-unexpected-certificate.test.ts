import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pinOf, rule } from './tls-011-unexpected-certificate.js';
import { assertFinding, run } from './fixtures.js';
import { cert, handshake, intermediate, verifyFailed } from './tls-fixtures.js';

const proxyLeaf = cert({
  issuer: 'CN=Corp TLS Inspection CA',
  fingerprint256: '0F:0E:0D:0C:0B:0A:09:08:07:06:05:04:03:02:01:00:0F:0E:0D:0C:0B:0A:09:08:07:06:05:04:03:02:01:00',
  spki256: 'PROXYPROXYPROXYPROXYPROXYPROXYPROXYPROXYPRO=',
});
const proxyCa = intermediate({ subject: 'CN=Corp TLS Inspection CA', issuer: 'CN=Corp TLS Inspection CA', selfSigned: true, spki256: 'CORPCORPCORPCORPCORPCORPCORPCORPCORPCORPCOR=' });

test('invalid: SPKI pin not matched (interception) → TLS-011 with expected vs presented pins', () => {
  const expected = 'sha256/q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
  const f = assertFinding(rule, run(rule, [handshake({ chain: [proxyLeaf, proxyCa], pin: { expected, matched: false } })]));
  assert.equal(f.title, 'app.lab.test (203.0.113.10:443) presents a certificate that does not match the pin');
  assert.match(f.explanation, /leaf: CN=app\.lab\.test, issued by CN=Corp TLS Inspection CA/);
  assert.equal(
    f.evidence[0]!.summary,
    `expected ${expected}; presented: #0 CN=app.lab.test sha256/PROXYPROXYPROXYPROXYPROXYPROXYPROXYPROXYPRO=; #1 CN=Corp TLS Inspection CA sha256/CORPCORPCORPCORPCORPCORPCORPCORPCORPCORPCOR=`,
  );
});

test('invalid: certificate-fingerprint pin, and it outranks an untrusted issuer; zh', () => {
  const expected = 'sha256:aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899';
  const f = assertFinding(rule, run(rule, [verifyFailed('SELF_SIGNED_CERT_IN_CHAIN', { chain: [proxyLeaf, proxyCa], pin: { expected, matched: false } })], { lang: 'zh' }));
  assert.equal(f.title, 'app.lab.test (203.0.113.10:443) 的证书与预期不符/疑似中间人');
  assert.match(f.evidence[0]!.summary, /#0 CN=app\.lab\.test sha256:0f0e0d0c0b0a09080706050403020100/);
});

test('pinOf writes a certificate in the form of the expected pin', () => {
  assert.equal(pinOf(cert(), 'sha256:00'), 'sha256:aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899');
  assert.equal(pinOf(cert({ spki256: null }), 'sha256/x'), 'sha256/?');
});

test('valid: pin matched, no pin, no data → null', () => {
  assert.equal(run(rule, [handshake({ pin: { expected: 'sha256/x', matched: true } })]), null);
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, []), null);
});
