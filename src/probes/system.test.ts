import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './system.js';
import { probeContext } from './types.js';
import type { ObservationData } from '../model/observation.js';

// Only 'localhost' is looked up: getaddrinfo answers it from /etc/hosts (or glibc's built-in), no resolver is asked.
test('the system resolver answers localhost with loopback addresses', async () => {
  const [o] = await run('localhost', probeContext(3000));
  assert.equal(o?.kind, 'dns.system');
  const d = o!.data as ObservationData['dns.system'];
  assert.equal(d.error, null);
  assert.ok(d.addresses.length > 0);
  for (const a of d.addresses) assert.ok(a.address === '::1' || a.address.startsWith('127.'), a.address);
  assert.ok(d.addresses.every((a) => a.family === (a.address.includes(':') ? 6 : 4)));
});

test('an already-aborted context returns TIMEOUT without a lookup', async () => {
  const ac = new AbortController();
  ac.abort();
  const [o] = await run('localhost', probeContext(3000, ac.signal));
  assert.deepEqual({ ...(o!.data as ObservationData['dns.system']), ms: 0 }, { name: 'localhost', addresses: [], error: 'TIMEOUT', ms: 0 });
});

test('getent ahosts output: one address per line and socket type, first-seen order kept', async () => {
  const { parseGetentAhosts } = await import('./system.js');
  const text = '2001:db8:20::10 STREAM srv.lab.test\n2001:db8:20::10 DGRAM  \n2001:db8:20::10 RAW    \n203.0.113.10    STREAM \n203.0.113.10    DGRAM  \ngarbage-line\n';
  assert.deepEqual(parseGetentAhosts(text), [
    { address: '2001:db8:20::10', family: 6 },
    { address: '203.0.113.10', family: 4 },
  ]);
  assert.deepEqual(parseGetentAhosts(''), []);
});
