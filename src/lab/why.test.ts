/**
 * Why a lab scenario failed, in the chosen language: evaluate() and the runner keep their reasons as
 * messages of the lab catalog; `why` stays the English line the JSON carries, whyText speaks zh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, totals, whyOf, whyText, type ReportView, type RunRecord } from './evaluate.js';
import { LAB_MESSAGES, renderLab, type LabMessage } from './messages.js';
import { renderTable } from './table.js';
import { addReason, type ScenarioRun } from './runner.js';
import { englishProse } from '../rules/zh-fixtures.js';

const report = (p: Partial<ReportView>): ReportView => ({ verdict: 'ok', primary: null, findings: [], durationMs: 100, ...p });
const err = (code: string) => ({ code, severity: 'error' });

/** Every way evaluate() fails a run, with its English line (as before: the JSON and the tests read it) and its zh line. */
const CASES: Array<[string, ReturnType<typeof evaluate>, string, string]> = [
  ['expected', evaluate('TLS-001', [], report({})), 'expected TLS-001, got ok', '预期 TLS-001，实际为 ok'],
  [
    'not primary',
    evaluate('NET-001', [], report({ verdict: 'fault', primary: { code: 'DNS-001' }, findings: [err('DNS-001'), err('NET-001')] })),
    'expected NET-001, got DNS-001 (NET-001 is among the findings, not primary)',
    '预期 NET-001，实际为 DNS-001（NET-001 在发现中，但不是主要原因）',
  ],
  ['also', evaluate('ok', ['NET-005', 'NET-006'], report({})), 'expected also NET-005, NET-006 among the findings', '发现中还应有 NET-005, NET-006'],
  ['healthy', evaluate('ok', [], report({ verdict: 'fault', primary: { code: 'TCP-002' }, findings: [err('TCP-002')] })), 'healthy, but netdx reported TCP-002', '健康场景，但 netdx 报告了 TCP-002'],
  [
    'unknown',
    evaluate('unknown', [], report({ verdict: 'fault', primary: { code: 'TCP-002' } })),
    'expected verdict unknown (could not judge), got TCP-002',
    '预期结论为 unknown（无法判断），实际为 TCP-002',
  ],
  ['layer row', evaluate('TCP-004', [], report({ layers: [{ layer: 'tls', status: 'pass' }] }), { tls: 'unknown' }), 'expected the tls row unknown, got pass', 'tls 层应为 unknown，实际为 pass'],
  ['no layer row', evaluate('TCP-004', [], report({ layers: [] }), { tls: 'unknown' }), 'expected the tls row unknown, got none', 'tls 层应为 unknown，实际为 无此行'],
];

test('evaluate: every failure reason in English (the record and JSON field, unchanged) and in Chinese', () => {
  for (const [label, o, en, zh] of CASES) {
    assert.equal(o.pass, false, label);
    assert.equal(o.why, en, label);
    assert.equal(whyText(o, 'en'), en, label);
    assert.equal(whyText(o, 'zh'), zh, label);
    assert.deepEqual(englishProse(whyText(o, 'zh')), [], label);
  }
  const ok = evaluate('ok', [], report({}));
  assert.deepEqual([ok.why, ok.reasons, whyText(ok, 'zh')], ['', [], '']);
});

test('the runner adds reasons (offline parity, revert) to why and reasons together; nested messages render in the same language', () => {
  const base = evaluate('NET-001', [], report({ verdict: 'fault', primary: { code: 'DNS-001' }, findings: [err('DNS-001')] }));
  const r = { ...base, id: 'net-001-x', expect: 'NET-001', diagnosisMs: 5 } as unknown as ScenarioRun;
  addReason(r, { key: 'why.offline', vars: { got: { key: 'offline.collectFailed', vars: { code: '1', line: 'ip: command not found' } }, expect: 'NET-001' } });
  addReason(r, { key: 'why.revert', vars: { problems: 'undo route: RTNETLINK answers: No such process' } });
  assert.equal(
    r.why,
    "expected NET-001, got DNS-001; offline: netdx analyze on the host's snapshot gave collect failed (exit 1): ip: command not found, expected NET-001; revert: undo route: RTNETLINK answers: No such process",
  );
  assert.equal(
    whyText(r, 'zh'),
    '预期 NET-001，实际为 DNS-001；离线分析：netdx analyze 对该主机快照的结果为 collect 失败（退出码 1）：“ip: command not found”，预期 NET-001；还原失败：“undo route: RTNETLINK answers: No such process”',
  );
  assert.deepEqual(englishProse(whyText(r, 'zh')), []);
  // a run that failed before any judgement (no report, injection): one reason, why built from it
  const inj: LabMessage[] = [{ key: 'why.injection', vars: { error: 'Command failed: ip route del 10.0.0.0/8' } }];
  assert.equal(whyOf(inj), 'injection failed: Command failed: ip route del 10.0.0.0/8');
  assert.equal(whyText({ why: whyOf(inj), reasons: inj }, 'zh'), '注入故障失败：“Command failed: ip route del 10.0.0.0/8”');
});

test('every why/offline message of the lab catalog speaks zh without English prose (values are codes, verdicts or quoted program output)', () => {
  const vars = {
    layer: 'tls',
    want: 'unknown',
    got: 'TCP-002',
    what: 'TCP-002',
    expect: 'NET-001',
    codes: 'NET-005',
    s: 40,
    code: 2,
    line: 'Error: boom happened here',
    error: 'spawn ip ENOENT here now',
    problems: 'restore client: failed badly',
  };
  const keys = Object.keys(LAB_MESSAGES).filter((k) => k.startsWith('why.') || k.startsWith('offline.')) as Array<keyof typeof LAB_MESSAGES>;
  assert.ok(keys.length >= 14);
  for (const key of keys) {
    const zh = renderLab('zh', { key, vars });
    assert.deepEqual(englishProse(zh), [], `${key}: ${zh}`);
    assert.notEqual(zh, renderLab('en', { key, vars }), key);
  }
});

test('the lab table speaks the chosen language on its └ lines; a record without reasons (read back from JSON) shows its why', () => {
  const failed = evaluate('NET-001', [], report({ verdict: 'fault', primary: { code: 'DNS-001' }, findings: [err('DNS-001'), err('NET-001')] }));
  const recs: RunRecord[] = [
    { id: 'net-001-no-route', expect: 'NET-001', diagnosisMs: 120, ...failed },
    { id: 'tcp-001-closed', expect: 'TCP-001', got: 'ok', pass: false, why: 'expected TCP-001, got ok', diagnosisMs: 80 },
  ];
  const zh = renderTable(recs, totals(recs), 'zh');
  assert.match(zh, /└ 预期 NET-001，实际为 DNS-001（NET-001 在发现中，但不是主要原因）\n/);
  assert.match(zh, /└ expected TCP-001, got ok\n/, 'no reasons: the English line as recorded');
  assert.match(renderTable(recs, totals(recs), 'en'), /└ expected NET-001, got DNS-001 \(NET-001 is among the findings, not primary\)\n/);
});
