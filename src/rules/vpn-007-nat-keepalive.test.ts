import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-007-nat-keepalive.js';
import { assertFinding, commands, run } from './fixtures.js';
import { SERVER_KEY, VTARGET, healthyTunnel, tunnelIdle } from './vpn-fixtures.js';

const T = { target: VTARGET };

test('invalid: alive after 8 s idle, silent after 16 s, keepalive off → keepalive 6', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelIdle({
          trials: [
            { idleSec: 2, alive: true },
            { idleSec: 4, alive: true },
            { idleSec: 8, alive: true },
            { idleSec: 16, alive: false },
          ],
          aliveAfterSec: 8,
          deadAfterSec: 16,
        }),
      ],
      T,
    ),
  );
  assert.equal(f.title, 'A NAT forgets the tunnel’s UDP mapping after 8–16 s, but the keepalive is off');
  assert.deepEqual(commands(f), [`wg set wg0 peer ${SERVER_KEY} persistent-keepalive 6`]);
  assert.match(f.evidence[0]!.summary, /8 s idle → answers, 16 s idle → silent/);
});

test('invalid: a keepalive longer than the timeout (25 s against a 16 s NAT)', () => {
  assertFinding(
    rule,
    run(
      rule,
      [
        tunnelIdle({
          keepaliveSec: 25,
          trials: [
            { idleSec: 8, alive: true },
            { idleSec: 16, alive: false },
          ],
          aliveAfterSec: 8,
          deadAfterSec: 16,
        }),
      ],
      T,
    ),
  );
});

test('valid: alive through the whole search; a keepalive (ours or the peer’s) shorter than the silence; no idle test', () => {
  assert.equal(run(rule, [tunnelIdle()], T), null);
  assert.equal(run(rule, [tunnelIdle({ keepaliveSec: 10, aliveAfterSec: 8, deadAfterSec: 16 })], T), null);
  assert.equal(run(rule, [tunnelIdle({ peerKeepaliveSec: 5, aliveAfterSec: 8, deadAfterSec: 16 })], T), null);
  assert.equal(run(rule, healthyTunnel(), T), null);
});
