/**
 * Pure judgement of one lab run: did `netdx diagnose` name the expected primary cause? And the
 * totals of a lab run (accuracy, false alarms on healthy runs, median and worst diagnosis time).
 */
import type { Expected } from './scenario.js';
import type { Lang } from '../model/layer.js';
import { lt, renderLab, type LabMessage } from './messages.js';

/** The part of a `netdx diagnose --json` report that the lab reads. */
export interface ReportView {
  verdict: 'ok' | 'degraded' | 'fault' | 'unknown';
  primary: { code: string } | null;
  findings: Array<{ code: string; severity: string }>;
  durationMs: number;
  layers?: Array<{ layer: string; status: string }>;
}

export interface Outcome {
  pass: boolean;
  /** What netdx said: the primary code, or the verdict when there is no primary. */
  got: string;
  /** Why it failed, in one line of English (empty when it passed): the reasons rendered in en. */
  why: string;
  /** The same reasons as messages of the lab catalog, for whyText in the user's language. */
  reasons: LabMessage[];
}

/** The English line of some reasons (the record's `why`, as the JSON carries it). */
export const whyOf = (reasons: readonly LabMessage[]): string => reasons.map((r) => renderLab('en', r)).join(lt('en', 'why.and'));

/** Why a run failed, in `lang`: from its reasons, or its English `why` when it has none (a record read back from JSON). */
export function whyText(r: { why: string; reasons?: readonly LabMessage[] }, lang: Lang): string {
  if (!r.reasons || r.reasons.length === 0) return r.why;
  return r.reasons.map((m) => renderLab(lang, m)).join(lt(lang, 'why.and'));
}

const outcome = (pass: boolean, got: string, reasons: LabMessage[]): Outcome => ({ pass, got, why: whyOf(reasons), reasons });

export function evaluate(expect: Expected, alsoExpect: readonly string[], r: ReportView, layerStatus: Readonly<Record<string, string>> = {}): Outcome {
  const got = r.primary?.code ?? r.verdict;
  // Layer rows the scenario pins (e.g. tls must not say pass after a FIN): checked first.
  for (const [layer, want] of Object.entries(layerStatus)) {
    const row = r.layers?.find((l) => l.layer === layer);
    if (row?.status !== want) return outcome(false, got, [{ key: 'why.layerRow', vars: { layer, want, got: row?.status ?? { key: 'why.noRow' } } }]);
  }
  const codes = new Set(r.findings.map((f) => f.code));
  const missing = alsoExpect.filter((c) => !codes.has(c));
  const also: LabMessage[] = missing.length > 0 ? [{ key: 'why.alsoExpected', vars: { codes: missing.join(', ') } }] : [];
  if (expect === 'ok') {
    const errors = r.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    if (r.verdict === 'fault' || r.verdict === 'unknown' || r.primary !== null || errors.length > 0)
      return outcome(false, got, [{ key: 'why.healthy', vars: { what: errors.length ? errors.join(', ') : r.verdict } }]);
    return outcome(missing.length === 0, got, also);
  }
  // 'unknown': netdx must say that it could not judge (never ok, never an invented cause).
  if (expect === 'unknown') {
    if (r.verdict !== 'unknown') return outcome(false, got, [{ key: 'why.expectedUnknown', vars: { got } }]);
    return outcome(missing.length === 0, got, also);
  }
  if (r.primary?.code !== expect) return outcome(false, got, [{ key: codes.has(expect) ? 'why.expectedNotPrimary' : 'why.expected', vars: { expect, got } }]);
  return outcome(missing.length === 0, got, also);
}

export interface RunRecord {
  id: string;
  expect: Expected;
  got: string;
  pass: boolean;
  why: string;
  /** why as messages (whyText renders them in either language); not in the JSON, which keeps `why`. */
  reasons?: LabMessage[];
  /** The report's durationMs (null when the diagnosis did not produce a report). */
  diagnosisMs: number | null;
  pendingIssue?: number;
  /** netdx kept running after printing its report. */
  lingered?: boolean;
  /** Offline parity (Scenario.offline): what `netdx analyze` said on the host's snapshot. */
  offline?: { expect: Expected; got: string; pass: boolean; ms: number | null };
  /** The lines of the report read in Chinese that hold English prose (zh-check.ts); absent without a report. */
  zhProse?: string[];
}

export interface Totals {
  scenarios: number;
  counted: number;
  passed: number;
  failed: number;
  /** passed / counted, 0…1 (1 when nothing was counted). */
  accuracy: number;
  healthyRuns: number;
  /** Healthy baselines where netdx named a fault. */
  falseAlarms: number;
  pending: number;
  pendingPassing: number;
  medianMs: number | null;
  worstMs: number | null;
  worstId: string | null;
  /** Offline parity: runs that also judged a snapshot with `netdx analyze`, and how many agreed. */
  offlineChecked: number;
  offlineSame: number;
  /** Reports also read in Chinese, and how many of them held no English prose. */
  zhChecked: number;
  zhClean: number;
}

const CODE = /^[A-Z]+-[0-9]{3}$/;

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function totals(records: readonly RunRecord[]): Totals {
  const counted = records.filter((r) => r.pendingIssue === undefined);
  const pending = records.filter((r) => r.pendingIssue !== undefined);
  const healthy = counted.filter((r) => r.expect === 'ok');
  const times = counted.map((r) => r.diagnosisMs).filter((x): x is number => x !== null);
  const worst = counted.filter((r) => r.diagnosisMs !== null).sort((a, b) => b.diagnosisMs! - a.diagnosisMs!)[0];
  const passed = counted.filter((r) => r.pass).length;
  return {
    scenarios: records.length,
    counted: counted.length,
    passed,
    failed: counted.length - passed,
    accuracy: counted.length === 0 ? 1 : passed / counted.length,
    healthyRuns: healthy.length,
    falseAlarms: healthy.filter((r) => CODE.test(r.got)).length,
    pending: pending.length,
    pendingPassing: pending.filter((r) => r.pass).length,
    medianMs: median(times),
    worstMs: worst?.diagnosisMs ?? null,
    worstId: worst?.id ?? null,
    offlineChecked: counted.filter((r) => r.offline).length,
    offlineSame: counted.filter((r) => r.offline?.pass).length,
    zhChecked: records.filter((r) => r.zhProse).length,
    zhClean: records.filter((r) => r.zhProse?.length === 0).length,
  };
}
