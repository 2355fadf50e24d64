import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { search, spread } from './pmtu.js';

const never = new AbortController().signal;

test('spread: evenly inside the open interval, every size when the gap is small', () => {
  assert.deepEqual(spread(100, 105, 12), [101, 102, 103, 104]);
  assert.deepEqual(spread(100, 101, 12), []);
  const s = spread(68, 1501, 12);
  assert.equal(s.length, 12);
  assert.ok(s.every((x, i) => x > 68 && x < 1501 && (i === 0 || x > s[i - 1]!)));
});

test('search: finds the exact limit for any path MTU in a few parallel rounds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 68, max: 1500 }), async (mtu) => {
      const s = await search(68, 1501, async (size) => (size <= mtu ? 'pass' : 'fail'), never, 1500);
      assert.equal(s.lo, mtu);
      assert.equal(s.hi, mtu === 1500 ? 1501 : mtu + 1);
      assert.ok(s.probes <= 4 * 13, `probes ${s.probes}`);
    }),
    { numRuns: 200 },
  );
});

test('search: a frag-needed MTU is recorded and tried exactly', async () => {
  const probed: number[] = [];
  const s = await search(
    68,
    1501,
    async (size) => {
      probed.push(size);
      return size <= 1400 ? 'pass' : { from: '198.51.100.6', mtu: 1400 };
    },
    never,
  );
  assert.deepEqual([s.lo, s.hi], [1400, 1401]);
  assert.deepEqual(s.fragNeeded, { from: '198.51.100.6', mtu: 1400 });
  assert.ok(probed.includes(1400));
});

test('search: a lost small probe (a fail below a pass) does not lower the limit', async () => {
  let first = true;
  const s = await search(
    68,
    1501,
    async (size) => {
      if (size < 300 && first) {
        first = false;
        return 'fail';
      }
      return size <= 1280 ? 'pass' : 'fail';
    },
    never,
  );
  assert.deepEqual([s.lo, s.hi], [1280, 1281]);
});
