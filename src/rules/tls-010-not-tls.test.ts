import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, serviceOf } from './tls-010-not-tls.js';
import { assertFinding, run } from './fixtures.js';
import { failedHandshake, fromNode, handshake } from './tls-fixtures.js';
import { OBSERVED_CASES } from './tls-observed.js';

const recorded = (name: string) => fromNode(OBSERVED_CASES.find((x) => x.name === name)!);

test('invalid: an SSH banner (recorded: ERR_SSL_WRONG_VERSION_NUMBER) → TLS-010 printing the banner', () => {
  const f = assertFinding(rule, run(rule, [recorded('ssh banner')]));
  assert.equal(f.title, '127.0.0.1:47100 does not speak TLS');
  assert.match(f.explanation, /^The port answers, but not with TLS: it sent "SSH-2\.0-OpenSSH_9\.2p1 Debian-2\+deb12u3" \(an SSH server\)\./);
  assert.equal(f.evidence[0]!.summary, 'TLS 127.0.0.1:47100: server sent "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" (ERR_SSL_WRONG_VERSION_NUMBER)');
  assert.match(f.fix[0]!.summary, /plain SSH/);
});

test('invalid: plain HTTP → use http://', () => {
  const f = assertFinding(rule, run(rule, [recorded('http 400')]));
  assert.match(f.explanation, /it sent "HTTP\/1\.1 400 Bad Request" \(an HTTP server\)/);
  assert.equal(f.fix[0]!.summary, "127.0.0.1:47100 speaks plain HTTP: use http:// for this port, or the server's HTTPS port");
});

test('invalid: no banner captured, only the record error; control bytes are escaped', () => {
  const f = assertFinding(rule, run(rule, [recorded('huge record 0x7fff')], { lang: 'zh' }));
  assert.match(f.explanation, /返回的数据不是 TLS 记录（ERR_SSL_PACKET_LENGTH_TOO_LONG）/);
  const g = assertFinding(rule, run(rule, [failedHandshake({ outcome: 'not-tls', banner: '\u0000\u0001hi\r\n' })]));
  assert.match(g.evidence[0]!.summary, /"\\x00\\x01hi"/);
  const long = assertFinding(rule, run(rule, [failedHandshake({ outcome: 'not-tls', banner: 'x'.repeat(500) })]));
  assert.ok(long.explanation.length < 400);
});

test('serviceOf names common banners', () => {
  assert.equal(serviceOf('220 mail.lab.test ESMTP Postfix'), 'SMTP');
  assert.equal(serviceOf('220 (vsFTPd 3.0.3)'), 'FTP');
  assert.equal(serviceOf('* OK IMAP4rev1 ready'), 'IMAP');
  assert.equal(serviceOf('-ERR unknown command'), 'Redis');
  assert.equal(serviceOf('N'), null);
  assert.equal(serviceOf(null), null);
});

test('valid: a stall without a banner is TLS-009; healthy; reset; no data → null', () => {
  assert.equal(run(rule, [failedHandshake({ outcome: 'stall' })]), null);
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [recorded('reset after ClientHello')]), null);
  assert.equal(run(rule, []), null);
});
