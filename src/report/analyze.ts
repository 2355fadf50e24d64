/** Text of `netdx firewall check` and `netdx route explain` (JSON shapes stay with the commands). */
import type { Lang } from '../model/layer.js';
import type { FirewallCheck, RouteExplanation, TraceEntry } from '../analyze/index.js';
import { t } from './i18n.js';
import { speak } from '../model/message.js';

function traceLine(e: TraceEntry, lang: Lang): string {
  const where = e.backend === 'nft' ? `nft ${e.family} ${e.table} ${e.chain}` : `${e.backend} ${e.table}/${e.chain}`;
  const num = e.rule === null ? (e.result === 'policy' ? t(lang, 'fw.policyWord') : '-') : e.backend === 'nft' ? `#${e.rule} h${e.handle ?? '?'}` : `#${e.rule}`;
  const line = e.line !== undefined ? t(lang, 'fw.line', { line: e.line }) : '';
  const mark = e.result === 'match' || e.result === 'policy' ? '*' : e.result === 'unknown' || e.result === 'probabilistic' ? '?' : ' ';
  const act = e.action && e.action !== 'continue' ? ` → ${e.action}` : '';
  return `  ${mark} ${e.direction === 'reply' ? t(lang, 'fw.replyWord') : ''}${e.hook.padEnd(11)} ${where} ${num}${line}: ${e.text}${act}${e.note ? `  [${e.note}]` : ''}`;
}

export function renderFirewallText(c: FirewallCheck, lang: Lang): string {
  const out: string[] = [];
  const v = c.verdict === 'REJECT' && c.rejectWith ? `REJECT (${c.rejectWith})` : c.verdict;
  out.push(t(lang, 'fw.verdict', { verdict: v, reason: speak(c.reason, c.reasonMsg, lang) }));
  const f = c.flow;
  const hp = (a: string | null, p: number | null): string => `${a ?? '?'}${p !== null ? (a?.includes(':') ? `.${p}` : `:${p}`) : ''}`;
  out.push(t(lang, 'fw.flow', { flow: `${hp(f.src, f.sport)} → ${hp(f.dst, f.dport)}${f.iif ? ` in ${f.iif}` : ''}${f.oif ? ` out ${f.oif}` : ''}` }));
  f.derived.forEach((d, i) => out.push(t(lang, 'fw.derived', { what: speak(d, f.derivedMsgs?.[i], lang) })));
  for (const n of c.nat) out.push(t(lang, 'fw.nat', { what: `${n.kind} ${n.from} → ${n.to} (${n.table}/${n.chain} rule ${n.rule ?? '?'})` }));
  for (const u of c.unknown) out.push(t(lang, 'fw.undecidable', { what: `${u.backend} ${u.table}/${u.chain} rule ${u.rule ?? '?'}${u.line !== undefined ? ` (line ${u.line})` : ''}: ${u.why}` }));
  if (c.likely) out.push(t(lang, 'fw.likely', { verdict: c.likely }));
  for (const m of c.missing) out.push(t(lang, 'fw.missing', { what: m }));
  if (c.problems.length > 0) {
    out.push(t(lang, 'fw.problems', { n: c.problems.length }));
    for (const p of c.problems.slice(0, 20)) out.push(`  ${p.backend}${p.line !== undefined ? ` line ${p.line}` : ''}: ${p.reason}${p.text ? ` — ${p.text.slice(0, 100)}` : ''}`);
  }
  out.push('', t(lang, 'fw.trace', {}));
  for (const e of c.trace) out.push(traceLine(e, lang));
  return `${out.join('\n')}\n`;
}

export function renderRouteText(dst: string, e: RouteExplanation, lang: Lang, kernel?: { text: string; agrees: boolean | null }): string {
  const out: string[] = [];
  if (e.outcome === 'route') {
    out.push(t(lang, 'route.chosen', { dst, route: e.route ? e.route.text : `${dst} dev ${e.dev}`, table: e.table ?? '-' }));
    out.push(t(lang, 'route.via', { hop: `${e.gateway ? `via ${e.gateway} ` : ''}dev ${e.dev ?? '?'}${e.src ? ` src ${e.src}` : ''}` }));
  } else out.push(t(lang, 'route.none', { dst, outcome: e.outcome }));
  out.push(t(lang, 'route.why', { why: speak(e.why, e.whyMsg, lang) }));
  if (kernel) {
    out.push(t(lang, 'route.kernel', { answer: kernel.text }));
    if (kernel.agrees === false) out.push(t(lang, 'route.mismatch', { detail: kernel.text }));
  }
  out.push('', t(lang, 'route.rules', {}));
  for (const s of e.steps) out.push(`  ${s.matched ? '*' : ' '} ${String(s.priority).padStart(5)}: ${s.text}  — ${speak(s.note, s.noteMsg, lang)}`);
  out.push('', t(lang, 'route.candidates', { dst }));
  for (const c of e.candidates) out.push(`    ${c.text}${c.table !== 'main' && !/\btable\b/.test(c.text) ? ` table ${c.table}` : ''}`);
  return `${out.join('\n')}\n`;
}
