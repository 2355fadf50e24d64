import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDiagnoseOptions, parseDuration, parsePin, type RawDiagnoseOptions } from './diagnose-options.js';
import { NetdxError } from '../model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'netdx-opt-'));
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello\n');

// Each bad input paired with its exact one-line message and exit code (blackbox_exporter style).
const bad: Array<[RawDiagnoseOptions, number, string]> = [
  [{ port: '0' }, 64, "--port '0': expected a number from 1 to 65535"],
  [{ protocol: 'udp' }, 64, "--protocol 'udp': expected one of icmp, tcp, tls, http, https"],
  [{ timeout: 'soon' }, 64, "--timeout 'soon': expected a duration like 5s, 800ms or 2m"],
  [{ timeout: '1ms' }, 64, "--timeout '1ms': expected between 100ms and 10m"],
  [{ lang: 'fr' }, 64, "--lang 'fr': expected en or zh"],
  [{ expectIp: ['198.51.100.1,nope'] }, 64, "--expect-ip 'nope': expected an IPv4 or IPv6 address"],
  [{ expectGateway: 'gw' }, 64, "--expect-gateway 'gw': expected an IPv4 or IPv6 address"],
  [{ pin: 'md5:abcd' }, 64, "--pin 'md5:abcd': expected sha256:<64 hex digits> (certificate fingerprint) or sha256/<base64> (SPKI pin)"],
  [{ ca: notPem }, 64, `--ca '${notPem}': not a PEM certificate file (expected -----BEGIN CERTIFICATE-----)`],
  [{ ca: join(dir, 'missing.pem') }, 3, `--ca '${join(dir, 'missing.pem')}': cannot read (ENOENT)`],
  [{ cert: notPem }, 64, '--cert and --key: give both (client certificate and its private key) or neither'],
  [{ tlsMin: '1.4' }, 64, "--tls-min '1.4': expected one of 1.0, 1.1, 1.2, 1.3 (or TLSv1.2 …)"],
  [{ tlsMin: '1.3', tlsMax: '1.2' }, 64, '--tls-min TLSv1.3 is above --tls-max TLSv1.2'],
  [{ format: 'yaml' }, 64, "--format 'yaml': expected text, json or markdown"],
  [{ count: '0' }, 64, "--count '0': expected a number from 1 to 100"],
];
for (const [raw, exit, message] of bad) {
  test(`bad option ${JSON.stringify(raw)} → exit ${exit}`, () => {
    assert.throws(
      () => parseDiagnoseOptions(raw, 'en'),
      (e: unknown) => e instanceof NetdxError && e.exitCode === exit && e.message === message,
    );
  });
}

test('TLS-only options are passed on as tlsOption (they make HOST:PORT a TLS target)', () => {
  assert.equal(parseDiagnoseOptions({ tlsMin: '1.2' }, 'en').target.tlsOption, '--tls-min');
  assert.equal(parseDiagnoseOptions({ sni: 'a.lab.test' }, 'en').target.tlsOption, '--sni');
  assert.equal(parseDiagnoseOptions({ count: '3' }, 'en').target.tlsOption, undefined);
});

test('defaults and conversions', () => {
  const { options, target, format } = parseDiagnoseOptions({ port: '443', timeout: '2.5s', json: true, tlsMin: '1.2', pin: 'sha256:' + 'ab:'.repeat(31) + 'ab' }, 'zh');
  assert.equal(target.port, 443);
  assert.equal(options.timeoutMs, 2500);
  assert.equal(options.lang, 'zh');
  assert.equal(format, 'json');
  assert.equal(options.tlsMin, 'TLSv1.2');
  assert.equal(options.pin, 'sha256:' + 'AB'.repeat(32));
  assert.equal(options.certWarnDays, 30);
});

test('durations', () => {
  assert.equal(parseDuration('800ms', 't'), 800);
  assert.equal(parseDuration('2m', 't'), 120000);
  assert.equal(parseDuration('3', 't'), 3000);
});

test('SPKI pins keep their base64', () => {
  const pin = 'sha256/' + 'A'.repeat(43) + '=';
  assert.equal(parsePin(pin), pin);
});
