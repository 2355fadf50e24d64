/**
 * The flow-spread probe over a real ECMP diamond (a – r1 ⇉ r2a | r2b – r3 – b, r1 hashing on
 * L4): both branches healthy, then one branch dropping what it forwards. The trace of the exact
 * flows the spread found then shows each branch as its own path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, probeIn } from '../native/testing-netns.js';
import { loadNative } from '../native/index.js';
import type { Observation } from '../model/observation.js';

const skip = available() ?? (loadNative() ? false : 'raw-socket addon unavailable');
const SPREAD = new URL('./spread.js', import.meta.url);
const TRACE = new URL('./trace.js', import.meta.url);

type Of<K extends Observation['kind']> = Extract<Observation, { kind: K }>['data'];
const dataOf = <K extends Observation['kind']>(o: Observation[], kind: K): Of<K> => {
  const x = o.find((y) => y.kind === kind);
  assert.ok(x, `a ${kind} observation`);
  return x.data as Of<K>;
};

test('flow spread over an ECMP diamond: all answer when both branches work; a dropping branch loses exactly its flows, and tracing them shows it', { skip }, async () => {
  const { diamond } = await import('../native/testing-netns.js');
  const c = diamond('spread');
  try {
    const ok = dataOf(await probeIn(c, 'a', SPREAD, { address: c.target, port: 443, flows: 16 }), 'tcp.spread');
    assert.equal(ok.method, 'raw');
    assert.equal(ok.flows.length, 16);
    assert.deepEqual([ok.answered, ok.lost], [16, 0], JSON.stringify(ok.flows));

    c.sh('r2b', 'iptables', ['-A', 'FORWARD', '-d', c.target, '-j', 'DROP']);
    const bad = dataOf(await probeIn(c, 'a', SPREAD, { address: c.target, port: 443, flows: 16 }, 1200), 'tcp.spread');
    assert.ok(bad.answered > 0 && bad.lost > 0, `both kinds of flows expected: ${JSON.stringify(bad.flows)}`);
    assert.equal(bad.answered + bad.lost, 16);

    const answered = bad.flows.filter((f) => f.outcome === 'answered').map((f) => f.sport);
    const lost = bad.flows.filter((f) => f.outcome === 'lost').map((f) => f.sport);
    const flows = [answered[0]!, lost[0]!];
    const t = dataOf(await probeIn(c, 'a', TRACE, { address: c.target, proto: 'tcp', port: 443, count: 3, flows }, 1500), 'trace.path');
    assert.deepEqual(
      t.paths.map((p) => p.flow),
      flows.map((f) => `tcp sport ${f}`),
    );
    const [good, broken] = t.paths;
    assert.equal(good!.reached, true);
    assert.equal(broken!.reached, false);
    // The branch: hop 2 is r2a (198.51.100.6) on the working flow, r2b (198.51.100.10) on the lost one.
    assert.equal(good!.hops[1]!.addr, '198.51.100.6');
    assert.equal(broken!.hops[1]!.addr, '198.51.100.10');
  } finally {
    c.destroy();
  }
});
