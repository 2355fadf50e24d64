/**
 * The lab's report as text: one row per scenario (scenario, expected, got, pass/fail, diagnosis
 * time), pending scenarios apart, then the totals. Pure: tested on records.
 */
import type { RunRecord, Totals } from './evaluate.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const ms = (x: number | null): string => (x === null ? '-' : String(Math.round(x)));

function rows(records: readonly RunRecord[], pending: boolean): string[] {
  const w = Math.max(8, ...records.map((r) => r.id.length));
  const out = [`${pad('scenario', w)}  ${pad('expected', 8)}  ${pad('got', 8)}  ${pad(pending ? 'would' : 'result', 6)}  ${lpad('ms', 6)}${pending ? '  issue' : ''}`];
  for (const r of records) {
    const res = r.pass ? 'pass' : 'FAIL';
    out.push(`${pad(r.id, w)}  ${pad(r.expect, 8)}  ${pad(r.got, 8)}  ${pad(res, 6)}  ${lpad(ms(r.diagnosisMs), 6)}${pending ? `  #${r.pendingIssue}` : ''}`);
    if (!r.pass && r.why) out.push(`${' '.repeat(w + 2)}└ ${r.why}`);
  }
  return out;
}

export function renderTable(records: readonly RunRecord[], t: Totals): string {
  const counted = records.filter((r) => r.pendingIssue === undefined);
  const pending = records.filter((r) => r.pendingIssue !== undefined);
  const lines = rows(counted, false);
  if (pending.length > 0) {
    lines.push('', `pending (their fault code's issue is still open; not counted):`);
    lines.push(...rows(pending, true));
  }
  lines.push(
    '',
    `accuracy     ${t.passed}/${t.counted} (${(t.accuracy * 100).toFixed(1)}%)${t.failed > 0 ? `, ${t.failed} failed` : ''}`,
    `false alarms ${t.falseAlarms} of ${t.healthyRuns} healthy runs`,
    `diagnosis    median ${ms(t.medianMs)} ms, worst ${ms(t.worstMs)} ms${t.worstId ? ` (${t.worstId})` : ''}`,
  );
  if (t.offlineChecked > 0) lines.push(`offline      ${t.offlineSame}/${t.offlineChecked} snapshots judged by netdx analyze gave the same answer`);
  if (t.pending > 0) lines.push(`pending      ${t.pending} (${t.pendingPassing} already pass)`);
  const lingered = records.filter((r) => r.lingered).map((r) => r.id);
  if (lingered.length > 0) lines.push(`note         netdx did not exit within 1 s of printing its report (stopped by the lab): ${lingered.join(', ')}`);
  return lines.join('\n') + '\n';
}
