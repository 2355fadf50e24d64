/**
 * The message catalog is complete: every id has an en and a zh text with the same placeholders,
 * and no zh text is untranslated English prose. Every module that declares messages is imported
 * here so that its texts are registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, msg, renderMsg } from '../model/message.js';
import { RULES } from '../rules/index.js';
import { registerMeta } from '../rules/types.js';
import { englishRuns } from './prose.js';
import './messages.js';
import '../rules/words.js';
import '../model/error-messages.js';

for (const r of RULES) registerMeta(r.meta);

const placeholders = (s: string): string[] => [...s.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((x) => x[1]!).sort();

test('every message id has an en and a zh text with the same placeholders', () => {
  const bad: string[] = [];
  for (const [id, text] of allMessages()) {
    if (typeof text.en !== 'string' || text.en.trim() === '') bad.push(`${id}: no en text`);
    if (typeof text.zh !== 'string' || text.zh.trim() === '') bad.push(`${id}: no zh text`);
    else if (placeholders(text.en).join() !== placeholders(text.zh).join()) bad.push(`${id}: placeholders differ: en {${placeholders(text.en).join(',')}} zh {${placeholders(text.zh).join(',')}}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(allMessages().size > 300, `only ${allMessages().size} messages registered`);
});

test('no zh text of the catalog is untranslated English prose', () => {
  const bad: string[] = [];
  for (const [id, text] of allMessages()) {
    const runs = englishRuns(text.zh.replace(/\{[a-zA-Z0-9_]+\}/g, '∎'));
    if (runs.length > 0) bad.push(`${id}: ${runs.join(' | ')}`);
  }
  assert.deepEqual(bad, []);
});

test('a message id nobody registered, or a missing parameter, is an error in strict rendering and visible otherwise', () => {
  assert.throws(() => renderMsg(msg('no.such.id'), 'zh', true), /not in the catalog/);
  assert.equal(renderMsg(msg('no.such.id'), 'zh'), 'no.such.id');
  assert.throws(() => renderMsg(msg('report.heading'), 'zh', true), /no parameter 'target'/);
  assert.equal(renderMsg(msg('report.heading', { target: 'a.lab.test' }), 'zh'), 'netdx 诊断 a.lab.test');
});
