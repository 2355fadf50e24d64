import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type net from 'node:net';
import { once } from 'node:events';
import fc from 'fast-check';
import { normSerial, parseOcspResponse } from './ocsp.js';
import { DerError } from './der.js';
import { run, type TlsQuery } from './tls.js';
import { probeContext } from './types.js';
import { certFile, tlsServer } from './test-servers.js';
import type { ObservationData } from '../model/observation.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../test/fixtures/ocsp/${name}`, import.meta.url));
const SERIAL = fixture('serial.txt').toString('utf8').trim();

test('a revoked response (openssl ocsp): status, time, reason, window; found by the leaf serial', () => {
  const r = parseOcspResponse(fixture('revoked.der'), SERIAL);
  assert.equal(r.responseStatus, 'successful');
  assert.equal(r.certStatus, 'revoked');
  assert.equal(r.reason, 'keyCompromise');
  assert.match(r.revokedAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  assert.ok(r.thisUpdate && r.nextUpdate && Date.parse(r.nextUpdate) > Date.parse(r.thisUpdate));
  assert.deepEqual(r.serials.map(normSerial), [normSerial(SERIAL)]);
  // node prints serials with colons or leading zeros: the same serial
  assert.equal(parseOcspResponse(fixture('revoked.der'), `00${SERIAL.match(/../g)!.join(':')}`).certStatus, 'revoked');
});

test('a good response; a response about another certificate says nothing of the leaf', () => {
  assert.equal(parseOcspResponse(fixture('good.der'), SERIAL).certStatus, 'good');
  assert.equal(parseOcspResponse(fixture('revoked.der'), 'ABCDEF').certStatus, null);
});

test('a non-successful response status (tryLater) has no certificate status', () => {
  assert.deepEqual(parseOcspResponse(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03])), { responseStatus: 'tryLater', certStatus: null, serials: [] });
});

test('property: arbitrary bytes and every truncation or bit flip of a real response never crash the parser (only DerError)', () => {
  const real = fixture('revoked.der');
  const only = (f: () => unknown): void => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof DerError, String(err));
    }
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (b) => only(() => parseOcspResponse(Buffer.from(b), SERIAL))),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.nat(real.length - 1), fc.nat(255), (i, v) => {
      const flipped = Buffer.from(real);
      flipped[i] = v;
      only(() => parseOcspResponse(flipped, SERIAL));
      only(() => parseOcspResponse(real.subarray(0, i), SERIAL));
    }),
    { numRuns: 500 },
  );
});

test('the probe asks for a stapled response: a stapled revoked status is recorded, no staple says stapled: false', async () => {
  const opts = { key: certFile('leaf.key'), cert: certFile('chain.pem') };
  const plain = await tlsServer(opts);
  // a node server staples through the OCSPRequest event
  const stapling = tls.createServer(opts, (s) => s.on('error', () => {}));
  stapling.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, cb: (err: Error | null, resp: Buffer) => void) => cb(null, fixture('revoked.der')));
  stapling.on('tlsClientError', () => {});
  stapling.listen(0, '127.0.0.1');
  await once(stapling, 'listening');
  try {
    const q = (port: number): TlsQuery => ({ address: '127.0.0.1', port, sni: 'app.lab.test', hostname: 'app.lab.test', options: { ca: certFile('root.pem') } });
    const none = (await run(q(plain.port), probeContext(3000)))[0]!.data as ObservationData['tls.handshake'];
    assert.equal(none.outcome, 'ok');
    assert.deepEqual(none.ocsp, { stapled: false });
    const port = (stapling.address() as net.AddressInfo).port;
    const got = (await run(q(port), probeContext(3000)))[0]!.data as ObservationData['tls.handshake'];
    assert.equal(got.ocsp?.stapled, true);
    assert.equal(got.ocsp?.responseStatus, 'successful');
    // the fixture speaks of another certificate's serial: nothing about this leaf
    assert.equal(got.ocsp?.certStatus, null);
  } finally {
    await plain.close();
    stapling.close();
  }
});
