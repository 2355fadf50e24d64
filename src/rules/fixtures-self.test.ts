import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertMessages, assertSameInBothLanguages, ctx } from './fixtures.js';
import { said } from './helpers.js';
import { defineMessages, evidence, makeFinding, msg, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  code: 'TST-901',
  slug: 'self-check',
  layer: 'transport',
  severity: 'error',
  title: { en: 'The port is {state}', zh: '端口{state}' },
  explanation: { en: 'x', zh: '甲' },
  evidence: { en: 'x', zh: '甲' },
  fix: [],
};
const M = defineMessages('TST-901', {
  seen: msg(
    (p: { n: number }) => `${p.n} seen`,
    (p) => `看到 ${p.n} 个`,
  ),
});

test('the fixtures’ checks fail on a word of one language hidden in a message’s params', () => {
  const leaky: Rule = { meta, check: (c) => makeFinding(meta, c, { vars: { state: said(c.lang, 'refused') }, evidence: [evidence('tcp.connect', M.seen({ n: 2 }))] }) };
  const c = ctx();
  const f = leaky.check(c)!;
  assertMessages(f, c.lang); // each text alone is fine…
  assert.throws(() => assertSameInBothLanguages(leaky, c, f), /TST-901\.title renders "端口refused"/); // …but the English report read in Chinese is not
});

test('the fixtures’ checks pass a rule whose params are neutral and fail a text without a message', () => {
  const neutral: Rule = { meta, check: (c) => makeFinding(meta, c, { vars: { state: 'open' }, title: 'plain text', evidence: [evidence('tcp.connect', M.seen({ n: 2 }))] }) };
  const c = ctx();
  const f = neutral.check(c)!;
  assert.throws(() => assertMessages(f, c.lang), /title: no message id for "plain text"/);
  const good: Rule = { meta, check: (cc) => makeFinding(meta, cc, { vars: { state: 'x' }, evidence: [evidence('tcp.connect', M.seen({ n: 2 }))] }) };
  const g = good.check(c)!;
  assertMessages(g, c.lang);
  assertSameInBothLanguages(good, c, g);
});
