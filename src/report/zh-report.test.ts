/**
 * Whole reports speak zh: every finding text and every layer reason of reports the engine builds
 * (live with fake probes, and offline from a snapshot) is a message with en and zh texts, and the
 * zh rendering has no untranslated English prose; the JSON text stays English.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../diagnose/engine.js';
import { analyzeSnapshot } from '../diagnose/offline.js';
import { fakeDeps, fakeSnapshot, route } from '../diagnose/testing.js';
import { DEFAULT_OPTIONS } from '../diagnose/options.js';
import { parseTarget } from '../model/target.js';
import { observation } from '../model/observation.js';
import { renderMsg } from '../model/message.js';
import type { Report } from '../model/report.js';
import { assertSpeaksZh } from '../rules/fixtures.js';
import { assertNoEnglish } from './prose.js';
import { renderText } from './text.js';
import { renderMarkdown } from './markdown.js';

const zh = { ...DEFAULT_OPTIONS, lang: 'zh' as const };

function assertReportSpeaksZh(r: Report, what: string): void {
  for (const f of r.findings) assertSpeaksZh(f);
  for (const l of r.layers) {
    if (l.reason === undefined) continue;
    assert.ok(l.reasonMsg, `${what}: layer ${l.layer} reason is plain text: ${l.reason}`);
    assert.equal(l.reason, renderMsg(l.reasonMsg, 'en'), 'the JSON reason is the English text of its message');
    assertNoEnglish(renderMsg(l.reasonMsg, 'zh', { strict: true, mask: '∎' }), `${what}: layer ${l.layer} (${l.reasonMsg.id})`);
  }
  const text = renderText(r, { lang: 'zh', color: false });
  assert.match(text, /分层检查/);
  assert.doesNotMatch(text, /\{[a-zA-Z0-9_]+\}/, 'no unfilled placeholder');
  assert.match(renderMarkdown(r, 'zh'), /\| 层 \| 状态 \| 毫秒 \| 说明 \|/);
}

const LIVE: Array<[string, string, Parameters<typeof fakeDeps>[0]]> = [
  ['healthy TCP', 'srv.lab.test:5000', {}],
  ['no route', '203.0.113.10:443', { routeLookup: async (dst) => [route(dst, { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' })] }],
  [
    'dead resolvers',
    'srv.lab.test:443',
    {
      systemLookup: async (name) => [observation('dns.system', { name, addresses: [], error: 'EAI_AGAIN', ms: 800 })],
      dnsQuery: async (q) => [observation('dns.query', { server: q.server, port: 53, name: q.name, qtype: q.qtype, transport: 'udp', outcome: 'unreachable', rcode: null, answers: [], cnames: [], truncated: false, ms: 0.1, error: 'ENETUNREACH' })],
      routeLookup: async (dst) => [route(dst, { outcome: 'no-route', dev: null, gateway: null, src: null, route: null, error: 'Network is unreachable' })],
    },
  ],
  ['probe throws', '203.0.113.10', { icmp: async () => { throw new Error('boom'); } }],
  ['http timeout', 'http://203.0.113.10/', { http: async (q) => [observation('http.response', { url: q.url, outcome: 'timeout', status: null, location: null, date: null, server: null, ms: 1500, error: 'no response within 1500 ms' })], pmtu: async () => [] }],
  ['bare host', '203.0.113.10', {}],
];

for (const [what, target, over] of LIVE) {
  test(`zh report (live, fake probes): ${what}`, async () => {
    const { deps } = fakeDeps(over);
    const r = await diagnose(parseTarget(target), zh, deps);
    assert.equal(r.lang, 'zh');
    for (const f of r.findings) assert.equal(f.title, renderMsg(f.titleMsg!, 'en'), 'the JSON title is English');
    assertReportSpeaksZh(r, what);
  });
}

test('zh report (offline analyze): an IP literal and a name, no tunnel', async () => {
  for (const t of ['203.0.113.10:443', 'srv.lab.test:443']) assertReportSpeaksZh(await analyzeSnapshot(fakeSnapshot(), parseTarget(t), zh), `analyze ${t}`);
});
