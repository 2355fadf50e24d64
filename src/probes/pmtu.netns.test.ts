/**
 * PMTU on a real path: a – r1 – r2 – r3 – b with the r2–r3 link at MTU 1400. With ICMP working,
 * r2's frag-needed names the MTU; with r2's frag-needed dropped, it is a PMTU blackhole and the
 * TCP large-payload test stalls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, chain, probeIn, type Chain, waitListening } from '../native/testing-netns.js';
import { loadNative } from '../native/index.js';
import type { Observation, ObservationData } from '../model/observation.js';

const skip = available() ?? (loadNative() ? false : 'raw-socket addon unavailable');
const PMTU = new URL('./pmtu.js', import.meta.url);
const SERVER = "require('net').createServer((s) => s.resume()).listen(8080, '0.0.0.0')";

async function withChain<T>(tag: string, f: (c: Chain) => Promise<T>): Promise<T> {
  const c = chain(3, tag);
  try {
    c.sh('r2', 'ip', ['link', 'set', 'e3l', 'mtu', '1400']);
    c.sh('r3', 'ip', ['link', 'set', 'e3r', 'mtu', '1400']);
    c.spawn('b', process.execPath, ['-e', SERVER]);
    await waitListening(c, 'b', 8080);
    return await f(c);
  } finally {
    c.destroy();
  }
}

const pmtuOf = (o: Observation[]): ObservationData['pmtu.search'] => {
  const p = o.find((x) => x.kind === 'pmtu.search');
  assert.ok(p && p.kind === 'pmtu.search');
  return p.data;
};

test('frag-needed comes back: the limit is 1400, the router and its MTU are named, TCP passes', { skip }, async () => {
  await withChain('pm', async (c) => {
    const p = pmtuOf(await probeIn(c, 'a', PMTU, { address: c.target, port: 8080 }));
    assert.equal(p.method, 'raw');
    assert.equal(p.ifMtu, 1500);
    assert.deepEqual([p.largestPass, p.smallestFail], [1400, 1401]);
    assert.deepEqual(p.fragNeeded, { from: c.hopAddr(2), mtu: 1400 });
    assert.equal(p.tcp?.outcome, 'passed');
  });
});

test('frag-needed dropped: a PMTU blackhole (no frag-needed), the TCP large payload stalls', { skip }, async () => {
  await withChain('bh', async (c) => {
    c.sh('r2', 'iptables', ['-A', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'fragmentation-needed', '-j', 'DROP']);
    const t0 = performance.now();
    const p = pmtuOf(await probeIn(c, 'a', PMTU, { address: c.target, port: 8080 }));
    const ms = performance.now() - t0;
    assert.deepEqual([p.largestPass, p.smallestFail, p.fragNeeded], [1400, 1401, null]);
    assert.equal(p.tcp?.outcome, 'stalled');
    assert.equal(p.tcp?.bytesAcked, 0);
    assert.ok(ms < 5000, `${ms} ms`);
  });
});

test('a clean path passes at the interface MTU with one round', { skip }, async () => {
  const c = chain(2, 'ok');
  try {
    const p = pmtuOf(await probeIn(c, 'a', PMTU, { address: c.target }));
    assert.deepEqual([p.largestPass, p.smallestFail, p.fragNeeded, p.tcp], [1500, null, null, null]);
    assert.equal(p.probes, 1 + 13, 'the small probe, then one round');
  } finally {
    c.destroy();
  }
});
