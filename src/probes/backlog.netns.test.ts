/** The accept-backlog test against a server that accepts slowly with a tiny listen queue (namespaces a – r1 – b). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { available, chain, probeIn, waitListening } from '../native/testing-netns.js';
import type { Observation } from '../model/observation.js';
import { rule } from '../rules/tcp-005-accept-backlog.js';
import { run as runRule } from '../rules/fixtures.js';

const skip = available() ?? (existsSync('/usr/bin/python3') ? false : 'python3 (the slow test server) is not installed');
const BACKLOG = new URL('./backlog.js', import.meta.url);
// listen(1) and one accept every 50 ms: the queue overflows under a burst of connects.
const SLOW = (backlog: number, pause: number): string =>
  `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('0.0.0.0',9000))\ns.listen(${backlog})\nk=[]\nwhile True:\n  c,_=s.accept()\n  k.append(c)\n  time.sleep(${pause})\n`;

async function backlogAgainst(server: string): Promise<Observation[]> {
  const c = chain(1, `bl${server.length % 100}`);
  try {
    c.spawn('b', '/usr/bin/python3', ['-c', server]);
    await waitListening(c, 'b', 9000);
    return await probeIn<Observation[]>(c, 'a', BACKLOG, { address: c.target, port: 9000, parallel: 32 }, 8000);
  } finally {
    c.destroy();
  }
}

test('a full listen queue: connects cluster at the SYN retransmission times → TCP-005', { skip }, async () => {
  const obs = await backlogAgainst(SLOW(1, 0.05));
  const b = obs.find((o) => o.kind === 'tcp.backlog');
  assert.ok(b && b.kind === 'tcp.backlog');
  assert.ok(b.data.clusters.first > 0 && b.data.clusters.at1s > 0, JSON.stringify(b.data));
  assert.ok(runRule(rule, obs));
});

test('a server that keeps up: every connect is fast, no finding', { skip }, async () => {
  const obs = await backlogAgainst(SLOW(128, 0));
  const b = obs.find((o) => o.kind === 'tcp.backlog');
  assert.ok(b && b.kind === 'tcp.backlog');
  assert.equal(b.data.clusters.first, 32, JSON.stringify(b.data));
  assert.equal(runRule(rule, obs), null);
});
