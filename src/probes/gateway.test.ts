import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, judgeGateway, neighState } from './gateway.js';
import { probeContext } from './types.js';
import type { ExecFn } from '../system/exec.js';
import type { ObservationData } from '../model/observation.js';

type G = ObservationData['gateway.neighbor'];
const neigh =
  (json: string): ExecFn =>
  async () => ({ stdout: json, stderr: '', code: 0, failure: null });

test('verdicts: an echo reply, a fresh neighbour entry, a failed or missing one', () => {
  const cases: Array<[boolean | null, { state: string | null } | { error: string }, G['answered'], G['method']]> = [
    [true, { state: 'REACHABLE' }, true, 'ping'],
    [true, { state: null }, true, 'ping'],
    [false, { state: 'REACHABLE' }, true, 'neigh'], // ICMP filtered, ARP answered
    [false, { state: 'FAILED' }, false, 'ping'],
    [false, { state: 'INCOMPLETE' }, false, 'ping'],
    [false, { state: null }, false, 'ping'],
    [false, { state: 'STALE' }, null, 'ping'],
    [false, { state: 'PERMANENT' }, null, 'ping'],
    [null, { state: 'FAILED' }, false, 'neigh'],
    [null, { state: 'REACHABLE' }, true, 'neigh'],
    [null, { state: 'STALE' }, null, 'neigh'],
    [null, { error: 'ip not installed' }, null, 'none'],
    [false, { error: 'ip not installed' }, false, 'ping'],
  ];
  for (const [echo, n, answered, method] of cases) {
    const v = judgeGateway(echo, n);
    assert.deepEqual([v.answered, v.method], [answered, method], `${echo} ${JSON.stringify(n)}`);
  }
});

test('the neighbour entry on the asked device, from ip -j neigh show ADDR', async () => {
  const json = JSON.stringify([
    { dst: '198.51.100.2', dev: 'a1', state: ['FAILED'] },
    { dst: '198.51.100.2', dev: 'a0', lladdr: '02:00:00:00:00:02', state: ['REACHABLE'] },
  ]);
  assert.deepEqual(await neighState({ gateway: '198.51.100.2', dev: 'a0' }, neigh(json)), { state: 'REACHABLE' });
  assert.deepEqual(await neighState({ gateway: '198.51.100.2', dev: 'a9' }, neigh(json)), { state: null });
  assert.deepEqual(await neighState({ gateway: '198.51.100.2', dev: 'a0' }, neigh('[{"dst":"zz"}]')), { error: 'ip -j neigh: neighbor #0: expected "dst" to be an IP address, got "zz"' });
  const gone: ExecFn = async () => ({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
  assert.deepEqual(await neighState({ gateway: '198.51.100.2', dev: 'a0' }, gone), { error: 'ip not installed' });
});

test('a live run against loopback: the echo answers (no neighbour entry on lo)', async () => {
  const [o] = await run({ gateway: '127.0.0.1', dev: 'lo' }, probeContext(1000));
  assert.equal(o?.kind, 'gateway.neighbor');
  assert.deepEqual({ ...(o!.data as G) }, { gateway: '127.0.0.1', dev: 'lo', state: null, answered: true, method: 'ping' });
});

test('no ping, a FAILED entry: not answered, by the neighbour table, with why ping was not used', async () => {
  const [o] = await run({ gateway: '198.51.100.2', dev: 'a0' }, probeContext(500), {
    exec: neigh('[{"dst":"198.51.100.2","dev":"a0","state":["FAILED"]}]'),
    icmp: { native: async () => null, ping: '/nonexistent/ping' },
  });
  const d = o!.data as G;
  assert.deepEqual([d.answered, d.method, d.state], [false, 'neigh', 'FAILED']);
  assert.match(d.reason ?? '', /^ping: \/nonexistent\/ping is not installed/);
});
