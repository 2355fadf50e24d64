/** Markdown renderer (for tickets and chat). Reads only the Report. */
import type { Lang } from '../model/layer.js';
import type { Finding, Report } from '../model/report.js';
import { formatHostPort } from '../model/target.js';
import { t } from './i18n.js';
import { reportReason, rowReason } from './reasons.js';
import { speak } from '../model/message.js';

const esc = (s: string): string => s.replace(/\|/g, '\\|');

function finding(f: Finding, lang: Lang, level: string): string[] {
  const out = [`${level} ${f.code} ${f.slug} — ${speak(f.title, f.messages?.title, lang)}`, '', speak(f.explanation, f.messages?.explanation, lang), ''];
  if (f.explainedBy) out.push(`_${t(lang, 'report.explainedBy', { code: f.explainedBy })}_`, '');
  if (f.evidence.length) {
    out.push(`**${t(lang, 'report.evidence')}**`, '');
    for (const e of f.evidence) out.push(`- \`${e.observation}\` ${speak(e.summary, e.message, lang)}`);
    out.push('');
  }
  if (f.fix.length) {
    out.push(`**${t(lang, 'report.fix')}**`, '');
    for (const fx of f.fix) {
      out.push(`- ${speak(fx.summary, fx.message, lang)}`);
      if (fx.command) out.push('', '  ```sh', `  ${fx.command}`, '  ```');
    }
    out.push('');
  }
  return out;
}

export function renderMarkdown(r: Report, lang: Lang): string {
  const out: string[] = [];
  out.push(`# ${t(lang, r.snapshot ? 'report.headingOffline' : 'report.heading', { target: formatHostPort(r.target.display ?? r.target.host, r.target.port) })}`, '');
  if (r.snapshot) out.push(`_${t(lang, 'report.snapshotOf', { host: esc(r.snapshot.hostname), at: r.snapshot.collectedAt })}_`, '');
  out.push(`**${t(lang, 'report.verdict', { verdict: t(lang, `verdict.${r.verdict}`), ms: r.durationMs })}**`, '');
  for (const u of r.undetermined ?? [])
    out.push(`**${t(lang, 'report.undetermined', { layer: t(lang, `layer.${u.layer}`) })}**`, '', ...(u.reason ? [`> ${esc(reportReason(r.lang, lang, u.reason))}`, ''] : []));
  if (r.primary) out.push(...finding(r.primary, lang, `## ${t(lang, 'report.primary')}:`));
  else if (r.verdict !== 'unknown') out.push(t(lang, 'report.noFindings'), '');
  out.push(`## ${t(lang, 'report.layers')}`, '', t(lang, 'report.layerTable'), '|---|---|---:|---|');
  for (const l of r.layers) out.push(`| ${t(lang, `layer.${l.layer}`)} | ${t(lang, `status.${l.status}`)} | ${l.ms} | ${esc(l.reason === undefined ? '' : rowReason(r.lang, lang, l))} |`);
  out.push('');
  const others = r.findings.filter((f) => f.code !== r.primary?.code);
  if (others.length) {
    out.push(`## ${t(lang, 'report.other')}`, '');
    for (const f of others) out.push(...finding(f, lang, '###'));
  }
  return out.join('\n');
}
