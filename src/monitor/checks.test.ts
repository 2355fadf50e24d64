import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { runCheck, type CheckSpec } from './checks.js';
import { parseTarget } from '../model/target.js';
import { certFile, closedPort, tcpServer, tlsServer } from '../probes/test-servers.js';

const spec = (input: string, options: CheckSpec['options'] = {}, timeoutMs = 2000): CheckSpec => ({ target: parseTarget(input), options, timeoutMs });

test('tcp: open passes, closed fails with the errno as its signature', async () => {
  const srv = await tcpServer((s) => s.end());
  try {
    const ok = await runCheck(spec(`tcp://127.0.0.1:${srv.port}`));
    assert.equal(ok.ok, true);
    assert.equal(ok.address, '127.0.0.1');
    const port = await closedPort();
    const bad = await runCheck(spec(`tcp://127.0.0.1:${port}`));
    assert.equal(bad.ok, false);
    assert.equal(bad.signature, 'tcp:ECONNREFUSED');
  } finally {
    await srv.close();
  }
});

test('tls: verified against the CA, earliest notAfter of the chain, leaf in the signature; an untrusted chain fails', async () => {
  const srv = await tlsServer({ key: certFile('leaf.key'), cert: certFile('chain.pem') });
  try {
    const ok = await runCheck(spec(`127.0.0.1:${srv.port}`, { ca: certFile('root.pem') }));
    assert.equal(spec(`127.0.0.1:${srv.port}`).target.protocol, 'tcp');
    const tlsOk = await runCheck({ ...spec(`tls://127.0.0.1:${srv.port}`, { ca: certFile('root.pem') }) });
    assert.equal(ok.ok, true, 'tcp check of a TLS port');
    assert.equal(tlsOk.ok, true, String(tlsOk.reason));
    assert.ok(typeof tlsOk.certNotAfter === 'number' && tlsOk.certNotAfter > Date.UTC(2050, 0, 1));
    assert.match(tlsOk.signature, /^ok:[0-9A-F:]+$/);
    assert.ok(tlsOk.tlsVersion?.startsWith('TLS 1.'));
    const untrusted = await runCheck(spec(`tls://127.0.0.1:${srv.port}`));
    assert.equal(untrusted.ok, false);
    assert.match(untrusted.signature, /^tls:/);
    assert.ok(typeof untrusted.certNotAfter === 'number', 'the expiry is known even when verification fails');
    const pinned = await runCheck(spec(`tls://127.0.0.1:${srv.port}`, { ca: certFile('root.pem'), pin: 'sha256:' + '00'.repeat(32) }));
    assert.equal(pinned.signature, 'tls:PIN');
  } finally {
    await srv.close();
  }
});

test('a server that accepts and never answers costs one deadline', async () => {
  const srv = await tcpServer(() => {});
  try {
    const t0 = Date.now();
    const r = await runCheck(spec(`tls://127.0.0.1:${srv.port}`, {}, 300));
    assert.equal(r.ok, false);
    assert.equal(r.signature, 'timeout');
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  } finally {
    await srv.close();
  }
});

test('http/https: status decides (< 400), phases measured', async () => {
  let status = 200;
  const h = http.createServer((_q, s) => {
    s.writeHead(status, { 'content-length': 2 });
    s.end('ok');
  });
  h.listen(0, '127.0.0.1');
  await once(h, 'listening');
  const hs = https.createServer({ key: certFile('leaf.key'), cert: certFile('chain.pem') }, (_q, s) => s.end('hello'));
  hs.listen(0, '127.0.0.1');
  await once(hs, 'listening');
  try {
    const port = (h.address() as net.AddressInfo).port;
    const ok = await runCheck(spec(`http://127.0.0.1:${port}/x`));
    assert.equal(ok.ok, true);
    assert.equal(ok.httpStatus, 200);
    assert.equal(ok.httpContentLength, 2);
    status = 503;
    const bad = await runCheck(spec(`http://127.0.0.1:${port}/x`));
    assert.equal(bad.ok, false);
    assert.equal(bad.signature, 'http:503:');
    const sp = (hs.address() as net.AddressInfo).port;
    const sok = await runCheck(spec(`https://127.0.0.1:${sp}/`, { ca: certFile('root.pem') }));
    assert.equal(sok.ok, true, String(sok.reason));
    assert.ok(typeof sok.certNotAfter === 'number');
    const sbad = await runCheck(spec(`https://127.0.0.1:${sp}/`));
    assert.equal(sbad.ok, false);
    assert.match(sbad.signature, /^tls:/);
  } finally {
    h.closeAllConnections();
    h.close();
    hs.closeAllConnections();
    hs.close();
  }
});

test('icmp: loopback answers', async () => {
  const r = await runCheck(spec('127.0.0.1'));
  assert.equal(r.ok, true, String(r.reason));
  assert.ok(typeof r.rttMs === 'number');
});
