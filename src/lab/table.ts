/**
 * The lab's report as text: one row per scenario (scenario, expected, got, pass/fail, diagnosis
 * time), pending scenarios apart, then the totals. Pure: tested on records.
 */
import type { RunRecord, Totals } from './evaluate.js';
import type { Lang } from '../model/layer.js';
import { defineMessages, renderMsg, type MsgParam } from '../model/message.js';

/** The lab's words (table, totals, the demo's lines), in en and zh. */
export const labText = defineMessages('lab', {
  scenario: { en: 'scenario', zh: '场景' },
  expected: { en: 'expected', zh: '预期' },
  got: { en: 'got', zh: '结果' },
  result: { en: 'result', zh: '判定' },
  would: { en: 'would', zh: '将会' },
  issue: { en: 'issue', zh: 'issue' },
  pass: { en: 'pass', zh: '通过' },
  fail: { en: 'FAIL', zh: '失败' },
  pendingHead: { en: "pending (their fault code's issue is still open; not counted):", zh: '待完成（对应故障代码的 issue 尚未关闭；不计入统计）：' },
  accuracy: { en: 'accuracy     {passed}/{counted} ({pct}%)', zh: '准确率       {passed}/{counted}（{pct}%）' },
  accuracyFailed: { en: 'accuracy     {passed}/{counted} ({pct}%), {failed} failed', zh: '准确率       {passed}/{counted}（{pct}%），{failed} 个失败' },
  falseAlarms: { en: 'false alarms {n} of {healthy} healthy runs', zh: '误报         {healthy} 次正常运行中 {n} 次' },
  diagnosis: { en: 'diagnosis    median {median} ms, worst {worst} ms', zh: '诊断耗时     中位数 {median} 毫秒，最长 {worst} 毫秒' },
  diagnosisWorst: { en: 'diagnosis    median {median} ms, worst {worst} ms ({id})', zh: '诊断耗时     中位数 {median} 毫秒，最长 {worst} 毫秒（{id}）' },
  offline: { en: 'offline      {same}/{checked} snapshots judged by netdx analyze gave the same answer', zh: '离线分析     {checked} 个快照经 netdx analyze 判断，{same} 个结论一致' },
  pending: { en: 'pending      {n} ({passing} already pass)', zh: '待完成       {n} 个（其中 {passing} 个已能通过）' },
  lingered: { en: 'note         netdx did not exit within 1 s of printing its report (stopped by the lab): {ids}', zh: '注意         netdx 输出报告后 1 秒内未退出（已由实验环境终止）：{ids}' },
  wall: { en: 'lab wall time {s} s', zh: '实验总耗时 {s} 秒' },
  wallKept: { en: 'lab wall time {s} s; the lab is still up (run {runid}): netdx lab exec HOST -- CMD, netdx lab down', zh: '实验总耗时 {s} 秒；实验环境仍在运行（run {runid}）：netdx lab exec HOST -- CMD，netdx lab down' },
  demoHead: { en: '(expected {expect})', zh: '（预期 {expect}）' },
  demoHeadPending: { en: '(expected {expect}, pending issue {issue})', zh: '（预期 {expect}，待完成 issue {issue}）' },
  demoResult: { en: '{result}: got {got} in {ms} ms', zh: '{result}：结果 {got}，耗时 {ms} 毫秒' },
  demoOffline: { en: '; offline (netdx analyze on a snapshot of {host}): {got}', zh: '；离线（对 {host} 的快照运行 netdx analyze）：{got}' },
});

const say = (lang: Lang, key: Parameters<typeof labText>[0], params?: Record<string, MsgParam>): string => renderMsg(labText(key, params), lang);
const width = (s: string): number => [...s].reduce((w, ch) => w + ((ch.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1), 0);
const pad = (s: string, n: number): string => (width(s) >= n ? s : s + ' '.repeat(n - width(s)));
const lpad = (s: string, n: number): string => (width(s) >= n ? s : ' '.repeat(n - width(s)) + s);
const ms = (x: number | null): string => (x === null ? '-' : String(Math.round(x)));

function rows(records: readonly RunRecord[], pending: boolean, lang: Lang): string[] {
  const w = Math.max(8, ...records.map((r) => r.id.length));
  const out = [`${pad(say(lang, 'scenario'), w)}  ${pad(say(lang, 'expected'), 8)}  ${pad(say(lang, 'got'), 8)}  ${pad(say(lang, pending ? 'would' : 'result'), 6)}  ${lpad('ms', 6)}${pending ? `  ${say(lang, 'issue')}` : ''}`];
  for (const r of records) {
    const res = say(lang, r.pass ? 'pass' : 'fail');
    out.push(`${pad(r.id, w)}  ${pad(r.expect, 8)}  ${pad(r.got, 8)}  ${pad(res, 6)}  ${lpad(ms(r.diagnosisMs), 6)}${pending ? `  #${r.pendingIssue}` : ''}`);
    if (!r.pass && r.why) out.push(`${' '.repeat(w + 2)}└ ${r.why}`);
  }
  return out;
}

export function renderTable(records: readonly RunRecord[], t: Totals, lang: Lang = 'en'): string {
  const counted = records.filter((r) => r.pendingIssue === undefined);
  const pending = records.filter((r) => r.pendingIssue !== undefined);
  const lines = rows(counted, false, lang);
  if (pending.length > 0) {
    lines.push('', say(lang, 'pendingHead'));
    lines.push(...rows(pending, true, lang));
  }
  const pct = (t.accuracy * 100).toFixed(1);
  lines.push(
    '',
    t.failed > 0 ? say(lang, 'accuracyFailed', { passed: t.passed, counted: t.counted, pct, failed: t.failed }) : say(lang, 'accuracy', { passed: t.passed, counted: t.counted, pct }),
    say(lang, 'falseAlarms', { n: t.falseAlarms, healthy: t.healthyRuns }),
    t.worstId ? say(lang, 'diagnosisWorst', { median: ms(t.medianMs), worst: ms(t.worstMs), id: t.worstId }) : say(lang, 'diagnosis', { median: ms(t.medianMs), worst: ms(t.worstMs) }),
  );
  if (t.offlineChecked > 0) lines.push(say(lang, 'offline', { same: t.offlineSame, checked: t.offlineChecked }));
  if (t.pending > 0) lines.push(say(lang, 'pending', { n: t.pending, passing: t.pendingPassing }));
  const lingered = records.filter((r) => r.lingered).map((r) => r.id);
  if (lingered.length > 0) lines.push(say(lang, 'lingered', { ids: lingered.join(', ') }));
  return lines.join('\n') + '\n';
}

/** One of the lab's lines in `lang` (the demo and run commands). */
export const labLine = say;
