import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-006-protocol-mismatch.js';
import { assertFinding, commands, run } from './fixtures.js';
import { failedHandshake, fromNode, handshake, versions } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';
import { weakKex } from './tls-classify.js';

const recorded = (name: string) => fromNode(OBSERVED_CASES.find((x) => x.name === name)!);

test('invalid: alert protocol_version + versions scan → what the server accepts vs the client range, upgrade + --tls-min', () => {
  const f = assertFinding(rule, run(rule, [failedHandshake({ outcome: 'alert', errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }), versions()], { target: 'app.lab.test:443' }));
  assert.equal(f.title, 'No common TLS version or cipher with app.lab.test (203.0.113.10:443)');
  assert.match(f.explanation, /\(alert protocol_version\)\. The client offered TLSv1\.2–TLSv1\.3; the server accepts only TLSv1\.$/);
  assert.equal(f.evidence[1]!.summary, 'server accepts: TLSv1; rejects: TLSv1.2, TLSv1.3; client range TLSv1.2–TLSv1.3');
  assert.match(f.fix[0]!.summary, /Upgrade the server to TLS 1\.2 or 1\.3: it accepts only TLSv1$/);
  assert.match(f.fix[1]!.summary, /DEFAULT@SECLEVEL=0/);
  assert.deepEqual(commands(f), ['netdx diagnose app.lab.test:443 --tls-min 1.0']);
});

test('invalid: the server is newer than the client maximum → --tls-max', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [recorded('server TLSv1.3 only, client max 1.2'), versions({ address: '127.0.0.1', port: 47100, accepted: ['TLSv1.3'], rejected: ['TLSv1.2'], clientRange: { min: 'TLSv1.2', max: 'TLSv1.2' } })],
      { target: '127.0.0.1:47100' },
    ),
  );
  assert.deepEqual(commands(f), ['netdx diagnose 127.0.0.1:47100 --tls-max 1.3']);
});

test('invalid: no shared cipher (handshake_failure before the certificate) without a versions scan', () => {
  const f = assertFinding(rule, run(rule, [recorded('no shared cipher (1.2)')], { now: RECORDED_AT, lang: 'zh' }));
  assert.match(f.explanation, /（收到 handshake_failure 告警）。客户端提供的版本范围是 TLSv1\.2–TLSv1\.2；服务器在发送证书之前就拒绝了客户端提供的加密套件。/);
  assert.equal(commands(f).length, 0);
});

test('invalid: client-side refusals recorded from node', () => {
  for (const [name, needle] of [
    ['ServerHello SSLv3', /ERR_SSL_UNSUPPORTED_PROTOCOL/],
    ['client min > max', /leave no version to offer/],
    ['server tls1.0 only, client min TLSv1', /OpenSSL 3 refuses at its default security level/],
  ] as const) {
    const f = assertFinding(rule, run(rule, [recorded(name)], { now: RECORDED_AT }));
    assert.match(f.explanation, needle, name);
  }
});

test('invalid: a reset after the ClientHello that the versions scan explains', () => {
  const f = assertFinding(rule, run(rule, [failedHandshake({ outcome: 'reset', errorCode: 'ECONNRESET' }), versions()]));
  assert.match(f.explanation, /\(ECONNRESET\)/);
});

test('valid: healthy, client certificate missing (TLS 1.2 handshake_failure after the certificate), plain reset, no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [recorded('mtls 1.2 none')], { now: RECORDED_AT }), null);
  assert.equal(run(rule, [failedHandshake({ outcome: 'reset', errorCode: 'ECONNRESET' })]), null);
  assert.equal(run(rule, [versions()]), null);
  assert.equal(run(rule, []), null);
});

test('invalid: a DH group too small (480-bit prime: ERR_SSL_MODULUS_TOO_SMALL, recorded from node 20) → TLS-006, not a certificate code, raw error in the evidence', () => {
  const error = '80AC61E9537F0000:error:0280007E:Diffie-Hellman routines:DH_check_params_ex:modulus too small:../deps/openssl/openssl/crypto/dh/dh_check.c:40:';
  // The certificate was presented (and is self-signed): the handshake stopped at the key exchange, before it was judged.
  const hs = failedHandshake({ errorCode: 'ERR_SSL_MODULUS_TOO_SMALL', error, maxVersion: 'TLSv1.2', chain: [handshake().data.chain[0]!] });
  const f = assertFinding(rule, run(rule, [hs], { target: 'app.lab.test:1010' }));
  assert.match(f.explanation, /ERR_SSL_MODULUS_TOO_SMALL/);
  assert.match(f.explanation, /key exchange parameters are too weak/);
  assert.ok(f.evidence.some((e) => e.summary.includes('modulus too small')));
  assert.deepEqual(commands(f), ['openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out dhparam.pem']);
  const zh = assertFinding(rule, run(rule, [hs], { target: 'app.lab.test:1010', lang: 'zh' }));
  assert.match(zh.explanation, /密钥交换参数强度不足/);
});

test('the "too small" family is a key-exchange refusal; certificate-key codes are not', () => {
  for (const c of ['ERR_SSL_DH_KEY_TOO_SMALL', 'ERR_SSL_MODULUS_TOO_SMALL', 'ERR_SSL_BAD_DH_VALUE']) assert.ok(weakKex(c), c);
  for (const c of ['EE_KEY_TOO_SMALL', 'CA_KEY_TOO_SMALL', 'ERR_SSL_UNEXPECTED_MESSAGE', null]) assert.ok(!weakKex(c), String(c));
});
