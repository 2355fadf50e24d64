import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-012-mss-clamped.js';
import { assertFinding, run } from './fixtures.js';
import { view } from './responder-fixtures.js';

const syn = (mss: number | null) => ({ ttl: 61, hops: 3, mss, wscale: 7, sackOk: true, timestamps: true, window: 64240, options: ['mss'] });

test('invalid: 1460 offered, 1200 arrived → NET-012 with both values', () => {
  const f = assertFinding(rule, run(rule, [view({ syn: syn(1200) })]));
  assert.equal(f.title, 'A middlebox clamps the TCP MSS: 1460 offered, 1200 arrived');
  assert.match(f.explanation, /MTU below 1500/);
  assert.match(f.evidence[0]!.summary, /MSS 1460.*received MSS 1200/);
});

test('invalid: zh', () => {
  assert.match(assertFinding(rule, run(rule, [view({ syn: syn(1360) })], { lang: 'zh' })).title, /MSS/);
});

test('valid: same MSS; no SYN view (no addon); no offered MSS; no MSS option', () => {
  assert.equal(run(rule, [view()]), null);
  assert.equal(run(rule, [view({ syn: null, synSkipped: 'addon' })]), null);
  assert.equal(run(rule, [view({ offeredMss: null, syn: syn(1200) })]), null);
  assert.equal(run(rule, [view({ syn: syn(null) })]), null);
});
