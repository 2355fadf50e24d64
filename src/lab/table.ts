/**
 * The lab's report as text: one row per scenario (scenario, expected, got, pass/fail, diagnosis
 * time), pending scenarios apart, then the totals. Pure: tested on records.
 */
import type { Lang } from '../model/layer.js';
import { whyText, type RunRecord, type Totals } from './evaluate.js';

/** The table's words, en and zh (the lab's own catalog: lab/ does not depend on report/). */
const WORDS = {
  en: { scenario: 'scenario', expected: 'expected', got: 'got', result: 'result', would: 'would', issue: 'issue', pass: 'pass', fail: 'FAIL' },
  zh: { scenario: '场景', expected: '预期', got: '结果', result: '判定', would: '将会', issue: '问题单', pass: '通过', fail: '失败' },
} as const;

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const ms = (x: number | null): string => (x === null ? '-' : String(Math.round(x)));

function rows(records: readonly RunRecord[], pending: boolean, lang: Lang): string[] {
  const W = WORDS[lang];
  const w = Math.max(8, ...records.map((r) => r.id.length));
  const out = [`${pad(W.scenario, w)}  ${pad(W.expected, 8)}  ${pad(W.got, 8)}  ${pad(pending ? W.would : W.result, 6)}  ${lpad('ms', 6)}${pending ? `  ${W.issue}` : ''}`];
  for (const r of records) {
    const res = r.pass ? W.pass : W.fail;
    out.push(`${pad(r.id, w)}  ${pad(r.expect, 8)}  ${pad(r.got, 8)}  ${pad(res, 6)}  ${lpad(ms(r.diagnosisMs), 6)}${pending ? `  #${r.pendingIssue}` : ''}`);
    if (!r.pass && r.why) out.push(`${' '.repeat(w + 2)}└ ${whyText(r, lang)}`);
  }
  return out;
}

/** The reports whose Chinese reading holds English prose: the scenario and its first such line. */
const zhLeaks = (records: readonly RunRecord[]): string[] => records.filter((r) => (r.zhProse?.length ?? 0) > 0).map((r) => `  └ ${r.id}: ${r.zhProse![0]}`);

export function renderTable(records: readonly RunRecord[], t: Totals, lang: Lang = 'en'): string {
  const counted = records.filter((r) => r.pendingIssue === undefined);
  const pending = records.filter((r) => r.pendingIssue !== undefined);
  const lines = rows(counted, false, lang);
  if (pending.length > 0) {
    lines.push('', lang === 'zh' ? '待定（其故障代码的问题单尚未关闭；不计入）：' : `pending (their fault code's issue is still open; not counted):`);
    lines.push(...rows(pending, true, lang));
  }
  if (lang === 'zh') return totalsZh(lines, records, t);
  lines.push(
    '',
    `accuracy     ${t.passed}/${t.counted} (${(t.accuracy * 100).toFixed(1)}%)${t.failed > 0 ? `, ${t.failed} failed` : ''}`,
    `false alarms ${t.falseAlarms} of ${t.healthyRuns} healthy runs`,
    `diagnosis    median ${ms(t.medianMs)} ms, worst ${ms(t.worstMs)} ms${t.worstId ? ` (${t.worstId})` : ''}`,
  );
  if (t.offlineChecked > 0) lines.push(`offline      ${t.offlineSame}/${t.offlineChecked} snapshots judged by netdx analyze gave the same answer`);
  if (t.zhChecked > 0) lines.push(`zh           ${t.zhClean}/${t.zhChecked} reports read in Chinese hold no English prose`, ...zhLeaks(records));
  if (t.pending > 0) lines.push(`pending      ${t.pending} (${t.pendingPassing} already pass)`);
  const lingered = records.filter((r) => r.lingered).map((r) => r.id);
  if (lingered.length > 0) lines.push(`note         netdx did not exit within 1 s of printing its report (stopped by the lab): ${lingered.join(', ')}`);
  return lines.join('\n') + '\n';
}

function totalsZh(lines: string[], records: readonly RunRecord[], t: Totals): string {
  lines.push(
    '',
    `准确率       ${t.passed}/${t.counted}（${(t.accuracy * 100).toFixed(1)}%）${t.failed > 0 ? `，${t.failed} 个失败` : ''}`,
    `误报         ${t.healthyRuns} 次健康运行中 ${t.falseAlarms} 次`,
    `诊断耗时     中位数 ${ms(t.medianMs)} ms，最长 ${ms(t.worstMs)} ms${t.worstId ? `（${t.worstId}）` : ''}`,
  );
  if (t.offlineChecked > 0) lines.push(`离线分析     ${t.offlineChecked} 个快照中 ${t.offlineSame} 个经 netdx analyze 判定结果相同`);
  if (t.zhChecked > 0) lines.push(`中文         ${t.zhChecked} 份报告中 ${t.zhClean} 份以中文阅读时没有英文语句`, ...zhLeaks(records));
  if (t.pending > 0) lines.push(`待定         ${t.pending} 个（其中 ${t.pendingPassing} 个已通过）`);
  const lingered = records.filter((r) => r.lingered).map((r) => r.id);
  if (lingered.length > 0) lines.push(`注意         netdx 打印报告后 1 秒内没有退出（被实验环境终止）：${lingered.join(', ')}`);
  return lines.join('\n') + '\n';
}
