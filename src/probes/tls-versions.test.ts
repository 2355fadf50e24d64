import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './tls-versions.js';
import { probeContext } from './types.js';
import { certFile, closedPort, tcpServer, tlsServer } from './test-servers.js';
import type { ObservationData } from '../model/observation.js';

type V = ObservationData['tls.versions'];
const base = { key: certFile('leaf.key'), cert: certFile('chain.pem') };

async function scan(port: number): Promise<V> {
  const [o] = await run({ address: '127.0.0.1', port, sni: 'app.lab.test', min: 'TLSv1.2', max: 'TLSv1.3' }, probeContext(2000));
  assert.equal(o?.kind, 'tls.versions');
  return o!.data as V;
}

test('one version per server range', async () => {
  const cases: Array<[object, string[]]> = [
    [{ maxVersion: 'TLSv1.2' }, ['TLSv1.2']],
    [{ minVersion: 'TLSv1.3' }, ['TLSv1.3']],
    [{ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, ['TLSv1', 'TLSv1.1']],
    [{ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']],
  ];
  for (const [opts, accepted] of cases) {
    const srv = await tlsServer({ ...base, ...opts });
    try {
      const v = await scan(srv.port);
      assert.deepEqual(v.accepted, accepted, JSON.stringify(opts));
      assert.deepEqual([...v.accepted, ...v.rejected].sort(), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
      assert.deepEqual(v.clientRange, { min: 'TLSv1.2', max: 'TLSv1.3' });
    } finally {
      await srv.close();
    }
  }
});

test('a version the server negotiated counts even when a client certificate is then demanded', async () => {
  const srv = await tlsServer({ ...base, maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true, ca: certFile('client-ca.pem') });
  try {
    assert.deepEqual((await scan(srv.port)).accepted, ['TLSv1.2']);
  } finally {
    await srv.close();
  }
});

test('no TLS at all (reset, banner, closed port): nothing accepted', async () => {
  const reset = await tcpServer((s) => s.resetAndDestroy());
  const banner = await tcpServer((s) => s.end('SSH-2.0-x\r\n'));
  try {
    for (const port of [reset.port, banner.port, await closedPort()]) assert.deepEqual((await scan(port)).accepted, []);
  } finally {
    await reset.close();
    await banner.close();
  }
});
