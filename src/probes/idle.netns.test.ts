/**
 * The idle-timeout test through a stateful firewall that forgets idle connections after 3 s
 * (conntrack established timeout 3 s, no loose pickup, INVALID dropped) in r1 of a – r1 – b.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { available, chain, probeIn, waitListening } from '../native/testing-netns.js';
import { loadNative } from '../native/index.js';
import type { Observation } from '../model/observation.js';
import { rule } from '../rules/tcp-006-idle-timeout.js';
import { run as runRule } from '../rules/fixtures.js';

const skip = available() ?? (loadNative() ? false : 'raw-socket addon unavailable');
const IDLE = new URL('./idle.js', import.meta.url);
const SERVER = "require('net').createServer((s) => s.resume()).listen(7000, '0.0.0.0')";

test('a firewall that forgets idle connections after 3 s: alive below, dead above, found in about 1.5 × the timeout → TCP-006', { skip }, async () => {
  const c = chain(1, 'idle');
  try {
    c.sh('r1', 'iptables', ['-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
    c.sh('r1', 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_tcp_timeout_established=3', 'net.netfilter.nf_conntrack_tcp_loose=0']);
    c.spawn('b', process.execPath, ['-e', SERVER]);
    await waitListening(c, 'b', 7000);
    const obs = await probeIn<Observation[]>(c, 'a', IDLE, { address: c.target, port: 7000, maxSec: 10 }, 15_000);
    const o = obs.find((x) => x.kind === 'tcp.idle');
    assert.ok(o && o.kind === 'tcp.idle');
    const d = o.data;
    assert.ok(d.aliveSec !== null && d.aliveSec >= 2 && d.aliveSec <= 3, JSON.stringify(d));
    assert.ok(d.deadSec !== null && d.deadSec > 3 && d.deadSec <= 3.6, JSON.stringify(d));
    assert.ok(d.ms <= 1.5 * 3000 + 500, `search took ${d.ms} ms`);
    assert.ok(
      d.holds.some((h) => h.outcome === 'not-tested'),
      'longer holds are not waited for',
    );
    const f = runRule(rule, obs);
    assert.ok(f);
    assert.match(f.fix[0]!.command ?? '', /^sysctl -w net\.ipv4\.tcp_keepalive_time=2 /);
  } finally {
    c.destroy();
  }
});
