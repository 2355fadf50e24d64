/** Text of `netdx trace`: mtr-style tables, one per path, and the path findings with their fix. */
import { speak } from '../model/message.js';
import type { Lang } from '../model/layer.js';
import type { ObservationData } from '../model/observation.js';
import type { Finding } from '../model/report.js';
import { t } from './i18n.js';
import { reasonText } from './reasons.js';

type Trace = ObservationData['trace.path'];

const num = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(1));

/** The mtr-style text: one table per path. */
export function renderTrace(tr: Trace, findings: Finding[], lang: Lang, ms: number): string {
  const out: string[] = [];
  const proto = tr.port !== null && tr.proto !== 'icmp' ? `${tr.proto}/${tr.port}` : tr.proto;
  out.push(t(lang, 'trace.heading', { target: tr.target, proto, count: tr.count, method: tr.method }));
  if (tr.method === 'unavailable') out.push(t(lang, 'trace.unavailable', { reason: reasonText(lang, tr.reason ?? '') }));
  for (const s of tr.skipped) out.push(t(lang, 'trace.skipped', { what: reasonText(lang, s) }));
  if (tr.reason && tr.method !== 'unavailable') out.push(reasonText(lang, tr.reason));
  const cols = t(lang, 'trace.columns', {}).split('|');
  tr.paths.forEach((p, i) => {
    if (tr.paths.length > 1) out.push('', t(lang, 'trace.path', { n: i + 1, flow: p.flow }));
    // A rate-limited router's unanswered probes are not loss: Loss% is '–', the note gives the sample.
    const rows = [
      cols,
      ...p.hops.map((h) => [
        String(h.ttl),
        h.addr ? (h.addrs.length > 1 ? `${h.addr} (+${h.addrs.length - 1})` : h.addr) : '???',
        h.rateLimited ? '–' : `${h.lossPct.toFixed(1)}%`,
        String(h.sent),
        String(h.recv),
        num(h.rtt?.avg),
        num(h.rtt?.min),
        num(h.rtt?.max),
        num(h.rtt?.stddev),
      ]),
    ];
    const width = cols.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
    for (const [ri, r] of rows.entries()) {
      const line = r.map((cell, c) => (c === 1 ? cell.padEnd(width[c]!) : cell.padStart(width[c]!))).join('  ');
      const h = ri > 0 ? p.hops[ri - 1]! : null;
      const notes = [
        h?.rateLimited ? t(lang, h.recv === 0 ? 'trace.silentHop' : 'trace.rateLimited', { recv: h.recv, sent: h.sent }) : '',
        h?.icmp ? `!${h.icmp.name}${h.icmp.mtu ? ` mtu ${h.icmp.mtu}` : ''}` : '',
      ].filter(Boolean);
      out.push(`  ${line}${notes.length ? `  (${notes.join('; ')})` : ''}`);
    }
    if (!p.reached && tr.method !== 'unavailable') out.push(`  ${t(lang, 'trace.notReached', {})}`);
  });
  for (const f of findings) {
    out.push('', `${f.code} ${speak(f.title, f.messages?.title, lang)}`, `  ${speak(f.explanation, f.messages?.explanation, lang)}`);
    for (const x of f.fix) out.push(`  → ${speak(x.summary, x.message, lang)}${x.command ? `: ${x.command}` : ''}`);
  }
  out.push('', t(lang, 'trace.done', { ms: Math.round(ms) }));
  return out.join('\n') + '\n';
}
