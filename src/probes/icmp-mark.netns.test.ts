/** Echoes with a firewall mark take the route policy routing gives that mark (namespaces a – r1 – b). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, chain, probeIn } from '../native/testing-netns.js';
import type { Observation } from '../model/observation.js';

const skip = available() ?? false;
const ICMP = new URL('./icmp.js', import.meta.url);
const DF = new URL('./df-ping.js', import.meta.url);

test('icmp and DF probes with a mark follow the mark’s routing rule (a wg-quick full tunnel’s fwmark)', { skip }, async () => {
  const c = chain(1, 'mk');
  try {
    // marked packets look up table 100, which blackholes the target; unmarked ones take the main table
    c.sh('a', 'ip', ['rule', 'add', 'fwmark', '7', 'lookup', '100', 'pref', '100']);
    c.sh('a', 'ip', ['route', 'add', 'blackhole', `${c.target}/32`, 'table', '100']);
    const echo = async (mark?: number) =>
      (await probeIn<Observation[]>(c, 'a', ICMP, { address: c.target, count: 2, ...(mark ? { mark } : {}) }, 3000)).find((o) => o.kind === 'icmp.echo')?.data as { received: number; method: string };
    const plain = await echo();
    assert.equal(plain.received, 2, JSON.stringify(plain));
    const marked = await echo(7);
    assert.equal(marked.received, 0, JSON.stringify(marked));
    const df = async (mark?: number) => probeIn<{ outcome: string }>(c, 'a', DF, { address: c.target, size: 1000, timeoutMs: 500, ...(mark ? { mark } : {}) }, 3000);
    assert.equal((await df()).outcome, 'pass');
    assert.notEqual((await df(7)).outcome, 'pass');
  } finally {
    c.destroy();
  }
});
