/**
 * The other commands speak zh: `netdx trace`, `firewall check`, `route explain` and the lab's
 * table, rendered in zh from fixtures, keep no untranslated English prose (src/report/prose.ts);
 * the analyzers' sentences (firewall reason, derived facts, route why and notes) are messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTrace } from './trace.js';
import { renderFirewallText, renderRouteText } from './analyze.js';
import { assertNoEnglish } from './prose.js';
import { renderMsg } from '../model/message.js';
import { checkFirewall, explainRoute } from '../analyze/index.js';
import { labSnapshot, snapshotOf, systemFixture } from '../analyze/test-fixtures.js';
import { parseRoutes } from '../system/parse/routes.js';
import { parsePolicyRules } from '../system/parse/rules.js';
import { hop, path, routerAddr, trace } from '../rules/trace-fixtures.js';
import { traceFindings } from '../cli/trace.js';
import { renderTable } from '../lab/table.js';
import { totals, type RunRecord } from '../lab/evaluate.js';

/** Rule text copied from iptables-save / ip rule / ip route is data: drop those parts before the check. */
const prose = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.replace(/-A [A-Z]+ .*$/, '').replace(/(from|default|blackhole) .*?(?=—|$)/, '').replace(/\b(via|dev|table|metric|lookup|fwmark|scope|proto|src|pref)\b \S+/g, ''))
    .join('\n');

test('zh: netdx trace (table, annotations, findings with their fix)', () => {
  const tr = trace(path(3, { 1: { recv: 6, rateLimited: true } })).data;
  const text = renderTrace(tr, [], 'zh', 1234);
  assert.match(text, /跳\s+主机\s+丢包率/);
  assertNoEnglish(text, 'trace zh');
  const unr = [hop(1), hop(2, { icmp: { type: 3, code: 13, from: routerAddr(2), name: 'admin-prohibited' } })];
  const obs = [trace(unr)];
  const findings = traceFindings(obs, '203.0.113.10', '203.0.113.10', 'en');
  assert.ok(findings.length > 0);
  const zh = renderTrace(obs[0]!.data, findings, 'zh', 10);
  assert.match(zh, /NET-010/);
  assertNoEnglish(zh, 'trace zh with findings');
});

test('zh: netdx firewall check (verdict reason, derived facts, trace) for drop, accept and unknown flows', () => {
  const s = labSnapshot('a', 'client-output');
  const flows = [
    { chain: 'OUTPUT' as const, proto: 'tcp' as const, src: null, dst: '203.0.113.5', dport: 443 },
    { chain: 'OUTPUT' as const, proto: 'tcp' as const, src: null, dst: '203.0.113.5', dport: 80 },
    { chain: 'OUTPUT' as const, proto: 'udp' as const, src: null, dst: '198.51.100.9', dport: 53 },
    { chain: 'OUTPUT' as const, proto: 'tcp' as const, src: null, dst: 'not-an-ip', dport: 80 },
  ];
  for (const f of flows) {
    const c = checkFirewall(s, f);
    assert.ok(c.reasonMsg, `a reason message for ${f.dst}:${f.dport}`);
    assert.equal(c.reason, renderMsg(c.reasonMsg, 'en'));
    assert.equal(c.flow.derived.length, c.flow.derivedMsgs?.length ?? 0);
    assertNoEnglish(prose(renderFirewallText(c, 'zh')), `firewall ${f.proto} ${f.dst}:${f.dport}`);
  }
});

test('zh: netdx route explain (why, each policy rule note) with marks, no route and a bad address', () => {
  const s = snapshotOf({
    routes: { ok: true, value: [...parseRoutes(systemFixture('lab-ip-route4.json'), 4), ...parseRoutes(systemFixture('lab-ip-route6.json'), 6)] },
    rules: { ok: true, value: [...parsePolicyRules(systemFixture('lab-ip-rule4.json'), 4), ...parsePolicyRules(systemFixture('lab-ip-rule6.json'), 6)] },
  });
  for (const [dst, mark] of [['100.100.1.1', 1], ['100.100.1.1', 0], ['203.0.113.77', 2], ['2001:db8::99', 0], ['nowhere', 0]] as const) {
    const e = explainRoute(s, dst, mark ? { mark } : {});
    assert.ok(e.whyMsg, `a why message for ${dst}`);
    for (const st of e.steps) assert.ok(st.noteMsg, `a note message for rule ${st.priority}`);
    assertNoEnglish(prose(renderRouteText(dst, e, 'zh')), `route ${dst} mark ${mark}`);
  }
});

test('zh: the lab table (rows, pending, totals)', () => {
  const rec = (id: string, expect: RunRecord['expect'], got: string, pass: boolean, ms: number | null, extra: Partial<RunRecord> = {}): RunRecord => ({ id, expect, got, pass, why: '', diagnosisMs: ms, ...extra });
  const records = [rec('ok-a', 'ok', 'ok', true, 100, { offline: { expect: 'ok', got: 'ok', pass: true, ms: 9 } }), rec('net-001-a', 'NET-001', 'TCP-002', false, 200), rec('net-003-a', 'NET-003', 'ok', false, 900, { pendingIssue: 5 })];
  const text = renderTable(records, totals(records), 'zh');
  assert.match(text, /准确率/);
  assertNoEnglish(text, 'lab table zh');
});
