import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './proxy.js';
import { probeContext } from './types.js';
import { closedPort, tcpServer } from './test-servers.js';
import type { ObservationData } from '../model/observation.js';

type P = ObservationData['proxy.connect'];
const deps = { native: async () => null, icmpCount: async () => 0 };

test('a listening proxy is open; a closed port is refused, with the errno', async () => {
  const srv = await tcpServer(() => {});
  try {
    const open = await run({ host: '127.0.0.1', port: srv.port }, probeContext(2000), deps);
    assert.equal(open.length, 1);
    assert.deepEqual({ ...(open[0]!.data as P), ms: 0 }, { host: '127.0.0.1', port: srv.port, outcome: 'open', ms: 0 });
  } finally {
    await srv.close();
  }
  const port = await closedPort();
  const refused = (await run({ host: '127.0.0.1', port }, probeContext(2000), deps))[0]!.data as P;
  assert.deepEqual([refused.outcome, refused.error], ['refused', 'ECONNREFUSED']);
});

test('a proxy name is resolved by the system resolver first (localhost from the hosts file)', async () => {
  const srv = await tcpServer(() => {});
  try {
    const d = (await run({ host: 'localhost', port: srv.port }, probeContext(2000), deps))[0]!.data as P;
    assert.equal(d.host, 'localhost');
    assert.equal(d.outcome, 'open');
  } finally {
    await srv.close();
  }
});
