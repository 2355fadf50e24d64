import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-005-incomplete-chain.js';
import { assertFinding, run } from './fixtures.js';
import { cert, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

test('invalid: the server sends only the leaf (UNABLE_TO_VERIFY_LEAF_SIGNATURE) → TLS-005 naming the missing intermediate', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'leaf-only (missing intermediate)')!;
  const f = assertFinding(rule, run(rule, [fromNode(c)], { now: RECORDED_AT }));
  assert.equal(f.title, 'localhost (127.0.0.1:47100) does not send the intermediate certificate (CN=NDX Lab Issuing CA 1, O=NDX Lab)');
  assert.match(f.explanation, /presents 1 certificate\(s\) ending in CN=localhost, whose issuer CN=NDX Lab Issuing CA 1, O=NDX Lab is not sent/);
  assert.equal(f.evidence[0]!.data!['missingIssuer'], 'CN=NDX Lab Issuing CA 1, O=NDX Lab');
  assert.match(f.evidence[0]!.summary, /^chain as presented \(1\): #0 CN=localhost \(issuer: CN=NDX Lab Issuing CA 1, O=NDX Lab\); missing issuer: /);
  assert.match(f.fix[0]!.summary, /leaf followed by the intermediate CN=NDX Lab Issuing CA 1, O=NDX Lab \(nginx: ssl_certificate/);
});

test('invalid: leaf followed by an unrelated certificate; zh', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', { chain: [cert(), intermediate({ subject: 'CN=Old CA' })] })], { lang: 'zh' }));
  assert.equal(f.title, 'app.lab.test (203.0.113.10:443) 证书链不完整（缺少 O=NDX Lab, CN=NDX Lab Issuing CA 1）');
  assert.match(f.explanation, /只提供了 2 张证书，最后一张是 CN=app\.lab\.test/);
});

test('valid: complete chain to an unknown root is TLS-004; healthy; no data → null', () => {
  assert.equal(run(rule, [verifyFailed('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', { chain: [cert(), intermediate()] })]), null);
  assert.equal(run(rule, [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert({ selfSigned: true, issuer: 'CN=app.lab.test' })] })]), null);
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, []), null);
});

test('ambiguous (no AIA, intermediate-looking issuer): says so and gives both fixes; with AIA caIssuers it is certain', () => {
  const amb = assertFinding(rule, run(rule, [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert()] })]));
  assert.ok(amb.evidence.some((e) => /^ambiguous: /.test(e.summary)));
  assert.equal(amb.fix.length, 2);
  assert.match(amb.fix[1]!.summary, /private root instead, install it/);
  const sure = assertFinding(rule, run(rule, [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert({ caIssuers: ['http://ca.lab.test/int.crt'] })] })]));
  assert.ok(!sure.evidence.some((e) => /^ambiguous: /.test(e.summary)));
  assert.match(sure.evidence[0]!.summary, /AIA caIssuers http:\/\/ca\.lab\.test\/int\.crt/);
});
