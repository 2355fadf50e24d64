import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { createHash, X509Certificate } from 'node:crypto';
import { run, alertFromCode, type TlsQuery } from './tls.js';
import { probeContext } from './types.js';
import { certFile, closedPort, tcpServer, tlsServer } from './test-servers.js';
import type { ObservationData } from '../model/observation.js';

type Hs = ObservationData['tls.handshake'];
const leafKey = certFile('leaf.key');
const chainPem = certFile('chain.pem');
const root = certFile('root.pem');
const base = { key: leafKey, cert: chainPem };

async function probe(port: number, over: Partial<TlsQuery> = {}, budget = 3000, opts: TlsQuery['options'] = {}): Promise<Hs> {
  const q: TlsQuery = { address: '127.0.0.1', port, sni: 'app.lab.test', hostname: 'app.lab.test', options: { ca: root, ...opts }, ...over };
  const obs = await run(q, probeContext(budget));
  assert.equal(obs.length, 1);
  assert.equal(obs[0]!.kind, 'tls.handshake');
  return obs[0]!.data as Hs;
}

test('a good server: ok, the chain (completed by node from the trust store), verification and hostname both good, SNI sent', async () => {
  const srv = await tlsServer(base);
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'ok');
    assert.equal(h.protocol, 'TLSv1.3');
    assert.ok(h.cipher);
    assert.deepEqual(h.verify, { ok: true, code: null, hostnameOk: true, trustedBy: 'ca-file' });
    assert.deepEqual(srv.servernames, ['app.lab.test']);
    // The server sends leaf + intermediate; node completes the chain with the root from the --ca store.
    assert.deepEqual(
      h.chain.map((c) => c.commonName),
      ['app.lab.test', 'NDX Probe Test Intermediate', 'NDX Probe Test Root'],
    );
    const [leaf, inter, top] = h.chain as [Hs['chain'][0], Hs['chain'][0], Hs['chain'][0]];
    assert.deepEqual([top.selfSigned, top.isCA], [true, true]);
    const x = new X509Certificate(certFile('leaf.pem'));
    assert.equal(leaf.fingerprint256, x.fingerprint256);
    assert.equal(
      leaf.spki256,
      createHash('sha256')
        .update(x.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64'),
    );
    assert.deepEqual(leaf.sans, ['DNS:app.lab.test', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
    assert.equal(leaf.subject, 'CN=app.lab.test');
    assert.equal(leaf.issuer, 'O=NDX Lab, CN=NDX Probe Test Intermediate');
    assert.equal(leaf.serial, '2001');
    assert.equal(leaf.notAfter, new Date(x.validTo).toISOString());
    assert.deepEqual([leaf.isCA, leaf.selfSigned, inter.isCA, inter.selfSigned], [false, false, true, false]);
    assert.equal(inter.issuer, 'O=NDX Lab, CN=NDX Probe Test Root');
    assert.ok(leaf.bytes > 600 && leaf.bytes < 1000, String(leaf.bytes));
    assert.equal(h.clientCertOffered, false);
    assert.equal(h.clientCertRequested, false, 'TLS 1.3: no CertificateRequest in the decrypted handshake');
    assert.equal(h.alert, null);
    assert.equal(h.banner, null);
  } finally {
    await srv.close();
  }
});

test('the system store does not know the lab root: verify-failed with OpenSSL’s code, hostname still judged', async () => {
  const srv = await tlsServer(base);
  try {
    const h = await probe(srv.port, { options: {} });
    assert.equal(h.outcome, 'verify-failed');
    assert.deepEqual(h.verify, { ok: false, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', hostnameOk: true, trustedBy: 'system' });
    assert.deepEqual(
      h.chain.map((c) => c.commonName),
      ['app.lab.test', 'NDX Probe Test Intermediate'],
      'what the server presented: the root is unknown here',
    );
  } finally {
    await srv.close();
  }
});

test('a trusted chain for another name: verify ok, hostname not ok → verify-failed', async () => {
  const srv = await tlsServer(base);
  try {
    const h = await probe(srv.port, { sni: 'other.lab.test', hostname: 'other.lab.test' });
    assert.equal(h.outcome, 'verify-failed');
    assert.deepEqual(h.verify, { ok: true, code: null, hostnameOk: false, trustedBy: 'ca-file' });
  } finally {
    await srv.close();
  }
});

test('an IP literal target sends no SNI and is checked against the IP SANs (v4 and v6)', async () => {
  for (const host of ['127.0.0.1', '::1']) {
    const srv = await tlsServer(base, host);
    try {
      const h = await probe(srv.port, { address: host, sni: host, hostname: host });
      assert.equal(h.sni, null);
      assert.deepEqual(srv.servernames, [false]);
      assert.equal(h.outcome, 'ok');
      assert.equal(h.verify.hostnameOk, true);
    } finally {
      await srv.close();
    }
  }
});

test('a self-signed certificate: DEPTH_ZERO_SELF_SIGNED_CERT, one certificate, selfSigned', async () => {
  const srv = await tlsServer({ key: certFile('self.key'), cert: certFile('self.pem') });
  try {
    const h = await probe(srv.port, { sni: 'self.lab.test', hostname: 'self.lab.test' });
    assert.equal(h.outcome, 'verify-failed');
    assert.equal(h.verify.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(h.verify.hostnameOk, true);
    assert.equal(h.chain.length, 1);
    assert.equal(h.chain[0]!.selfSigned, true);
  } finally {
    await srv.close();
  }
});

test('pins: SPKI base64 or certificate fingerprint (any case, colons optional), any certificate of the chain', async () => {
  const srv = await tlsServer(base);
  const leaf = new X509Certificate(certFile('leaf.pem'));
  const inter = new X509Certificate(certFile('inter.pem'));
  const spki = (x: X509Certificate): string =>
    createHash('sha256')
      .update(x.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  try {
    const cases: Array<[string, boolean]> = [
      [`sha256/${spki(leaf)}`, true],
      [`SHA256/${spki(inter)}`, true],
      [`sha256:${leaf.fingerprint256}`, true],
      [`sha256:${leaf.fingerprint256.replace(/:/g, '').toLowerCase()}`, true],
      [`sha256/${spki(new X509Certificate(certFile('self.pem')))}`, false],
      [`sha256:${'00'.repeat(32)}`, false],
    ];
    for (const [pin, matched] of cases) {
      const h = await probe(srv.port, {}, 3000, { ca: root, pin });
      assert.deepEqual(h.pin, { expected: pin, matched }, pin);
    }
  } finally {
    await srv.close();
  }
});

test('TLS 1.2-only server: ok on 1.2, and no CertificateRequest seen (clientCertRequested false)', async () => {
  const srv = await tlsServer({ ...base, maxVersion: 'TLSv1.2' });
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'ok');
    assert.equal(h.protocol, 'TLSv1.2');
    assert.equal(h.clientCertRequested, false);
  } finally {
    await srv.close();
  }
});

test('version mismatch either way is the server’s protocol_version alert', async () => {
  const s13 = await tlsServer({ ...base, minVersion: 'TLSv1.3' });
  const s12 = await tlsServer({ ...base, maxVersion: 'TLSv1.2' });
  try {
    const a = await probe(s13.port, {}, 3000, { ca: root, tlsMax: 'TLSv1.2' });
    assert.deepEqual([a.outcome, a.alert, a.errorCode, a.maxVersion], ['alert', 'protocol_version', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLSv1.2']);
    const b = await probe(s12.port, {}, 3000, { ca: root, tlsMin: 'TLSv1.3' });
    assert.deepEqual([b.outcome, b.alert, b.minVersion], ['alert', 'protocol_version', 'TLSv1.3']);
    assert.deepEqual(b.chain, []);
  } finally {
    await s13.close();
    await s12.close();
  }
});

test('TLS 1.0 works when asked for (security level 0 on OpenSSL 3)', async () => {
  const srv = await tlsServer({ ...base, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
  try {
    const h = await probe(srv.port, {}, 3000, { ca: root, tlsMin: 'TLSv1', tlsMax: 'TLSv1' });
    assert.equal(h.outcome, 'ok');
    assert.equal(h.protocol, 'TLSv1');
  } finally {
    await srv.close();
  }
});

test('a server that demands a client certificate (TLS 1.3): certificate_required after the handshake', async () => {
  const srv = await tlsServer({ ...base, requestCert: true, rejectUnauthorized: true, ca: certFile('client-ca.pem') });
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'alert');
    assert.equal(h.alert, 'certificate_required');
    assert.equal(h.errorCode, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    assert.equal(h.clientCertRequested, true);
    assert.equal(h.clientCertOffered, false);
    assert.equal(h.chain[0]?.commonName, 'app.lab.test', 'the server chain was seen before the alert');
  } finally {
    await srv.close();
  }
});

test('a server that demands a client certificate (TLS 1.2): its CertificateRequest is seen, then handshake_failure', async () => {
  const srv = await tlsServer({ ...base, maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true, ca: certFile('client-ca.pem') });
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'alert');
    assert.equal(h.alert, 'handshake_failure');
    assert.equal(h.clientCertRequested, true);
  } finally {
    await srv.close();
  }
});

test('a TLS 1.3 server that asks for a client certificate but does not require one: ok', async () => {
  const srv = await tlsServer({ ...base, requestCert: true, rejectUnauthorized: false, ca: certFile('client-ca.pem') });
  try {
    const h = await probe(srv.port);
    assert.deepEqual([h.outcome, h.alert], ['ok', null]);
  } finally {
    await srv.close();
  }
});

test('mTLS with the client certificate offered: ok', async () => {
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    const srv = await tlsServer({ ...base, maxVersion, requestCert: true, rejectUnauthorized: true, ca: certFile('client-ca.pem') });
    try {
      const h = await probe(srv.port, {}, 3000, { ca: root, cert: certFile('client.pem'), key: certFile('client.key') });
      assert.equal(h.outcome, 'ok', maxVersion);
      assert.equal(h.clientCertOffered, true);
      if (maxVersion === 'TLSv1.2') assert.equal(h.clientCertRequested, true);
    } finally {
      await srv.close();
    }
  }
});

test('a plain-text service: not-tls with its banner, from the same connection', async () => {
  const srv = await tcpServer((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'not-tls');
    assert.equal(h.banner, 'SSH-2.0-OpenSSH_9.2p1 Debian-2');
    assert.equal(h.errorCode, 'ERR_SSL_WRONG_VERSION_NUMBER');
    assert.equal(srv.accepted(), 1, 'no second connection was needed');
  } finally {
    await srv.close();
  }
});

test('an HTTP server answers the ClientHello with a 400: not-tls, banner from the status line', async () => {
  const server = http.createServer((_req, res) => res.end('hi'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const h = await probe((server.address() as net.AddressInfo).port);
    assert.equal(h.outcome, 'not-tls');
    assert.match(h.banner ?? '', /^HTTP\/1\.1 400 Bad Request/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('an endless banner: not-tls, bounded banner', async () => {
  const srv = await tcpServer((s) => {
    const line = Buffer.from('220 lab.test ESMTP '.padEnd(200, 'x') + '\r\n');
    const pump = (): void => {
      while (!s.destroyed && s.write(line));
      if (!s.destroyed) s.once('drain', pump);
    };
    pump();
  });
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'not-tls');
    assert.ok(h.banner!.startsWith('220 lab.test ESMTP xxx'));
    assert.ok(h.banner!.length <= 120);
  } finally {
    await srv.close();
  }
});

test('a server that never answers the ClientHello: stall, no banner on a second look', async () => {
  const srv = await tcpServer(() => {});
  try {
    const h = await probe(srv.port, {}, 500);
    assert.equal(h.outcome, 'stall');
    assert.equal(h.banner, null);
    assert.match(h.error ?? '', /no TLS handshake within \d+ ms \(no bytes received\)/);
    assert.equal(srv.accepted(), 2, 'a plain connection looked for a banner');
  } finally {
    await srv.close();
  }
});

test('a slowloris server (one byte of a TLS record now and then): stall within the budget', async () => {
  const srv = await tcpServer((s) => {
    const bytes = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00]);
    let i = 0;
    const t = setInterval(() => (s.destroyed || i >= bytes.length ? clearInterval(t) : s.write(bytes.subarray(i, ++i))), 40);
    s.on('close', () => clearInterval(t));
  });
  try {
    const h = await probe(srv.port, {}, 500);
    assert.equal(h.outcome, 'stall');
    assert.equal(h.banner, null);
  } finally {
    await srv.close();
  }
});

test('reset right after accept: reset', async () => {
  const srv = await tcpServer((s) => s.resetAndDestroy());
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'reset');
  } finally {
    await srv.close();
  }
});

test('closed after the ClientHello: closed', async () => {
  const srv = await tcpServer((s) => s.once('data', () => s.end()));
  try {
    const h = await probe(srv.port);
    assert.equal(h.outcome, 'closed');
    assert.equal(h.chain.length, 0);
  } finally {
    await srv.close();
  }
});

test('nothing listens: tcp-failed with the errno', async () => {
  const h = await probe(await closedPort());
  assert.equal(h.outcome, 'tcp-failed');
  assert.equal(h.errorCode, 'ECONNREFUSED');
});

test('a huge certificate chain: refused by the client, bounded (no ok, no crash)', async () => {
  const inter = certFile('inter.pem');
  const srv = await tlsServer({ key: leafKey, cert: certFile('leaf.pem') + inter.repeat(400), maxVersion: 'TLSv1.2' });
  try {
    const h = await probe(srv.port, {}, 5000);
    assert.equal(h.outcome, 'error');
    assert.match(`${h.errorCode} ${h.error}`, /EXCESSIVE_MESSAGE_SIZE|more than \d+ bytes/);
    assert.ok(h.chain.length <= 10);
  } finally {
    await srv.close();
  }
});

test('an endless handshake message (1 MiB+ of TLS-looking records): cut off, outcome error', async () => {
  const srv = await tcpServer((s) => {
    s.once('data', () => {
      const rec = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]), Buffer.alloc(0x4000, 0x0b)]);
      const pump = (): void => {
        while (!s.destroyed && s.write(rec));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
  });
  try {
    const h = await probe(srv.port, {}, 5000);
    assert.equal(h.outcome, 'error');
    assert.ok(h.error);
  } finally {
    await srv.close();
  }
});

test('an abort from the caller ends a stalled handshake at once', async () => {
  const srv = await tcpServer(() => {});
  try {
    const ac = new AbortController();
    const p = run({ address: '127.0.0.1', port: srv.port, sni: null, hostname: '127.0.0.1', options: {} }, probeContext(60_000, ac.signal));
    setTimeout(() => ac.abort(), 50);
    const h = (await p)[0]!.data as Hs;
    assert.equal(h.outcome, 'stall');
  } finally {
    await srv.close();
  }
});

test('alert names from node’s error codes', () => {
  assert.equal(alertFromCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'certificate_required');
  assert.equal(alertFromCode('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'handshake_failure');
  assert.equal(alertFromCode('ERR_SSL_TLSV1_UNRECOGNIZED_NAME'), 'unrecognized_name');
  assert.equal(alertFromCode('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), 'unknown_ca');
  assert.equal(alertFromCode('ERR_SSL_WRONG_VERSION_NUMBER'), null);
  assert.equal(alertFromCode('ERR_SSL_UNSUPPORTED_PROTOCOL'), null);
  assert.equal(alertFromCode(null), null);
});
