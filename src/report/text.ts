/** Text renderer: coloured on a TTY, plain when piped or NO_COLOR is set. Reads only the Report. */
import pc from 'picocolors';
import type { Lang, LayerStatus } from '../model/layer.js';
import type { Finding, Report } from '../model/report.js';
import { formatHostPort } from '../model/target.js';
import { t } from './i18n.js';
import { speak } from '../model/message.js';
import { reasonText, reportReason, rowReason } from './reasons.js';

export interface TextOptions {
  lang: Lang;
  color: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Terminal columns of a string: CJK and other wide characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - displayWidth(s)));

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}

function statusColor(c: Colors, s: LayerStatus): (x: string) => string {
  return s === 'pass' ? c.green : s === 'fail' ? (x) => c.bold(c.red(x)) : s === 'warn' ? c.yellow : s === 'unknown' ? c.magenta : c.dim;
}

function verdictText(c: Colors, r: Report, lang: Lang): string {
  const v = t(lang, `verdict.${r.verdict}`);
  return r.verdict === 'ok' ? c.bold(c.green(v)) : r.verdict === 'degraded' ? c.bold(c.yellow(v)) : r.verdict === 'unknown' ? c.bold(c.magenta(v)) : c.bold(c.red(v));
}

function findingBlock(c: Colors, f: Finding, lang: Lang, indent: string): string[] {
  const out: string[] = [];
  out.push(`${indent}${c.bold(speak(f.title, f.messages?.title, lang))}`);
  out.push(`${indent}${speak(f.explanation, f.messages?.explanation, lang)}`);
  if (f.evidence.length > 0) {
    out.push(`${indent}${c.dim(t(lang, 'report.evidence'))}:`);
    for (const e of f.evidence) out.push(`${indent}  • ${c.dim(e.observation)}  ${speak(e.summary, e.message, lang)}`);
  }
  if (f.fix.length > 0) {
    out.push(`${indent}${c.dim(t(lang, 'report.fix'))}:`);
    for (const fx of f.fix) {
      out.push(`${indent}  • ${speak(fx.summary, fx.message, lang)}`);
      if (fx.command) out.push(`${indent}    ${c.cyan('$ ' + fx.command)}`);
    }
  }
  return out;
}

export function renderText(r: Report, o: TextOptions): string {
  const c = pc.createColors(o.color);
  const lang = o.lang;
  // A report judged in English (the JSON, an agent's report) read in Chinese: its reasons through the catalog's templates.
  const reasonIn = (s: string): string => reportReason(r.lang, lang, s);
  const lines: string[] = [];
  const addrs = r.target.addresses && r.target.addresses.length > 0 && r.target.addresses[0] !== r.target.host ? `  →  ${r.target.addresses.join(', ')}` : '';
  lines.push(
    `${c.bold(t(lang, r.snapshot ? 'report.headingOffline' : 'report.heading', { target: formatHostPort(r.target.display ?? r.target.host, r.target.port) }))}  ${c.dim(`(${r.target.protocol})`)}${addrs}`,
  );
  if (r.snapshot) lines.push(c.dim(t(lang, 'report.snapshotOf', { host: r.snapshot.hostname, at: r.snapshot.collectedAt })));
  const head = r.primary ? `${r.primary.code} ${r.primary.slug} · ${t(lang, `layer.${r.primary.layer}`)}` : '';
  lines.push(`${verdictText(c, r, lang)}  ${head}  ${c.dim(`${r.durationMs} ms`)}`);
  lines.push('');
  if (r.primary) {
    lines.push(`${c.bold(c.red(t(lang, 'report.primary')))}: ${r.primary.code} ${r.primary.slug}`);
    lines.push(...findingBlock(c, r.primary, lang, '  '));
    lines.push('');
  }
  for (const u of r.undetermined ?? []) {
    lines.push(`${c.bold(c.magenta(t(lang, 'report.undetermined', { layer: t(lang, `layer.${u.layer}`) })))}`);
    if (u.reason) lines.push(`  ${reasonIn(u.reason)}`);
    lines.push('');
  }
  const warnings = r.findings.filter((f) => f !== r.primary && f.code !== r.primary?.code);
  if (!r.primary && warnings.length === 0 && r.verdict !== 'unknown') {
    lines.push(c.green(t(lang, 'report.noFindings')));
    lines.push('');
  }
  lines.push(`${c.bold(t(lang, 'report.layers'))}:`);
  for (const row of r.layers) {
    const st = statusColor(c, row.status)(pad(t(lang, `status.${row.status}`), 8));
    const ms = row.status === 'skip' ? ''.padStart(8) : `${row.ms} ms`.padStart(8);
    lines.push(`  ${pad(t(lang, `layer.${row.layer}`), 10)} ${st} ${c.dim(ms)}${row.reason ? '  ' + c.dim(rowReason(r.lang, lang, row)) : ''}`);
  }
  if (warnings.length > 0) {
    lines.push('');
    lines.push(`${c.bold(t(lang, 'report.other'))}:`);
    for (const f of warnings) {
      const sev = f.severity === 'error' ? c.red(t(lang, 'severity.error')) : f.severity === 'warning' ? c.yellow(t(lang, 'severity.warning')) : c.dim(t(lang, 'severity.info'));
      const by = f.explainedBy ? c.dim(` (${t(lang, 'report.explainedBy', { code: f.explainedBy })})`) : '';
      lines.push(`  ${f.code} ${f.slug} [${sev}]${by}`);
      lines.push(...findingBlock(c, f, lang, '    '));
    }
  }
  const notChecked = notCheckedLines(r, lang);
  if (notChecked.length > 0) {
    lines.push('');
    lines.push(`${c.bold(t(lang, 'report.notChecked'))}:`);
    for (const l of notChecked) lines.push(`  ${c.dim(l)}`);
  }
  return lines.join('\n') + '\n';
}

/** Probes that could not run as asked (no raw sockets, a tool missing): what the reader did not get. */
function notCheckedLines(r: Report, lang: Lang): string[] {
  const out: string[] = [];
  for (const o of r.observations) {
    if (o.kind === 'tcp.spread') {
      const d = o.data as { method: string; reason?: string };
      if (d.method === 'unavailable') out.push(t(lang, 'notChecked.spread', { why: reasonText(lang, d.reason ?? '') }));
    } else if (o.kind === 'tls.handshake') {
      const d = o.data as { address: string; port: number; sni: string | null; ocsp?: { stapled: boolean; error?: string } };
      const server = d.sni ?? formatHostPort(d.address, d.port);
      if (d.ocsp && !d.ocsp.stapled) out.push(t(lang, 'notChecked.ocspNone', { server }));
      else if (d.ocsp?.error) out.push(t(lang, 'notChecked.ocspUnreadable', { server, why: reasonText(lang, d.ocsp.error) }));
    } else if (o.kind === 'trace.path') {
      const d = o.data as { skipped?: string[] };
      for (const why of d.skipped ?? []) out.push(t(lang, 'notChecked.trace', { why: reasonText(lang, why) }));
    }
  }
  return [...new Set(out)];
}
