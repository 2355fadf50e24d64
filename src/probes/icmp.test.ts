import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, pingArgs, type IcmpDeps } from './icmp.js';
import { probeContext } from './types.js';
import type { NativeApi, NativeEchoResult } from '../native/api.js';
import type { Observation, ObservationData } from '../model/observation.js';

type E = ObservationData['icmp.echo'];
const system: IcmpDeps = { native: async () => null, ping: 'ping' };
const echo = (obs: Observation[]): E => {
  assert.equal(obs[0]?.kind, 'icmp.echo');
  return obs[0]!.data as E;
};

test('system ping to loopback (v4 and v6): every echo answered', async () => {
  for (const address of ['127.0.0.1', '::1']) {
    const d = echo(await run({ address, count: 3 }, probeContext(2500), system));
    assert.deepEqual([d.method, d.sent, d.received, d.lossPct, d.errors], ['ping', 3, 3, 0, []], address);
    assert.ok(d.rtt && d.rtt.max >= d.rtt.min);
  }
});

test('a budget shorter than the echoes: ping is interrupted and its summary still read', async () => {
  const d = echo(await run({ address: '127.0.0.1', count: 100 }, probeContext(500), system));
  assert.equal(d.method, 'ping');
  assert.ok(d.sent > 0 && d.sent < 100, String(d.sent));
  assert.ok(d.received >= d.sent - 1);
});

test('ping arguments: 0.2 s interval, shorter only for root when the budget asks, -6 for IPv6', () => {
  assert.deepEqual(pingArgs('198.51.100.2', 4, 2500, true), ['-n', '-c', '4', '-i', '0.20', '-W', '1.85', '198.51.100.2']);
  assert.deepEqual(pingArgs('198.51.100.2', 4, 700, true).slice(3, 7), ['-i', '0.14', '-W', '0.23']);
  assert.equal(pingArgs('198.51.100.2', 4, 700, false)[4], '0.20');
  assert.equal(pingArgs('198.51.100.2', 1, 300, true)[6], '0.25');
  assert.deepEqual(pingArgs('2001:db8::1', 2, 2000, true).slice(0, 1), ['-6']);
});

test('no ping and no native module: unavailable, with the reason, and a check.unknown', async () => {
  const obs = await run({ address: '127.0.0.1', count: 2 }, probeContext(1000), { native: async () => null, ping: '/nonexistent/ping' });
  const d = echo(obs);
  assert.equal(d.method, 'unavailable');
  assert.match(d.reason ?? '', /not installed; no raw-socket module either/);
  assert.equal(obs[1]?.kind, 'check.unknown');
});

test('a ping that prints nothing is not a 0-echo result: unavailable', async () => {
  const d = echo(await run({ address: '127.0.0.1', count: 2 }, probeContext(1000), { native: async () => null, ping: 'true' }));
  assert.equal(d.method, 'unavailable');
  assert.match(d.reason ?? '', /printed no result \(exit 0\)/);
});

test('with the native module: method raw, its replies and ICMP errors counted', async () => {
  const answers: NativeEchoResult[] = [
    { outcome: 'reply', from: '198.51.100.2', rttMs: 1, icmp: null, errno: null },
    { outcome: 'reply', from: '198.51.100.2', rttMs: 3, icmp: null, errno: null },
    { outcome: 'icmp-error', from: '198.51.100.1', rttMs: null, icmp: { type: 3, code: 1, from: '198.51.100.1', name: 'host-unreachable' }, errno: null },
    { outcome: 'timeout', from: null, rttMs: null, icmp: null, errno: null },
  ];
  let i = 0;
  const api: NativeApi = { tcpConnect: async () => assert.fail('not used'), icmpEcho: async () => answers[i++]! };
  const d = echo(await run({ address: '198.51.100.2', count: 4 }, probeContext(1000), { native: async () => api, ping: '/nonexistent' }));
  assert.deepEqual(d, { address: '198.51.100.2', method: 'raw', sent: 4, received: 2, lossPct: 50, rtt: { min: 1, avg: 2, max: 3, stddev: 1 }, errors: [answers[2]!.icmp!] });
});

test('a native module that fails every echo locally: ping answers instead', async () => {
  const api: NativeApi = { tcpConnect: async () => assert.fail('unused'), icmpEcho: async () => ({ outcome: 'error', from: null, rttMs: null, icmp: null, errno: 'EINVAL' }) };
  const d = echo(await run({ address: '127.0.0.1', count: 2 }, probeContext(1500), { native: async () => api, ping: 'ping' }));
  assert.deepEqual([d.method, d.received], ['ping', 2]);
});

test('a non-IP address: unavailable, nothing sent', async () => {
  assert.equal(echo(await run({ address: 'app.lab.test', count: 1 }, probeContext(500), system)).method, 'unavailable');
});
