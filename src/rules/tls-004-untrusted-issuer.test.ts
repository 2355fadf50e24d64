import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-004-untrusted-issuer.js';
import { assertFinding, run } from './fixtures.js';
import { cert, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, OBSERVED_PEMS, RECORDED_AT } from './tls-observed.js';

const recorded = (name: string) => fromNode(OBSERVED_CASES.find((x) => x.name === name)!);

test('invalid: self-signed (DEPTH_ZERO_SELF_SIGNED_CERT) → TLS-004, self-signed said', () => {
  const f = assertFinding(rule, run(rule, [recorded('self-signed')], { now: RECORDED_AT }));
  assert.equal(f.title, 'The certificate of localhost (127.0.0.1:47100) is issued by an untrusted CA (CN=localhost)');
  assert.match(f.explanation, /ends in CN=localhost, which is not in the trust store the client uses \(--ca\); the certificate is self-signed/);
  assert.match(f.evidence[0]!.summary, /^chain as presented: #0 CN=localhost \(issuer: CN=localhost, self-signed, CA\); verify: DEPTH_ZERO_SELF_SIGNED_CERT$/);
});

test('invalid: expired self-signed (node says only CERT_HAS_EXPIRED) → TLS-004 with the expiry as extra evidence', () => {
  const f = assertFinding(rule, run(rule, [recorded('self-signed+expired')], { now: RECORDED_AT }));
  assert.equal(f.evidence[1]!.summary, 'the certificate CN=localhost also expired 2025-01-01T00:00:00.000Z (node reports CERT_HAS_EXPIRED first; the trust problem remains after renewal)');
});

test('invalid: complete chain to an unknown root (UNABLE_TO_GET_ISSUER_CERT_LOCALLY, SELF_SIGNED_CERT_IN_CHAIN)', () => {
  const f = assertFinding(rule, run(rule, [recorded('leaf+inter, root unknown')], { now: RECORDED_AT, options: { caFile: '/etc/netdx/ca.pem' } }));
  assert.equal(f.evidence[0]!.data!['untrustedIssuer'], 'O=NDX Lab, CN=NDX Lab Root CA');
  assert.match(f.explanation, /\(--ca \/etc\/netdx\/ca\.pem\)/);
  assert.match(f.fix[0]!.summary, /install O=NDX Lab, CN=NDX Lab Root CA in the clients' trust store/);
  const g = assertFinding(rule, run(rule, [recorded('leaf+inter+root, root unknown')], { now: RECORDED_AT, lang: 'zh' }));
  assert.match(g.title, /证书颁发者不受信任（O=NDX Lab, CN=NDX Lab Root CA）/);
  assert.equal((g.evidence[0]!.data!['chain'] as unknown[]).length, 3);
});

test('invalid: system store and other verification codes', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_SIGNATURE_FAILURE')]));
  assert.match(f.explanation, /\(the system store\)/);
  assert.match(f.evidence[0]!.summary, /verify: CERT_SIGNATURE_FAILURE$/);
});

test('valid: the same expired self-signed certificate trusted via --ca is TLS-001, not TLS-004', () => {
  assert.equal(run(rule, [recorded('self-signed+expired (trusted via ca)')], { now: RECORDED_AT, options: { ca: OBSERVED_PEMS['selfexp'] } }), null);
});

test('valid: healthy, missing intermediate (TLS-005), or no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert()] })]), null);
  assert.equal(run(rule, [handshake({ chain: [cert(), intermediate()] })]), null);
  assert.equal(run(rule, []), null);
});

test('a leaf issued directly by a private root, no --ca: TLS-004 (not a missing intermediate), ambiguous, both fixes; zh', () => {
  const h = verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert({ issuer: 'O=Acme, CN=Acme Private Root CA' })] });
  const f = assertFinding(rule, run(rule, [h]));
  assert.match(f.title, /untrusted CA \(O=Acme, CN=Acme Private Root CA\)/);
  assert.ok(f.evidence.some((e) => /^ambiguous: the server sent the certificate alone/.test(e.summary)));
  assert.deepEqual(
    f.fix.map((x) => /trust store/.test(x.summary) || /full chain/.test(x.summary)),
    [true, true],
  );
  const zh = assertFinding(rule, run(rule, [h], { lang: 'zh' }));
  assert.ok(zh.evidence.some((e) => /无法确定/.test(e.summary)));
});

test('a leaf issued by a known interception root (Superfish): TLS-004 naming the product, and how to remove it', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert({ issuer: 'O=Superfish, Inc., CN=Superfish, Inc.' })] })]));
  assert.ok(f.evidence.some((e) => /known TLS interception product \(Superfish\)/.test(e.summary)));
  assert.match(f.fix[0]!.summary, /remove the interception \(Superfish\)/);
});

test('an issuer that only says it inspects TLS (no vendor): named as an inspection proxy, in Chinese too', () => {
  const obs = [verifyFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { chain: [cert({ issuer: 'O=Example Corp, CN=Example Corp TLS Inspection CA' })] })];
  const f = assertFinding(rule, run(rule, obs));
  assert.ok(f.evidence.some((e) => /known TLS interception product \(a TLS inspection proxy\)/.test(e.summary)));
  const zh = assertFinding(rule, run(rule, obs, { lang: 'zh' }));
  assert.ok(zh.evidence.some((e) => /已知 TLS 拦截产品（TLS 检查代理）/.test(e.summary)));
  assert.match(zh.fix[0]!.summary, /^找到并移除拦截者（TLS 检查代理）/);
});
