import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-013-one-way-loss.js';
import { assertFinding, run } from './fixtures.js';
import { view } from './responder-fixtures.js';

const loss = (sent: number, arrived: number | null, answered: number) => ({ sent, arrived, answered, forwardMs: null, returnMs: null });

test('invalid: all 30 arrive, 12 answers lost → return-path loss', () => {
  const f = assertFinding(rule, run(rule, [view({ seen: { address: '198.51.100.9', port: 1 }, loss: loss(30, 30, 18) })]));
  assert.equal(f.title, 'Packets are lost on the return (server → client) path only: 12 of 30 (40%)');
  assert.match(f.explanation, /203\.0\.113\.2 → 198\.51\.100\.9/);
});

test('invalid: forward loss, zh', () => {
  const f = assertFinding(rule, run(rule, [view({ loss: loss(30, 20, 20) })], { lang: 'zh' }));
  assert.match(f.title, /去程/);
});

test('valid: no loss; symmetric loss (NET-007’s case); small loss; the count never came back', () => {
  assert.equal(run(rule, [view()]), null);
  assert.equal(run(rule, [view({ loss: loss(30, 24, 19) })]), null, 'both directions lose about the same');
  assert.equal(run(rule, [view({ loss: loss(30, 30, 28) })]), null);
  assert.equal(run(rule, [view({ loss: loss(30, null, 0) })]), null);
});
