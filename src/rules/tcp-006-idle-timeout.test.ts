import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './tcp-006-idle-timeout.js';
import { run, tcp } from './fixtures.js';

test('meta is complete and honest: not implemented yet (issue 5)', () => {
  assert.equal(meta.implemented, false);
  assert.equal(rule.meta.implemented, false);
  assert.equal(meta.issue, 5);
  assert.equal(meta.layer, 'transport');
  for (const t of [meta.title, meta.explanation, meta.evidence, ...meta.fix.map((f) => f.summary)]) {
    assert.ok(t.en.length > 10 && t.zh.length > 5);
  }
});

test('valid: the check never pretends (returns null on any input)', () => {
  assert.equal(run(rule, [tcp({ outcome: 'open', after: { event: 'rst', ms: 1 } }), tcp({ outcome: 'filtered' })]), null);
  assert.equal(run(rule, []), null);
});
