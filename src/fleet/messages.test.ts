import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLEET_MESSAGES, elapsedText } from './messages.js';

test('every fleet message has English and Chinese text with the same placeholders', () => {
  for (const [key, m] of Object.entries(FLEET_MESSAGES)) {
    assert.ok(m.en.trim().length > 0 && m.zh.trim().length > 0, key);
    const vars = (s: string) => [...s.matchAll(/\{([a-zA-Z]+)\}/g)].map((x) => x[1]).sort();
    assert.deepEqual(vars(m.zh), vars(m.en), `${key}: placeholders differ`);
    // Chinese text is Chinese, unless nothing but placeholders, symbols and program names remains.
    const rest = m.zh
      .replace(/\{[a-zA-Z]+\}/g, '')
      .replace(/netdx|server|agent/g, '')
      .replace(/[^A-Za-z\u4e00-\u9fff]/g, '');
    if (rest.length > 0) assert.match(m.zh, /[\u4e00-\u9fff]/, key);
  }
});

test('elapsed times read naturally in both languages', () => {
  assert.equal(elapsedText(95_000, 'en'), '1 min 35 s');
  assert.equal(elapsedText(95_000, 'zh'), '1 分 35 秒');
  assert.equal(elapsedText(6 * 3_600_000, 'en'), '6 h');
  assert.equal(elapsedText(400, 'zh'), '0 秒');
});
