import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holdTimes } from './idle.js';

test('holdTimes: geometric 15 % steps from min to max, max included, at most 64', () => {
  const h = holdTimes(1, 8);
  assert.equal(h[0], 1);
  assert.equal(h.at(-1), 8);
  for (let i = 1; i < h.length; i++) assert.ok(h[i]! > h[i - 1]! && h[i]! <= h[i - 1]! * 1.16 + 0.1);
  assert.ok(holdTimes(1, 100_000).length <= 64);
  assert.deepEqual(holdTimes(5, 5), [5]);
});
