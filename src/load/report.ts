/**
 * The result of `netdx load` as data (`--json`, schema netdx.load/v1, docs/load.md): rate,
 * latency percentiles per phase, errors as fault codes with counts, the turning point, the
 * generator's own load, throughput. It also carries `verdict`, `primary` and `findings` in the
 * shape of the diagnosis report, so monitoring and the lab read both the same way.
 */
import type { Lang } from '../model/layer.js';
import { RULES } from '../rules/index.js';
import { t } from '../report/i18n.js';
import type { MessageKey } from '../report/messages.js';
import { classify, LOCAL, summarizeStep, turningPoint, type Attempt, type StepSummary, type TurningPoint } from './classify.js';
import { percentiles, type Percentiles } from './stats.js';
import type { GeneratorLoad, StepPlan } from './runner.js';
import type { DirectionResult } from './throughput.js';

export const LOAD_SCHEMA_ID = 'netdx.load/v1';

export interface ErrorCount {
  code: string;
  count: number;
  /** The phase and low-level error of the first such attempt. */
  phase: string;
  sample: string;
}

export interface LoadFinding {
  code: string;
  slug: string;
  layer: string;
  severity: 'error' | 'warning';
  title: string;
  explanation: string;
  evidence: Array<{ observation: string; summary: string; data?: Record<string, unknown> }>;
  fix: Array<{ summary: string; command?: string }>;
}

export interface LoadReport {
  schema: typeof LOAD_SCHEMA_ID;
  target: { input: string; host: string; address: string; port: number; mode: string; path: string | null };
  startedAt: string;
  durationMs: number;
  load: { connections: number; rate: number | null; steps: number; timeoutMs: number };
  attempts: number;
  ok: number;
  achievedRate: number;
  latencyMs: { connect: Percentiles; tls: Percentiles; firstByte: Percentiles; total: Percentiles };
  synRetransmitted: number;
  errors: ErrorCount[];
  steps: StepSummary[];
  turningPoint: TurningPoint | null;
  generator: GeneratorLoad;
  throughput: { responder: string; streams: number; bytes: number; results: DirectionResult[] } | null;
  verdict: 'ok' | 'degraded' | 'fault';
  primary: LoadFinding | null;
  findings: LoadFinding[];
}

const META = new Map(RULES.map((r) => [r.meta.code, r.meta]));

function finding(code: string, count: number, attempts: number, lang: Lang, sample: string): LoadFinding {
  const m = META.get(code);
  const slug = m?.slug ?? code.toLowerCase();
  const why: MessageKey = (`load.why.${code}` as MessageKey) in WHY ? (`load.why.${code}` as MessageKey) : 'load.why.other';
  const title = t(lang, 'load.finding', { count, attempts, title: t(lang, why === 'load.why.other' ? 'load.why.other' : why) });
  return {
    code,
    slug,
    layer: m?.layer ?? 'transport',
    severity: 'error',
    title,
    explanation: m ? m.evidence[lang] : '',
    evidence: [{ observation: 'load.attempts', summary: `${count}/${attempts}: ${sample}`, data: { count, attempts } }],
    fix: (m?.fix ?? [])
      .filter((f) => f.command === undefined || !/\{[a-zA-Z0-9_]+\}/.test(f.command))
      .map((f) => (f.command ? { summary: f.summary[lang], command: f.command } : { summary: f.summary[lang] })),
  };
}
const WHY: Record<string, true> = { 'load.why.TCP-005': true, 'load.why.TCP-004': true, 'load.why.TCP-001': true, 'load.why.TCP-002': true, 'load.why.TLS-009': true, 'load.why.APP-002': true };

export function buildLoadReport(input: {
  target: LoadReport['target'];
  startedAt: Date;
  durationMs: number;
  load: LoadReport['load'];
  plan: readonly StepPlan[];
  attempts: readonly (readonly Attempt[])[];
  stepMs: readonly number[];
  generator: GeneratorLoad;
  throughput: LoadReport['throughput'];
  lang: Lang;
}): LoadReport {
  const all = input.attempts.flat();
  const connectedElsewhere = all.some((a) => a.connectMs !== null);
  const steps = input.plan.map((p, i) =>
    summarizeStep(i, { connections: p.connections, offeredRate: p.offeredRate }, input.attempts[i] ?? [], (input.stepMs[i] ?? p.durationMs) / 1000, connectedElsewhere),
  );
  const total = summarizeStep(0, { connections: input.load.connections, offeredRate: input.load.rate }, all, input.stepMs.reduce((a, b) => a + b, 0) / 1000, connectedElsewhere);
  const samples = new Map<string, { phase: string; sample: string }>();
  for (const a of all) {
    if (!a.error) continue;
    const code = classify(a.error, connectedElsewhere);
    if (!samples.has(code)) samples.set(code, { phase: a.error.phase, sample: a.error.code });
  }
  const errors: ErrorCount[] = Object.entries(total.errors)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, count]) => ({ code, count, ...(samples.get(code) ?? { phase: '', sample: '' }) }));
  const tp = turningPoint(steps);
  const counts = new Map<string, number>();
  for (const e of errors) if (e.code !== LOCAL) counts.set(e.code, e.count);
  if (total.synRetransmitted >= 2) counts.set('TCP-005', (counts.get('TCP-005') ?? 0) + total.synRetransmitted);
  // Throughput streams that failed are findings too (the responder refused or the path broke).
  const findings = [...counts.entries()]
    .sort((a, b) => (tp && a[0] === tp.cause ? -1 : tp && b[0] === tp.cause ? 1 : b[1] - a[1]))
    .map(([code, count]) => finding(code, count, all.length, input.lang, code === 'TCP-005' && !samples.has(code) ? 'SYN retransmitted' : (samples.get(code)?.sample ?? '')));
  const primary = findings[0] ?? null;
  return {
    schema: LOAD_SCHEMA_ID,
    target: input.target,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    load: input.load,
    attempts: all.length,
    ok: total.ok,
    achievedRate: total.achievedRate,
    latencyMs: {
      connect: percentiles(all.map((a) => a.connectMs).filter((x): x is number => x !== null)),
      tls: percentiles(all.map((a) => a.tlsMs).filter((x): x is number => x !== null)),
      firstByte: percentiles(all.map((a) => a.firstByteMs).filter((x): x is number => x !== null)),
      total: total.latencyMs.total,
    },
    synRetransmitted: total.synRetransmitted,
    errors,
    steps,
    turningPoint: tp,
    generator: input.generator,
    throughput: input.throughput,
    verdict: primary ? 'fault' : 'ok',
    primary,
    findings,
  };
}
