/**
 * The catalog check (ESLint-style build check): src/rules/index.ts must list every code of the
 * project's copy of the fault catalog (docs/contracts/faults.md) with its slug and layer, in order
 * (a code the project adds beyond it takes the next free number of its family, right after it);
 * when the shared contract (../shared/faults.md, beside the checkout) exists, every code of it is
 * here with the same slug and layer, in its order (codes the project adds beyond it are allowed).
 * Every rule has its own test, metas are complete in both languages, explanations form no cycle,
 * and docs/faults.md is the generated manual. A bare clone passes without ../shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { RULES } from './index.js';
import type { RuleMeta } from './types.js';
import { faultsMarkdown } from '../report/faults-manual.js';

// From dist/rules/: the repo root is ../../, the shared folder (when there is one) sits beside the repo.
const ROOT = new URL('../../', import.meta.url);
const CATALOG = new URL('docs/contracts/faults.md', ROOT);
const SHARED = new URL('../../../shared/faults.md', import.meta.url);

interface CatalogEntry {
  code: string;
  slug: string;
  layer: string;
  zhTitle: string | null;
}

/** Parses the fault catalog: `## layer — …` headings and `- \`CODE slug\` — … (中文标题) …` entries. */
export function parseCatalog(text: string): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  let layer: string | null = null;
  for (const line of text.split('\n')) {
    const h = /^## ([a-z]+) —/.exec(line);
    if (h) layer = h[1]!;
    const m = /^- `([A-Z]+-[0-9]{3}) ([a-z0-9-]+)`/.exec(line);
    if (m && layer) {
      // The Chinese title is the first parenthesised run that contains a CJK character.
      const zh = /[（(]([^（()）]*[\u4e00-\u9fff][^（()）]*)[)）]/.exec(line);
      out.push({ code: m[1]!, slug: m[2]!, layer, zhTitle: zh ? zh[1]! : null });
    }
  }
  return out;
}

