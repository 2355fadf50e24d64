import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-003-hostname-mismatch.js';
import { assertFinding, run } from './fixtures.js';
import { cert, failedHandshake, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

const other = cert({ subject: 'CN=www.other.test', commonName: 'www.other.test', sans: ['DNS:www.other.test', 'DNS:other.test'] });

test('invalid: ERR_TLS_CERT_ALTNAME_INVALID → TLS-003 with SNI vs SANs', () => {
  const f = assertFinding(
    rule,
    run(rule, [verifyFailed('ERR_TLS_CERT_ALTNAME_INVALID', { chain: [other, intermediate()], verify: { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID', hostnameOk: false, trustedBy: 'system' } })]),
  );
  assert.equal(f.title, 'The certificate of app.lab.test (203.0.113.10:443) does not cover the name app.lab.test');
  assert.match(f.explanation, /valid only for: DNS:www\.other\.test, DNS:other\.test/);
  assert.equal(f.evidence[0]!.summary, 'SNI app.lab.test vs certificate CN=www.other.test: DNS:www.other.test, DNS:other.test');
  assert.deepEqual(f.evidence[0]!.data!['sans'], ['DNS:www.other.test', 'DNS:other.test']);
});

test('invalid: wrong name AND expired (node says CERT_HAS_EXPIRED) → TLS-003, expiry noted', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'wrong-name+expired')!;
  const f = assertFinding(rule, run(rule, [fromNode(c)], { now: RECORDED_AT }));
  assert.match(f.evidence[0]!.summary, /SNI localhost vs certificate CN=www\.other\.test: DNS:www\.other\.test; the certificate also expired 2025-01-01/);
});

test('invalid: no SNI (IP target), certificate without SAN → CN shown', () => {
  const noSan = cert({ subject: 'CN=legacy', commonName: 'legacy', sans: [] });
  const f = assertFinding(rule, run(rule, [verifyFailed(null, { sni: null, chain: [noSan], verify: { ok: false, code: null, hostnameOk: false, trustedBy: 'system' } })], { lang: 'zh' }));
  assert.equal(f.title, '203.0.113.10:443 的证书域名不匹配（不包含 203.0.113.10）');
  assert.equal(f.evidence[0]!.summary, '地址 203.0.113.10（未发送 SNI） 与证书 CN=legacy 不符：CN=legacy（无 subjectAltName）');
});

test('invalid: alert unrecognized_name (the server refuses the name) → TLS-003 without a certificate', () => {
  const f = assertFinding(rule, run(rule, [failedHandshake({ outcome: 'alert', alert: 'unrecognized_name' })]));
  assert.match(f.explanation, /answered the name app\.lab\.test \(SNI\) with the alert unrecognized_name/);
});

test('valid: healthy, untrusted (TLS-004 first), or no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(
    run(rule, [
      verifyFailed('DEPTH_ZERO_SELF_SIGNED_CERT', { chain: [cert({ selfSigned: true })], verify: { ok: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameOk: false, trustedBy: 'system' } }),
    ]),
    null,
  );
  assert.equal(run(rule, []), null);
});
