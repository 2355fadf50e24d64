import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-007-client-cert-required.js';
import { assertFinding, run } from './fixtures.js';
import { failedHandshake, fromNode, handshake } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

const recorded = (name: string) => fromNode(OBSERVED_CASES.find((x) => x.name === name)!);

test('invalid: TLS 1.3 certificate_required after secureConnect, nothing offered', () => {
  const f = assertFinding(rule, run(rule, [recorded('mtls 1.3 none')], { now: RECORDED_AT }));
  assert.equal(f.title, 'localhost (127.0.0.1:47100) requires a client certificate');
  assert.equal(f.explanation, 'localhost (127.0.0.1:47100) asks for a client certificate (mutual TLS) and ended the handshake with certificate_required: no client certificate was offered.');
  assert.match(f.evidence[0]!.summary, /alert certificate_required \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\); client certificate offered: no; certificate requested: unknown/);
  assert.match(f.fix[0]!.summary, /--cert FILE --key FILE/);
});

test('invalid: TLS 1.2 handshake_failure after the server certificate', () => {
  const f = assertFinding(rule, run(rule, [recorded('mtls 1.2 none')], { now: RECORDED_AT }));
  assert.match(f.explanation, /ended the handshake with handshake_failure: no client certificate was offered/);
});

test('invalid: the offered certificate is rejected (unknown_ca, certificate_expired) — about the client certificate', () => {
  const a = assertFinding(rule, run(rule, [recorded('mtls 1.3 rogue')], { now: RECORDED_AT, options: { certFile: '/home/ops/client.pem' } }));
  assert.match(a.explanation, /unknown_ca: the client certificate offered is not issued by a CA the server trusts/);
  assert.match(a.fix[0]!.summary, /\(offered: \/home\/ops\/client\.pem\)/);
  const b = assertFinding(rule, run(rule, [recorded('mtls 1.3 expired client cert (from right CA)')], { now: RECORDED_AT, lang: 'zh' }));
  assert.match(b.explanation, /服务器认为客户端提供的证书已过期（该告警针对客户端证书，而非服务器证书）/);
});

test('invalid: handshake_failure with clientCertRequested true even without a chain', () => {
  assertFinding(rule, run(rule, [failedHandshake({ outcome: 'alert', alert: 'handshake_failure', clientCertRequested: true })]));
});

test('valid: mutual TLS that works, no shared cipher (TLS-006), no data → null', () => {
  assert.equal(run(rule, [recorded('mtls 1.3 good')], { now: RECORDED_AT }), null);
  assert.equal(run(rule, [recorded('no shared cipher (1.2)')], { now: RECORDED_AT }), null);
  assert.equal(run(rule, [handshake({ clientCertOffered: true, clientCertRequested: true })]), null);
  assert.equal(run(rule, []), null);
});
