/**
 * The trace probe on real multi-hop paths: namespaces a – r1 – r2 – r3 – r4 – b (5 hops), each
 * scenario on a fresh chain (routers keep their ICMP rate-limit state per peer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, chain, probeIn, type Chain } from '../native/testing-netns.js';
import { loadNative } from '../native/index.js';
import type { Observation } from '../model/observation.js';
import { firstLossyHop, lastResponding } from '../analyze/trace-stats.js';

const skip = available() ?? (loadNative() ? false : 'raw-socket addon unavailable');
const TRACE = new URL('./trace.js', import.meta.url);

async function withChain<T>(tag: string, f: (c: Chain) => Promise<T>): Promise<T> {
  const c = chain(4, tag);
  try {
    return await f(c);
  } finally {
    c.destroy();
  }
}

type TraceObs = Extract<Observation, { kind: 'trace.path' }>;
const traceOf = (o: Observation[]): TraceObs['data'] => {
  const t = o.find((x): x is TraceObs => x.kind === 'trace.path');
  assert.ok(t, 'a trace.path observation');
  return t.data;
};

test('clean 5-hop path: every hop by address, the target clean, router loss only rate limiting (icmp, udp, tcp)', { skip }, async () => {
  await withChain('clean', async (c) => {
    for (const proto of ['icmp', 'udp', 'tcp'] as const) {
      const t = traceOf(await probeIn(c, 'a', TRACE, { address: c.target, proto, port: proto === 'tcp' ? 443 : null }));
      assert.equal(t.method, 'raw');
      assert.equal(t.reached, true, proto);
      const hops = t.paths[0]!.hops;
      assert.deepEqual(
        hops.map((h) => h.addr),
        [c.hopAddr(1), c.hopAddr(2), c.hopAddr(3), c.hopAddr(4), c.target],
        proto,
      );
      assert.ok(
        hops.every((h) => h.lossPct === 0 || h.rateLimited),
        `${proto}: ${JSON.stringify(hops)}`,
      );
      if (proto !== 'udp') assert.equal(hops[4]!.lossPct, 0);
      assert.equal(firstLossyHop(hops), null);
    }
  });
});

test('real loss behind r2 (iptables statistic): the first lossy hop is after r2, not a rate-limiting router before it', { skip }, async () => {
  await withChain('loss', async (c) => {
    c.sh('r2', 'iptables', ['-A', 'FORWARD', '-m', 'statistic', '--mode', 'random', '--probability', '0.25', '-j', 'DROP']);
    const t = traceOf(await probeIn(c, 'a', TRACE, { address: c.target, proto: 'icmp', count: 20, intervalMs: 50 }));
    const hops = t.paths[0]!.hops;
    assert.ok(hops[4]!.lossPct > 2, JSON.stringify(hops));
    const first = firstLossyHop(hops);
    assert.ok(first && first.ttl >= 3, `first lossy hop ${first?.ttl}: ${JSON.stringify(hops)}`);
  });
});

test('blackhole: r3 drops everything it forwards; the last responding hop is r3, the target is not reached', { skip }, async () => {
  await withChain('bh', async (c) => {
    c.sh('r3', 'iptables', ['-A', 'FORWARD', '-d', c.target, '-j', 'DROP']);
    const t = traceOf(await probeIn(c, 'a', TRACE, { address: c.target, proto: 'tcp', port: 443, count: 5 }));
    assert.equal(t.reached, false);
    assert.equal(lastResponding(t.paths[0]!.hops)?.addr, c.hopAddr(3));
  });
});

test('a router that reports unreachable / prohibited: the hop carries the ICMP error', { skip }, async () => {
  await withChain('unr', async (c) => {
    c.sh('r2', 'iptables', ['-A', 'FORWARD', '-d', c.target, '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited']);
    const t = traceOf(await probeIn(c, 'a', TRACE, { address: c.target, proto: 'udp', count: 3 }));
    assert.equal(t.reached, false);
    const last = t.paths[0]!.hops.at(-1)!;
    assert.equal(last.addr, c.hopAddr(2));
    assert.equal(last.icmp?.name, 'admin-prohibited');
  });
});

test('--paths over an ECMP diamond: flows take both branches, each path keeps one router per hop (Paris)', { skip }, async () => {
  const { diamond } = await import('../native/testing-netns.js');
  const passed = new Set<string>();
  // Both hop-2 routers answer only a burst of ~6 TTL-exceeded per peer (the kernel's ICMP rate limit), so
  // under CI load one branch's answers can all be spent: one more round on a fresh diamond before failing.
  for (const [proto, round] of [
    ['udp', 0],
    ['tcp', 0],
    ['udp', 1],
    ['tcp', 1],
  ] as const) {
    if (round === 1 && passed.has(proto)) continue;
    // A fresh diamond per protocol and round: the routers' ICMP budget for this peer starts full.
    const c = diamond(`ecmp${proto}${round}`);
    try {
      const t = traceOf(await probeIn(c, 'a', TRACE, { address: c.target, proto, port: proto === 'tcp' ? 443 : null, paths: 8, count: 4 }));
      assert.equal(t.paths.length, 8);
      const hop2 = new Set<string>();
      // The target's UDP port-unreachables are rate limited too (32 probes in 0.4 s): not every UDP flow hears back.
      assert.ok(proto === 'udp' ? t.reached : t.paths.every((p) => p.reached && p.hops.length === 4), JSON.stringify(t.paths));
      for (const p of t.paths) {
        for (const h of p.hops) assert.ok(h.addrs.length <= 1, `${proto} ${p.flow}: hop ${h.ttl} mixes ${h.addrs.join(', ')}`);
        // A UDP flow whose answers were all rate limited has no second row.
        if (p.hops[1]?.addr) hop2.add(p.hops[1].addr);
      }
      if (round === 0 && hop2.size < c.hop2.length) continue;
      assert.deepEqual([...hop2].sort(), [...c.hop2].sort(), `${proto}: both branches seen`);
      passed.add(proto);
    } finally {
      c.destroy();
    }
  }
});
