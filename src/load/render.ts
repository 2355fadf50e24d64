/** `netdx load` as text: the steps table, phases, errors by code, the turning point, the generator. */
import type { Lang } from '../model/layer.js';
import { t } from '../report/i18n.js';
import type { MessageKey } from '../report/messages.js';
import { LOCAL } from './classify.js';
import type { LoadReport } from './report.js';
import type { Percentiles } from './stats.js';

const f1 = (x: number | null): string => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

export function bits(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  return `${(bps / 1e3).toFixed(0)} kbit/s`;
}

export function sizeText(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

export function loadText(r: LoadReport): string {
  return r.load.rate === null ? `${r.load.connections}` : `${r.load.rate}/s`;
}

export function renderLoad(r: LoadReport, lang: Lang): string {
  const out: string[] = [];
  const load = r.load.rate === null ? t(lang, 'load.closedLoop', { n: r.load.connections }) : t(lang, 'load.fixedRate', { rate: f1(r.load.rate), n: r.load.connections });
  out.push(t(lang, 'load.heading', { target: `${r.target.input} → ${r.target.address}`, mode: r.target.mode, load, duration: `${(r.durationMs / 1000).toFixed(1)} s` }), '');
  if (r.attempts > 0) {
    const head = t(lang, 'load.columns').split('|');
    const rows = [head];
    for (const s of r.steps) {
      const err = Object.values(s.errors).reduce((a, b) => a + b, 0);
      rows.push([
        String(s.step + 1),
        String(s.connections),
        s.offeredRate === null ? '-' : f1(s.offeredRate),
        f1(s.achievedRate),
        String(s.attempts),
        String(s.ok),
        String(err),
        String(s.synRetransmitted),
        f1(s.latencyMs.total.p50),
        f1(s.latencyMs.total.p90),
        f1(s.latencyMs.total.p99),
        f1(s.latencyMs.total.max),
      ]);
    }
    out.push(table(rows), '');
    const [title, cols] = t(lang, 'load.phases').split(/[:：]\s*/, 2) as [string, string];
    out.push(title + ':');
    const prow = (name: MessageKey, p: Percentiles): string[] => [t(lang, name), String(p.n), f1(p.p50), f1(p.p90), f1(p.p99), f1(p.max)];
    const phases: string[][] = [cols.split('|')];
    phases.push(prow('load.phase.connect', r.latencyMs.connect));
    if (r.latencyMs.tls.n > 0) phases.push(prow('load.phase.tls', r.latencyMs.tls));
    if (r.latencyMs.firstByte.n > 0) phases.push(prow('load.phase.firstByte', r.latencyMs.firstByte));
    phases.push(prow('load.phase.total', r.latencyMs.total));
    out.push(table(phases), '');
    out.push(t(lang, 'load.total', { attempts: r.attempts, ok: r.ok, rate: f1(r.achievedRate) }));
    if (r.errors.length === 0 && r.synRetransmitted === 0) out.push(t(lang, 'load.noErrors'));
    else {
      if (r.errors.length) out.push(t(lang, 'load.errors'));
      for (const e of r.errors) {
        if (e.code === LOCAL) out.push('  • ' + t(lang, 'load.local', { sample: e.sample, count: e.count }));
        else
          out.push(
            '  • ' +
              t(lang, 'load.errorLine', {
                code: e.code,
                slug: r.findings.find((f) => f.code === e.code)?.slug ?? '',
                count: e.count,
                phase: t(lang, `load.phase.${e.phase}` as MessageKey),
                sample: e.sample,
              }),
          );
      }
      if (r.synRetransmitted > 0) out.push('  • ' + t(lang, 'load.synRetx', { n: r.synRetransmitted }));
    }
    const tp = r.turningPoint;
    if (tp) {
      const lv = tp.offeredRate === null ? t(lang, 'load.loadConns', { n: tp.connections }) : t(lang, 'load.loadRate', { rate: f1(tp.offeredRate) });
      const whyKey = (`load.why.${tp.cause}` as MessageKey) in WHYS ? (`load.why.${tp.cause}` as MessageKey) : 'load.why.other';
      out.push(
        t(lang, 'load.turning', {
          step: tp.step + 1,
          load: lv,
          pct: (tp.failureFraction * 100).toFixed(1),
          code: tp.cause,
          slug: r.findings.find((f) => f.code === tp.cause)?.slug ?? '',
          why: t(lang, whyKey),
        }),
      );
    } else out.push(t(lang, 'load.noTurning'));
  }
  if (r.throughput) {
    out.push('', t(lang, 'load.throughput', { responder: r.throughput.responder, streams: r.throughput.streams, bytes: sizeText(r.throughput.bytes) }));
    for (const d of r.throughput.results) {
      out.push(
        '  • ' +
          t(lang, 'load.throughputLine', {
            direction: t(lang, d.direction === 'upload' ? 'load.upload' : 'load.download'),
            rate: bits(d.bitsPerSecond),
            s: (d.ms / 1000).toFixed(2),
            retx: d.retransmits === null ? t(lang, 'load.unknown') : d.retransmits,
            errors: d.errors.length ? ` — ${d.errors.join('; ')}` : '',
          }),
      );
    }
  }
  const g = r.generator;
  out.push('', t(lang, 'load.generator', { cpu: Math.round(g.cpu * 100), lag: f1(g.eventLoopDelayP99Ms), missed: g.missedLaunches ? t(lang, 'load.missed', { n: g.missedLaunches }) : '' }));
  out.push(t(lang, g.limited ? 'load.limited' : 'load.notLimited'));
  return out.join('\n') + '\n';
}
const WHYS: Record<string, true> = { 'load.why.TCP-005': true, 'load.why.TCP-004': true, 'load.why.TCP-001': true, 'load.why.TCP-002': true, 'load.why.TLS-009': true, 'load.why.APP-002': true };
