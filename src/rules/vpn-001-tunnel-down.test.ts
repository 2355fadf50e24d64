import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './vpn-001-tunnel-down.js';
import { echo, http, links, neighbor, routeLookup, run, tcp } from './fixtures.js';

test('VPN-001 is pending (issue #7): the manual says so and the check never reports', () => {
  assert.equal(meta.code, 'VPN-001');
  assert.equal(meta.implemented, false);
  assert.equal(rule.meta.implemented, false);
  assert.equal(meta.issue, 7);
  // Observations that look like this fault and healthy ones alike: no finding until the check exists.
  const broken = [links(), routeLookup(), neighbor(), echo({ received: 0, sent: 10 }), tcp({ outcome: 'filtered' }), http({ outcome: 'timeout', status: null })];
  assert.equal(run(rule, broken), null);
  assert.equal(run(rule, []), null);
});

test('VPN-001 fix templates are commands or plain advice, never <placeholders>', () => {
  for (const f of meta.fix) {
    assert.ok(f.summary.en && f.summary.zh);
    if (f.command) assert.doesNotMatch(f.command, /<[a-z_-]+>/i);
  }
});
