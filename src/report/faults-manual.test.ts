import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleMeta } from '../rules/types.js';
import { displayWidth, faultEntry, faultsJson, faultsMarkdown, faultsTable } from './faults-manual.js';

const m = (code: string, over: Partial<RuleMeta> = {}): RuleMeta => ({
  code,
  slug: `slug-${code.toLowerCase()}`,
  layer: 'network',
  severity: 'error',
  title: { en: `Title ${code} {dst}`, zh: `标题 ${code} {dst}` },
  explanation: { en: 'Why.', zh: '原因。' },
  evidence: { en: 'Proof.', zh: '证据内容。' },
  fix: [{ summary: { en: 'Do it', zh: '这样做' }, command: 'ip route add {prefix} via {gateway}' }, { summary: { en: 'Think', zh: '想一想' } }],
  ...over,
});
const metas = [m('NET-001', { explains: ['DNS-001'] }), m('DNS-001', { layer: 'dns', severity: 'warning' })];

test('displayWidth counts CJK characters as two columns', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('无可用网卡'), 10);
  assert.equal(displayWidth('DNS服务器'), 9);
});

test('the table has a header and one aligned row per code', () => {
  const lines = faultsTable(metas, 'en').trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^CODE\s+SLUG\s+LAYER\s+SEVERITY\s+TITLE$/);
  assert.match(lines[1]!, /^NET-001\s+slug-net-001\s+network\s+error\s+Title NET-001 \{dst\}$/);
  assert.match(lines[2]!, /^DNS-001 .* warning\s+Title DNS-001 /);
  // Columns line up: the title starts at the same display column on every row.
  const col = (l: string, s: string) => displayWidth(l.slice(0, l.indexOf(s)));
  assert.equal(col(lines[1]!, 'Title'), col(lines[0]!, 'TITLE'));
  const zh = faultsTable(metas, 'zh').split('\n');
  assert.equal(col(zh[1]!, '标题 NET'), col(zh[0]!, '标题'));
});

test('one entry shows title, layer, severity, explanation, evidence, fixes and explains', () => {
  const e = faultEntry(metas[0]!, 'en');
  assert.match(e, /^NET-001 slug-net-001 — Title NET-001 \{dst\}\n/);
  assert.match(e, /layer: network · severity: error\n/);
  assert.match(e, /Evidence: Proof\./);
  assert.match(e, /- Do it\n +\$ ip route add \{prefix\} via \{gateway\}\n +- Think/);
  assert.match(e, /Explains: DNS-001/);
  const zh = faultEntry(metas[1]!, 'zh');
  assert.match(zh, /证据：证据内容。/);
});

test('JSON lists every code with slug and layer', () => {
  const j = faultsJson(metas);
  assert.deepEqual(
    j.map((x) => [x.code, x.slug, x.layer]),
    [
      ['NET-001', 'slug-net-001', 'network'],
      ['DNS-001', 'slug-dns-001', 'dns'],
    ],
  );
  assert.deepEqual(j[1]!.explains, []);
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});

test('markdown has both languages, grouped by layer in walk order, with linked explains', () => {
  const md = faultsMarkdown(metas);
  assert.ok(md.indexOf('## dns') < md.indexOf('## network'), 'layers in walk order');
  assert.match(md, /### NET-001 `slug-net-001`/);
  assert.match(md, /\*\*Title NET-001 \{dst\}\*\*/);
  assert.match(md, /\*\*标题 NET-001 \{dst\}\*\*/);
  assert.match(md, /\[DNS-001\]\(#dns-001-slug-dns-001\)/);
  assert.match(md, /- Do it: `ip route add \{prefix\} via \{gateway\}`/);
  assert.match(md, /- 这样做：`ip route add/);
  assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
});

test('a pipe in a title does not break the markdown table', () => {
  const md = faultsMarkdown([m('NET-002', { title: { en: 'a | b', zh: '甲 | 乙' } })]);
  assert.match(md, /a \\\| b/);
});
