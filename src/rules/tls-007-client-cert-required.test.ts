import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-007-client-cert-required.js';
import { assertFinding, run } from './fixtures.js';
import { failedHandshake, fromNode, handshake } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';
import { observation } from '../model/observation.js';

const recorded = (name: string) => fromNode(OBSERVED_CASES.find((x) => x.name === name)!);

test('invalid: TLS 1.3 certificate_required after secureConnect, nothing offered', () => {
  const f = assertFinding(rule, run(rule, [recorded('mtls 1.3 none')], { now: RECORDED_AT }));
  assert.equal(f.title, 'localhost (127.0.0.1:47100) requires a client certificate');
  assert.equal(f.explanation, 'localhost (127.0.0.1:47100) asks for a client certificate (mutual TLS) and ended the handshake with certificate_required: no client certificate was offered.');
  assert.match(f.evidence[0]!.summary, /alert certificate_required \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\); client certificate offered: no; certificate requested: unknown/);
  assert.match(f.fix[0]!.summary, /--cert CLIENT\.pem --key CLIENT\.key/);
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

test('invalid: nginx ssl_verify_client on — the handshake completes, then HTTP 400 "No required SSL certificate was sent" → TLS-007 with the CertificateRequest CA names and the page words', () => {
  const hs = handshake({ protocol: 'TLSv1.3', clientCertRequested: true, clientCertCAs: ['O=netdx lab, CN=Lab Client CA'] });
  const page = '<html> <head><title>400 No required SSL certificate was sent</title></head> <body> <center><h1>400 Bad Request</h1></center>';
  const http = observation('http.response', {
    url: 'https://app.lab.test/',
    outcome: 'response',
    status: 400,
    location: null,
    date: null,
    server: 'nginx',
    ms: 3,
    body: { bytes: 230, complete: true, text: page },
  });
  const f = assertFinding(rule, run(rule, [hs, http], { target: 'https://app.lab.test/' }));
  assert.match(f.explanation, /HTTP 400 "No required SSL certificate was sent": no client certificate was offered/);
  assert.ok(f.evidence.some((e) => /CertificateRequest .*acceptable CAs: O=netdx lab, CN=Lab Client CA/.test(e.summary)));
  assert.ok(f.evidence.some((e) => e.observation === 'http.response' && /HTTP 400/.test(e.summary)));
  assert.match(f.fix[0]!.summary, /issued by the CA the server names: O=netdx lab, CN=Lab Client CA/);
  const zh = assertFinding(rule, run(rule, [hs, http], { target: 'https://app.lab.test/', lang: 'zh' }));
  assert.match(zh.explanation, /客户端没有提供证书/);
  // an offered certificate the server refused: "The SSL certificate error"
  const bad = observation('http.response', {
    url: 'https://app.lab.test/',
    outcome: 'response',
    status: 400,
    location: null,
    date: null,
    server: 'nginx',
    ms: 3,
    body: { bytes: 200, complete: true, text: '400 The SSL certificate error' },
  });
  const f2 = assertFinding(rule, run(rule, [handshake({ clientCertOffered: true, clientCertRequested: true }), bad], { target: 'https://app.lab.test/' }));
  assert.match(f2.explanation, /refused the client certificate offered/);
});

test('valid: an ordinary HTTP 400, or a 400 page without those words, is not TLS-007', () => {
  const http = observation('http.response', {
    url: 'https://app.lab.test/',
    outcome: 'response',
    status: 400,
    location: null,
    date: null,
    server: 'nginx',
    ms: 3,
    body: { bytes: 20, complete: true, text: 'Bad Request: missing field' },
  });
  assert.equal(run(rule, [handshake(), http], { target: 'https://app.lab.test/' }), null);
});