const catalog = parseCatalog(readFileSync(CATALOG, 'utf8'));
const metas: RuleMeta[] = RULES.map((r) => r.meta);
const fileOf = (m: Pick<RuleMeta, 'code' | 'slug'>) => `${m.code.toLowerCase()}-${m.slug}`;
const placeholders = (s: string): string[] => [...s.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((x) => x[1]!).sort();
const CJK = /[\u4e00-\u9fff]/;

test('the catalog parser reads every layer of faults.md', () => {
  assert.ok(catalog.length >= 48, `parsed ${catalog.length} codes`);
  assert.deepEqual([...new Set(catalog.map((c) => c.layer))], ['host', 'dns', 'network', 'tunnel', 'transport', 'tls', 'app']);
  assert.deepEqual(parseCatalog('## dns — x\n- `DNS-009 foo-bar` — meaning (中文) — e'), [{ code: 'DNS-009', slug: 'foo-bar', layer: 'dns', zhTitle: '中文' }]);
});

test('RULES lists every code of docs/contracts/faults.md (slug, layer, catalog order); codes the project adds beyond it take the next free number of their layer, after it', () => {
  const known = new Set(catalog.map((c) => c.code));
  assert.deepEqual(
    metas.filter((m) => known.has(m.code)).map((m) => `${m.code} ${m.slug} ${m.layer}`),
    catalog.map((c) => `${c.code} ${c.slug} ${c.layer}`),
  );
  for (const [i, m] of metas.entries()) {
    if (known.has(m.code)) continue;
    const prefix = m.code.slice(0, m.code.indexOf('-'));
    const same = metas.filter((x) => x.code.startsWith(`${prefix}-`));
    // the next free number: one above the highest before it in its family, and in its layer's block
    const prev = metas[i - 1];
    assert.ok(prev && prev.code.startsWith(`${prefix}-`) && Number(prev.code.slice(-3)) + 1 === Number(m.code.slice(-3)), `${m.code}: follows ${prev?.code} directly`);
    assert.equal(m.layer, same[0]!.layer, `${m.code}: layer of its family`);
  }
});

/** The shared catalog's codes missing here, changed here, or out of its order; codes beyond it are fine. */
export function sharedMismatches(shared: CatalogEntry[], ours: Array<Pick<CatalogEntry, 'code' | 'slug' | 'layer'>>): string[] {
  const out: string[] = [];
  let last = -1;
  for (const c of shared) {
    const i = ours.findIndex((m) => m.code === c.code);
    if (i < 0) out.push(`${c.code} missing`);
    else if (ours[i]!.slug !== c.slug || ours[i]!.layer !== c.layer) out.push(`${c.code}: ${ours[i]!.slug} ${ours[i]!.layer}, shared says ${c.slug} ${c.layer}`);
    else if (i < last) out.push(`${c.code} out of the shared order`);
    else last = i;
  }
  return out;
}

test('the shared contract (../shared/faults.md), when present: every code of it is here, same slug, layer and order; added codes allowed', (t) => {
  const extra = { code: 'NET-099', slug: 'added-here', layer: 'network' };
  assert.deepEqual(sharedMismatches(catalog, [...metas, extra]), [], 'a code the project adds beyond the shared list is accepted');
  assert.deepEqual(sharedMismatches(catalog.slice(0, 2), [metas[1]!, metas[0]!]), [`${catalog[1]!.code} out of the shared order`]);
  assert.deepEqual(sharedMismatches([{ ...catalog[0]!, slug: 'other' }], metas), [`${catalog[0]!.code}: ${metas[0]!.slug} ${metas[0]!.layer}, shared says other ${catalog[0]!.layer}`]);
  if (!existsSync(SHARED)) return t.skip('no ../shared beside this checkout (a bare clone): the project copy alone is checked');
  assert.deepEqual(sharedMismatches(parseCatalog(readFileSync(SHARED, 'utf8')), metas), []);
});

test('codes and slugs are unique', () => {
  assert.equal(new Set(metas.map((m) => m.code)).size, metas.length);
  assert.equal(new Set(metas.map((m) => m.slug)).size, metas.length, 'two rules share a slug');
});

test('index.ts imports each rule from its own file named code-slug, and each has a test file', () => {
  const index = readFileSync(new URL('src/rules/index.ts', ROOT), 'utf8');
  for (const m of metas) {
    const name = fileOf(m);
    assert.match(index, new RegExp(`from '\\./${name}\\.js'`), `index.ts does not import ./${name}.js`);
    assert.ok(existsSync(new URL(`src/rules/${name}.ts`, ROOT)), `src/rules/${name}.ts missing`);
    assert.ok(existsSync(new URL(`src/rules/${name}.test.ts`, ROOT)), `src/rules/${name}.test.ts missing: every rule needs its own test`);
  }
});

test('every meta is complete in en and zh', () => {
  for (const m of metas) {
    for (const key of ['title', 'explanation', 'evidence'] as const) {
      assert.ok(m[key].en.trim().length > 0, `${m.code} ${key}.en empty`);
      assert.ok(m[key].zh.trim().length > 0, `${m.code} ${key}.zh empty`);
      assert.match(m[key].zh, CJK, `${m.code} ${key}.zh is not Chinese`);
      assert.deepEqual(placeholders(m[key].zh), placeholders(m[key].en), `${m.code} ${key}: en and zh use different placeholders`);
    }
    assert.ok(m.fix.length > 0, `${m.code} has no fix`);
    for (const f of m.fix) {
      assert.ok(f.summary.en.trim() && f.summary.zh.trim(), `${m.code} fix summary empty`);
      assert.match(f.summary.zh, CJK, `${m.code} fix summary.zh is not Chinese`);
      assert.deepEqual(placeholders(f.summary.zh), placeholders(f.summary.en), `${m.code} fix "${f.summary.en}": en and zh use different placeholders`);
    }
    assert.ok(m.severity === 'error' || m.severity === 'warning' || m.severity === 'info');
  }
});

test('the Chinese title of each meta uses the catalog’s Chinese title', () => {
  for (const m of metas) {
    const c = catalog.find((x) => x.code === m.code);
    if (!c) continue; // a code the project added beyond faults.md: its meta is its documentation
    if (!c?.zhTitle) continue;
    assert.ok(m.title.zh.includes(c.zhTitle), `${m.code} zh title "${m.title.zh}" does not contain "${c.zhTitle}"`);
  }
});

test('fix command templates are real commands whose placeholders the check fills', () => {
  for (const m of metas) {
    const file = readFileSync(new URL(`src/rules/${fileOf(m)}.ts`, ROOT), 'utf8');
    // The rule's code with the {placeholders} of the templates removed: a filled name must appear in it.
    const code = file.replace(/\{[a-zA-Z0-9_]+\}/g, '');
    for (const f of m.fix) {
      if (!f.command) continue;
      assert.doesNotMatch(f.command, /<[a-zA-Z_-]+>/, `${m.code}: '<…>' placeholder in ${f.command}`);
      assert.doesNotMatch(f.command, /\b(ADDRESS|GATEWAY|PREFIX|DEV|IFACE)\b/, `${m.code}: an upper-case pseudo placeholder in ${f.command}`);
      for (const p of placeholders(f.command)) {
        assert.ok(new RegExp(`\\b${p}\\b`).test(code), `${m.code}: {${p}} in '${f.command}' is never filled by the check`);
      }
    }
  }
});

test('explains refers to known codes, never to itself, only from error rules, and has no cycle', () => {
  const codes = new Set(metas.map((m) => m.code));
  const graph = new Map(metas.map((m) => [m.code, m.explains ?? []]));
  for (const m of metas) {
    for (const c of m.explains ?? []) {
      assert.ok(codes.has(c), `${m.code} explains unknown ${c}`);
      assert.notEqual(c, m.code, `${m.code} explains itself`);
    }
    if (m.severity !== 'error') assert.equal((m.explains ?? []).length, 0, `${m.code}: a warning never explains (it is never primary)`);
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (c: string, path: string[]): void => {
    if (state.get(c) === 'done') return;
    assert.notEqual(state.get(c), 'open', `explains cycle: ${[...path, c].join(' → ')}`);
    state.set(c, 'open');
    for (const n of graph.get(c) ?? []) visit(n, [...path, c]);
    state.set(c, 'done');
  };
  for (const c of codes) visit(c, []);
});

test('docs/faults.md is the generated manual (run `npm run docs` after changing a meta)', () => {
  const path = new URL('docs/faults.md', ROOT);
  assert.ok(existsSync(path), 'docs/faults.md missing: node bin/netdx.js faults --markdown > docs/faults.md');
  const have = readFileSync(path, 'utf8').split('\n');
  const want = faultsMarkdown(metas).split('\n');
  const i = want.findIndex((line, n) => have[n] !== line);
  const at = i < 0 && have.length !== want.length ? Math.min(have.length, want.length) : i;
  assert.equal(at, -1, `docs/faults.md is stale from line ${at + 1} (has ${JSON.stringify(have[at] ?? '<end>')}, expected ${JSON.stringify(want[at] ?? '<end>')}): run npm run docs`);
});

test('the manual names every code with its slug and layer, in both languages', () => {
  const md = faultsMarkdown(metas);
  for (const m of metas) {
    assert.ok(md.includes(`### ${m.code} \`${m.slug}\``), `${m.code} has no section`);
    assert.ok(md.includes(m.title.en) && md.includes(m.title.zh), `${m.code} titles missing`);
  }
});
