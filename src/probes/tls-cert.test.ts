import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DetailedPeerCertificate } from 'node:tls';
import { certInfo, chainOf, parsePin, parseSans, pinMatches, MAX_CHAIN } from './tls-cert.js';
import type { CertInfo } from '../model/observation.js';

test('SANs in node’s spelling, quoted values with commas kept whole', () => {
  assert.deepEqual(parseSans('DNS:app.lab.test, DNS:*.lab.test, IP Address:127.0.0.1, IP Address:2001:DB8:0:0:0:0:0:1'), [
    'DNS:app.lab.test',
    'DNS:*.lab.test',
    'IP Address:127.0.0.1',
    'IP Address:2001:DB8:0:0:0:0:0:1',
  ]);
  assert.deepEqual(parseSans('DNS:"a,b.lab.test", URI:spiffe://lab/x'), ['DNS:a,b.lab.test', 'URI:spiffe://lab/x']);
  assert.deepEqual(parseSans(undefined), []);
});

test('pins: the two forms, anything else is no pin', () => {
  assert.deepEqual(parsePin('sha256/AAAA+/=='), { kind: 'spki', value: 'AAAA+/' });
  assert.deepEqual(parsePin(`SHA256:${'ab:'.repeat(31)}ab`), { kind: 'cert', value: 'AB'.repeat(32) });
  assert.equal(parsePin('sha256:abc'), null);
  assert.equal(parsePin('md5:00'), null);
  const c = { spki256: 'q83vEjRWeJq8=', fingerprint256: 'AA:BB' + ':CC'.repeat(30) } as CertInfo;
  assert.equal(pinMatches('sha256/q83vEjRWeJq8', [c]), true);
  assert.equal(pinMatches('sha256/Q83VEJRWEJQ8=', [c]), false, 'base64 is case-sensitive');
  assert.equal(pinMatches(`sha256:aabb${'cc'.repeat(30)}`, [c]), true);
});

test('a certificate node could not give raw bytes for still converts, without throwing', () => {
  const c = { subject: { CN: 'x' }, issuer: { CN: 'y' }, valid_from: 'garbage', valid_to: 'Jan  1 00:00:00 2030 GMT', raw: Buffer.from([1, 2, 3]) } as unknown as DetailedPeerCertificate;
  const i = certInfo(c);
  assert.equal(i.commonName, 'x');
  assert.equal(i.notBefore, '');
  assert.equal(i.notAfter, '2030-01-01T00:00:00.000Z');
  assert.equal(i.spki256, null);
});

test('the chain walk stops at a self-loop, a repeat, and the length cap', () => {
  const mk = (n: number): DetailedPeerCertificate =>
    ({ subject: { CN: `c${n}` }, issuer: { CN: `c${n + 1}` }, raw: Buffer.from([n]), fingerprint256: `F${n}`, valid_from: '', valid_to: '' }) as unknown as DetailedPeerCertificate;
  const certs = Array.from({ length: 30 }, (_, i) => mk(i));
  certs.forEach((c, i) => (c.issuerCertificate = certs[i + 1] ?? c));
  assert.equal(chainOf({ getPeerCertificate: () => certs[0]! } as never).chain.length, MAX_CHAIN);
  const loop = [mk(0), mk(1)];
  loop[0]!.issuerCertificate = loop[1]!;
  loop[1]!.issuerCertificate = loop[0]!;
  assert.deepEqual(
    chainOf({ getPeerCertificate: () => loop[0]! } as never).chain.map((c) => c.commonName),
    ['c0', 'c1'],
  );
  assert.deepEqual(chainOf({ getPeerCertificate: () => ({}) as DetailedPeerCertificate } as never).chain, []);
  assert.deepEqual(
    chainOf({
      getPeerCertificate: () => {
        throw new Error('gone');
      },
    } as never).chain,
    [],
  );
});

test('property: arbitrary SAN text never throws and stays bounded', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => {
      const r = parseSans(s);
      assert.ok(r.length <= 100 && r.every((x) => x.length <= 300));
    }),
  );
});
