import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, meta } from './host-003-clock-skew.js';
import { assertFinding, clock, commands, run } from './fixtures.js';

test('invalid: the local clock is an hour ahead per every source → HOST-003 that explains TLS-001/TLS-002', () => {
  const f = assertFinding(rule, run(rule, [clock([3_600_000, 3_600_400])]));
  assert.equal(f.title, 'The local clock is 3600.4 s ahead of the servers’ time');
  assert.deepEqual(commands(f), ['timedatectl set-ntp true']);
  assert.equal(f.evidence.length, 2);
  assert.ok(meta.explains?.includes('TLS-001') && meta.explains.includes('TLS-002'));
});

test('invalid: behind by two days, in Chinese', () => {
  const f = assertFinding(rule, run(rule, [clock([-172_800_000])], { lang: 'zh' }));
  assert.match(f.title, /慢 172800 秒/);
});

test('valid: skew within the tolerance, sources that disagree, or no source → null', () => {
  assert.equal(run(rule, [clock([30_000])]), null);
  assert.equal(run(rule, [clock([90_000])], { options: { clockToleranceSec: 120 } }), null);
  assert.equal(run(rule, [clock([3_600_000, 200])]), null, 'one server with a wrong clock proves nothing');
  assert.equal(run(rule, [clock([3_600_000, -3_600_000])]), null);
  assert.equal(run(rule, [clock([])]), null);
  assert.equal(run(rule, []), null);
});
