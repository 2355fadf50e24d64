import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { run, type TlsQuery } from './tls.js';
import { probeContext } from './types.js';
import { certFile, tlsServer } from './test-servers.js';
import { certificateRequest13, decryptServerHandshake, parseCertificateRequest12, parseCertificateRequest13 } from './tls-certreq.js';
import { DerError, nameText, readTlv } from './der.js';
import type { ObservationData } from '../model/observation.js';

type Hs = ObservationData['tls.handshake'];
const base = { key: certFile('leaf.key'), cert: certFile('chain.pem') };
const root = certFile('root.pem');

async function probe(port: number, max: 'TLSv1.2' | 'TLSv1.3'): Promise<Hs> {
  const q: TlsQuery = { address: '127.0.0.1', port, sni: 'app.lab.test', hostname: 'app.lab.test', options: { ca: root, tlsMax: max } };
  return (await run(q, probeContext(3000)))[0]!.data as Hs;
}

for (const max of ['TLSv1.2', 'TLSv1.3'] as const) {
  test(`${max}: a server that asks for a client certificate is seen asking, with the CA names it sends (TLS 1.3: decrypted with the connection's own handshake secret)`, async () => {
    // requestCert without rejectUnauthorized: the handshake completes, as with nginx ssl_verify_client on
    const srv = await tlsServer({ ...base, requestCert: true, rejectUnauthorized: false, ca: [root] });
    try {
      const h = await probe(srv.port, max);
      assert.equal(h.protocol, max);
      assert.equal(h.outcome, 'ok');
      assert.equal(h.clientCertRequested, true);
      assert.deepEqual(h.clientCertCAs?.length, 1);
      assert.match(h.clientCertCAs![0]!, /CN=NDX Probe Test Root/);
    } finally {
      await srv.close();
    }
  });

  test(`${max}: a server that does not ask is seen not asking`, async () => {
    const srv = await tlsServer(base);
    try {
      const h = await probe(srv.port, max);
      assert.equal(h.clientCertRequested, false);
      assert.equal(h.clientCertCAs, undefined);
    } finally {
      await srv.close();
    }
  });
}

test('CertificateRequest parsers: TLS 1.2 fields and the TLS 1.3 certificate_authorities extension', () => {
  // Name: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "CA" } } }
  const dn = Buffer.from([0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 0x43, 0x41]);
  assert.equal(nameText(dn), 'CN=CA');
  const dnList = Buffer.concat([Buffer.from([0, dn.length]), dn]);
  const v12 = Buffer.concat([Buffer.from([1, 1, 0, 2, 4, 1, 0, dnList.length]), dnList]);
  assert.deepEqual(parseCertificateRequest12(v12).caNames, ['CN=CA']);
  const ext = Buffer.concat([Buffer.from([0, 47, 0, dnList.length + 2, 0, dnList.length]), dnList]);
  const v13 = Buffer.concat([Buffer.from([0, 0, ext.length]), ext]);
  assert.deepEqual(parseCertificateRequest13(v13).caNames, ['CN=CA']);
  assert.deepEqual(parseCertificateRequest13(Buffer.from([0, 0, 0])).caNames, []);
  assert.throws(() => parseCertificateRequest12(Buffer.from([5, 1])), /truncated/);
});

test('property: the DER reader and CertificateRequest parsers never crash or hang on arbitrary bytes (only their own errors)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes);
      for (const f of [() => nameText(b), () => readTlv(b), () => parseCertificateRequest12(b), () => parseCertificateRequest13(b)]) {
        try {
          f();
        } catch (err) {
          assert.ok(err instanceof DerError || (err instanceof Error && /truncated|expected/.test(err.message)), String(err));
        }
      }
      assert.equal(decryptServerHandshake([Buffer.concat([Buffer.from([23, 3, 3, 0, b.length]), b])], 'TLS_AES_128_GCM_SHA256', Buffer.alloc(32, 1)) === null || true, true);
      assert.equal(certificateRequest13([b], 'TLS_AES_256_GCM_SHA384', Buffer.alloc(48, 2)), null);
    }),
    { numRuns: 300 },
  );
});
