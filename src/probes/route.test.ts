import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, toLookup } from './route.js';
import { probeContext } from './types.js';
import { fixture, routeGetFixture } from '../system/fixture-files.js';
import type { ExecFn } from '../system/exec.js';
import type { ObservationData } from '../model/observation.js';

type L = ObservationData['route.lookup'];

/** Replays a recorded `ip route get` (and the lab's rule/route listings routeGet may ask for). */
function replay(name: string): ExecFn {
  const f = routeGetFixture(name);
  return async (_file, args) => {
    const fam = args[1] === '-6' ? 6 : 4;
    if (args[2] === 'rule') return { stdout: fixture(`lab-ip-rule${fam}.json`), stderr: '', code: 0, failure: null };
    if (args[2] === 'route' && args[3] === 'show') return { stdout: fixture(`lab-ip-route${fam}.json`), stderr: '', code: 0, failure: null };
    return { stdout: f.stdout, stderr: f.stderr, code: f.rc, failure: null };
  };
}

async function lookup(name: string): Promise<L> {
  const f = routeGetFixture(name);
  const [o] = await run(f.args[0]!, probeContext(1000), replay(name));
  assert.equal(o?.kind, 'route.lookup');
  return o!.data as L;
}

test('a route via a gateway: dev, gateway, src, table, the route text; candidates and rules left to the engine', async () => {
  const d = await lookup('default-gw');
  assert.deepEqual(d, {
    destination: '100.100.1.1',
    family: 4,
    outcome: 'route',
    dev: 'a0',
    gateway: '198.51.100.2',
    src: '198.51.100.1',
    table: 'main',
    route: '100.100.1.1 via 198.51.100.2 dev a0 src 198.51.100.1',
    candidates: [],
    rules: [],
  });
});

test('the kernel’s refusals map to outcomes', async () => {
  const cases: Array<[string, L['outcome']]> = [
    ['no-route', 'no-route'],
    ['blackhole', 'blackhole'],
    ['unreachable', 'unreachable'],
    ['prohibit', 'prohibit'],
    ['v6-no-route', 'no-route'],
    ['v6-prohibit', 'prohibit'],
    ['rule-unreachable', 'unreachable'],
  ];
  for (const [name, outcome] of cases) {
    const d = await lookup(name);
    assert.equal(d.outcome, outcome, name);
    assert.equal(d.dev, null);
    assert.ok(d.error, name);
  }
  assert.equal((await lookup('v6-default')).family, 6);
});

test('a successful answer of a refusing type (as older iproute2 prints) is that outcome', () => {
  const value = {
    family: 4 as const,
    type: 'blackhole',
    dst: '203.0.113.9',
    from: null,
    gateway: null,
    dev: null,
    src: null,
    table: 'main',
    protocol: null,
    metric: null,
    mark: null,
    iif: null,
    flags: [],
    cache: [],
    text: 'blackhole 203.0.113.9',
  };
  const d = toLookup('203.0.113.9', { ok: true, value });
  assert.deepEqual([d.outcome, d.route, d.error], ['blackhole', 'blackhole 203.0.113.9', 'route type blackhole']);
});

test('a tool failure is outcome error with the reason', async () => {
  const gone: ExecFn = async () => ({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
  const [o] = await run('198.51.100.9', probeContext(1000), gone);
  assert.deepEqual([(o!.data as L).outcome, (o!.data as L).error], ['error', 'ip not installed']);
});

test('the live kernel answers for loopback (read-only, no packet)', async () => {
  const [o] = await run('127.0.0.1', probeContext(2000));
  const d = o!.data as L;
  assert.equal(d.outcome, 'route');
  assert.equal(d.dev, 'lo');
});

test('the lookup honours its budget: every ip call gets the probe signal and a deadline within the budget; none starts after it is spent', async () => {
  const seen: Array<{ args: readonly string[]; timeoutMs: number | undefined; signal: boolean }> = [];
  // An `ip` that answers "Network is unreachable" after 60 ms, so routeGet wants the rule list too.
  const slow: ExecFn = (_file, args, opts) => {
    seen.push({ args, timeoutMs: opts?.timeoutMs, signal: !!opts?.signal });
    return new Promise((res) => setTimeout(() => res({ stdout: '', stderr: 'RTNETLINK answers: Network is unreachable', code: 2, failure: null }), 60));
  };
  const [o] = await run('203.0.113.9', probeContext(50), slow);
  assert.equal(o?.kind, 'route.lookup');
  assert.equal(seen.length, 1, 'the budget was spent by the first call: no rule listing after it');
  assert.ok(seen[0]!.signal && seen[0]!.timeoutMs! <= 50, JSON.stringify(seen[0]));
  seen.length = 0;
  await run('203.0.113.9', probeContext(1000), slow);
  assert.equal(seen.length, 2, 'within the budget the refusal is classified with the rule list');
});

test('makeExec: an aborted signal kills the command and reports a timeout', async () => {
  const { makeExec } = await import('../system/exec.js');
  const exec = makeExec();
  const ac = new AbortController();
  const t0 = Date.now();
  const p = exec('sleep', ['5'], { signal: ac.signal, timeoutMs: 10_000 });
  setTimeout(() => ac.abort(), 50);
  const r = await p;
  assert.equal(r.failure, 'timeout');
  assert.ok(Date.now() - t0 < 2000);
  assert.equal((await exec('sleep', ['5'], { signal: ac.signal })).failure, 'timeout', 'an already spent budget runs nothing');
});
