import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate as judge, median, totals, type Outcome, type ReportView, type RunRecord } from './evaluate.js';
import { renderTable } from './table.js';

/** evaluate's English outcome (its reasons, in both languages, are tested in why.test.ts). */
const evaluate = (...a: Parameters<typeof judge>): Omit<Outcome, 'reasons'> => {
  const { pass, got, why } = judge(...a);
  return { pass, got, why };
};

const report = (p: Partial<ReportView>): ReportView => ({ verdict: 'ok', primary: null, findings: [], durationMs: 100, ...p });
const err = (code: string) => ({ code, severity: 'error' });
const warn = (code: string) => ({ code, severity: 'warning' });

test('a fault scenario passes only when the primary is the expected code', () => {
  assert.deepEqual(evaluate('NET-001', [], report({ verdict: 'fault', primary: { code: 'NET-001' }, findings: [err('NET-001'), err('DNS-001')] })), { pass: true, got: 'NET-001', why: '' });
  assert.deepEqual(evaluate('NET-001', [], report({ verdict: 'fault', primary: { code: 'DNS-001' }, findings: [err('DNS-001'), err('NET-001')] })), {
    pass: false,
    got: 'DNS-001',
    why: 'expected NET-001, got DNS-001 (NET-001 is among the findings, not primary)',
  });
  assert.deepEqual(evaluate('TLS-001', [], report({})), { pass: false, got: 'ok', why: 'expected TLS-001, got ok' });
});

test('a healthy scenario passes with ok or degraded and no error finding; expected warnings must be there', () => {
  assert.equal(evaluate('ok', [], report({})).pass, true);
  assert.deepEqual(evaluate('ok', ['NET-005'], report({ verdict: 'degraded', findings: [warn('NET-005')] })), { pass: true, got: 'degraded', why: '' });
  assert.deepEqual(evaluate('ok', ['NET-005'], report({ verdict: 'ok' })), { pass: false, got: 'ok', why: 'expected also NET-005 among the findings' });
  assert.deepEqual(evaluate('ok', [], report({ verdict: 'fault', primary: { code: 'TCP-002' }, findings: [err('TCP-002')] })), {
    pass: false,
    got: 'TCP-002',
    why: 'healthy, but netdx reported TCP-002',
  });
  // An error finding without a primary is a broken report, never a pass.
  assert.equal(evaluate('ok', [], report({ verdict: 'degraded', findings: [err('NET-007')] })).pass, false);
});

test('alsoExpect applies to fault scenarios too', () => {
  const r = report({ verdict: 'fault', primary: { code: 'NET-004' }, findings: [err('NET-004')] });
  assert.deepEqual(evaluate('NET-004', ['VPN-003'], r), { pass: false, got: 'NET-004', why: 'expected also VPN-003 among the findings' });
});

test('median of odd and even counts, and of nothing', () => {
  assert.equal(median([]), null);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

const rec = (id: string, expect: RunRecord['expect'], got: string, pass: boolean, ms: number | null, extra: Partial<RunRecord> = {}): RunRecord => ({
  id,
  expect,
  got,
  pass,
  why: pass ? '' : `expected ${expect}, got ${got}`,
  diagnosisMs: ms,
  ...extra,
});

test('totals: accuracy over non-pending runs, false alarms on healthy runs, median and worst time', () => {
  const records = [
    rec('ok-a', 'ok', 'ok', true, 100, { offline: { expect: 'ok', got: 'ok', pass: true, ms: 9 } }),
    rec('ok-b', 'ok', 'TCP-002', false, 300, { offline: { expect: 'ok', got: 'NET-006', pass: false, ms: 9 } }),
    rec('ok-c', 'ok', 'error', false, null),
    rec('net-001-a', 'NET-001', 'NET-001', true, 200),
    rec('net-003-a', 'NET-003', 'ok', false, 9000, { pendingIssue: 5 }),
    rec('net-007-a', 'NET-007', 'NET-007', true, 50, { pendingIssue: 5 }),
  ];
  const t = totals(records);
  assert.deepEqual(t, {
    scenarios: 6,
    counted: 4,
    passed: 2,
    failed: 2,
    accuracy: 0.5,
    healthyRuns: 3,
    falseAlarms: 1,
    pending: 2,
    pendingPassing: 1,
    medianMs: 200,
    worstMs: 300,
    offlineChecked: 2,
    offlineSame: 1,
    zhChecked: 0,
    zhClean: 0,
    worstId: 'ok-b',
  });
  const text = renderTable(records, t);
  assert.match(text, /^ok-b +ok +TCP-002 +FAIL +300$/m);
  assert.match(text, /└ expected ok, got TCP-002/);
  assert.match(text, /pending \(their fault code's issue is still open; not counted\):\n/);
  assert.match(text, /^net-003-a +NET-003 +ok +FAIL +9000 +#5$/m);
  assert.match(text, /^accuracy +2\/4 \(50\.0%\), 2 failed$/m);
  assert.match(text, /^false alarms 1 of 3 healthy runs$/m);
  assert.match(text, /^diagnosis +median 200 ms, worst 300 ms \(ok-b\)$/m);
  assert.match(text, /^offline +1\/2 snapshots judged by netdx analyze gave the same answer$/m);
  // The pending section comes after every counted row.
  assert.ok(text.indexOf('net-003-a') > text.indexOf('net-001-a'));
});

test('totals of an empty run', () => {
  const t = totals([]);
  assert.equal(t.accuracy, 1);
  assert.equal(t.medianMs, null);
  assert.match(renderTable([], t), /diagnosis +median - ms, worst - ms\n/);
});

test('layerStatus: a pinned layer row must have that status (a failed TLS layer never says pass)', () => {
  const r = { verdict: 'fault' as const, primary: { code: 'TCP-004' }, findings: [{ code: 'TCP-004', severity: 'error' }], durationMs: 5, layers: [{ layer: 'tls', status: 'pass' }] };
  assert.equal(evaluate('TCP-004', [], r, { tls: 'unknown' }).pass, false);
  assert.match(evaluate('TCP-004', [], r, { tls: 'unknown' }).why, /expected the tls row unknown, got pass/);
  assert.equal(evaluate('TCP-004', [], { ...r, layers: [{ layer: 'tls', status: 'unknown' }] }, { tls: 'unknown' }).pass, true);
});

test("expect 'unknown': only verdict unknown passes; ok fails on verdict unknown", () => {
  const u = { verdict: 'unknown' as const, primary: null, findings: [], durationMs: 5 };
  assert.equal(evaluate('unknown', [], u).pass, true);
  assert.equal(evaluate('unknown', [], { ...u, verdict: 'ok' }).pass, false);
  assert.equal(evaluate('ok', [], u).pass, false);
});
