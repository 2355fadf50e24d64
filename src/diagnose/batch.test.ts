import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkThenDiagnose, diagnoseMany, quickCheck } from './batch.js';
import { limiter } from './limiter.js';
import { snapshotCache } from './snapshot-cache.js';
import { fakeDeps, fakeSnapshot } from './testing.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';

const opts = { ...DEFAULT_OPTIONS };

test('many targets in one process share one snapshot collection', async () => {
  let collected = 0;
  const { deps } = fakeDeps({
    snapshot: async () => (collected++, fakeSnapshot()),
  });
  const targets = Array.from({ length: 12 }, (_, i) => parseTarget(`203.0.113.${10 + i}:443`));
  const rs = await diagnoseMany(targets, opts, deps, { concurrency: 4 });
  assert.equal(collected, 1);
  assert.equal(rs.length, 12);
  assert.deepEqual(
    rs.map((r) => r.target.host),
    targets.map((t) => t.host),
    'results in input order',
  );
  assert.ok(rs.every((r) => r.report?.verdict === 'ok' && r.error === null));
});

test('check-first: a healthy target costs one connect and no snapshot; a failing one escalates to the full walk', async () => {
  const { deps, calls } = fakeDeps({
    tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: 4, outcome: q.port === 5001 ? 'refused' : 'open', ms: 0.8 })],
  });
  let snaps = 0;
  const provider = snapshotCache(async () => (snaps++, fakeSnapshot()));
  const ok = await checkThenDiagnose(parseTarget('203.0.113.10:5000'), opts, deps, { provider });
  assert.equal(ok.check.ok, true);
  assert.equal(ok.report, null);
  assert.equal(snaps, 0);
  assert.equal(calls.tcp?.length, 1);
  assert.equal(calls.icmp, undefined, 'no echo in the cheap check of a port');
  const bad = await checkThenDiagnose(parseTarget('203.0.113.10:5001'), opts, deps, { provider });
  assert.equal(bad.check.ok, false);
  assert.equal(bad.check.failed, 'tcp');
  assert.equal(bad.report?.primary?.code, 'TCP-001');
  assert.equal(snaps, 1);
});

test('quickCheck: an unresolvable name fails at dns; a TLS target checks the handshake too', async () => {
  const { deps } = fakeDeps({ systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'ENOTFOUND', ms: 1 })] });
  const r = await quickCheck(parseTarget('nx.lab.test:443'), opts, deps);
  assert.deepEqual([r.ok, r.failed], [false, 'dns']);
  const { deps: d2, calls } = fakeDeps();
  const r2 = await quickCheck(parseTarget('https://srv.lab.test/'), opts, d2);
  assert.deepEqual([r2.ok, r2.failed], [true, null]);
  assert.equal(calls.tls?.length, 1);
});

test('diagnoseMany: a walk that throws is one result with its error, not a rejected batch', async () => {
  const { deps } = fakeDeps({ snapshot: async () => Promise.reject(new Error('collector broke')) });
  const rs = await diagnoseMany([parseTarget('203.0.113.10:443')], opts, deps);
  assert.equal(rs[0]?.error, 'collector broke');
});

test('limiter: never more than n at once, all run, order of start kept', async () => {
  const lim = limiter(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const task = (i: number) => async () => {
    started.push(i);
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    return i;
  };
  const out = await Promise.all([0, 1, 2, 3, 4].map((i) => lim.run(task(i))));
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  await assert.rejects(
    lim.run(async () => Promise.reject(new Error('x'))),
    /x/,
  );
  assert.equal(lim.active, 0);
  assert.throws(() => limiter(0), /concurrency/);
});

test('snapshot cache: TTL, fingerprint change, invalidate, in-flight sharing, failures not cached', async () => {
  let clock = 0;
  let print = 'a';
  let n = 0;
  let fail = false;
  const c = snapshotCache(
    async () => {
      n++;
      if (fail) throw new Error('boom');
      return fakeSnapshot();
    },
    { ttlMs: 100, now: () => clock, fingerprint: async () => print },
  );
  await Promise.all([c.get(), c.get(), c.get()]);
  assert.equal(n, 1, 'concurrent callers share one collection');
  clock = 50;
  await c.get();
  assert.equal(n, 1);
  await c.get({ maxAgeMs: 10 });
  assert.equal(n, 2, 'a caller may ask for a fresher one');
  clock = 200;
  await c.get();
  assert.equal(n, 3, 'TTL');
  print = 'b';
  await c.get();
  assert.equal(n, 4, 'fingerprint changed');
  c.invalidate();
  await c.get();
  assert.equal(n, 5);
  fail = true;
  c.invalidate();
  await assert.rejects(c.get(), /boom/);
  fail = false;
  await c.get();
  assert.equal(n, 7, 'a failed collection is not kept');
  assert.equal(c.collections, 7);
});
