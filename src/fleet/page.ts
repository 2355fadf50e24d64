/**
 * The server's web page, rendered on the server (no script at all; the CSP forbids it): the fleet
 * at a glance (label value × target, coloured by state, the fault code in the cell), the incidents
 * with their 3-6-9 timeline, common evidence and fix, and each agent's last reports. Everything an
 * agent sent is escaped; a page refreshes itself every 10 s.
 */
import type { Lang } from '../model/layer.js';
import { speak } from '../model/message.js';
// The rules' messages join the catalog: an agent's report (English text, message ids) is shown in the reader's language.
import '../rules/index.js';
import type { Report } from '../model/report.js';
import type { FleetStore, IncidentRow, TokenInfo } from './store.js';
import type { FleetTargets } from './targets.js';
import type { CommonEvidence, LabelCount, Scope, StateInfo } from './correlate.js';
import { elapsedText, ft, type FleetMessageKey } from './messages.js';
import { incidentSummary, scopeText, timeline } from './incidents.js';

export interface PageDeps {
  store: FleetStore;
  onlineAfter: () => number;
  now: () => number;
  targets: () => FleetTargets;
  /** A fault code's slug (an incident's summary is rendered again in the page's language). */
  slugOf?: (code: string) => string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
const iso = (ms: number | null): string =>
  ms === null
    ? '—'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.up{background:#d8f5d8}td.down{background:#f8d0d0}td.mixed{background:#fde7c0}td.unknown{background:#eee}code{font-size:12px}.muted{color:#777}.met{color:#17702a}.missed{color:#a31515}nav a{margin-right:1em}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}`;

function layout(lang: Lang, title: string, body: string, path: string): string {
  const other = lang === 'zh' ? 'en' : 'zh';
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>${esc(title)}</title><style>${CSS}</style></head><body><nav><a href="/?lang=${lang}">${esc(ft(lang, 'page.fleet'))}</a><a href="${esc(path)}?lang=${other}">${other === 'zh' ? '中文' : 'English'}</a></nav>${body}</body></html>\n`;
}

const t = (lang: Lang, k: FleetMessageKey, v: Record<string, string | number> = {}): string => esc(ft(lang, k, v));

export async function renderPage(path: string, url: URL, lang: Lang, _op: TokenInfo | null, d: PageDeps): Promise<string | null> {
  if (path === '/login') return layout(lang, ft(lang, 'page.login'), loginBody(lang, url.searchParams.has('failed')), path);
  if (path === '/') return layout(lang, ft(lang, 'page.title'), await fleetBody(lang, url, d), path);
  const inc = /^\/incidents\/([A-Za-z0-9-]{1,64})$/.exec(path);
  if (inc) {
    const i = await d.store.incident(inc[1]!);
    return i ? layout(lang, `${i.code} ${i.target}`, await incidentBody(lang, i, d), path) : null;
  }
  const ag = /^\/agents\/([^/]{1,128})$/.exec(path);
  if (ag) {
    const name = decodeURIComponent(ag[1]!);
    const body = await agentBody(lang, name, d);
    return body ? layout(lang, name, body, path) : null;
  }
  return null;
}

function loginBody(lang: Lang, failed: boolean): string {
  return `<h1>${t(lang, 'page.login')}</h1>${failed ? `<p class="missed">${t(lang, 'page.badLogin')}</p>` : ''}<form method="post" action="/login?lang=${lang}"><label>${t(lang, 'page.token')} <input type="password" name="token" autocomplete="off" size="60"></label> <button type="submit">${t(lang, 'page.signIn')}</button></form>`;
}

function cellClass(states: StateInfo[]): string {
  if (states.length === 0) return 'unknown';
  const down = states.filter((s) => s.state === 'down').length;
  const up = states.filter((s) => s.state === 'up').length;
  return down === 0 ? (up > 0 ? 'up' : 'unknown') : down === states.length ? 'down' : 'mixed';
}

async function fleetBody(lang: Lang, url: URL, d: PageDeps): Promise<string> {
  const [agents, states, incidents] = await Promise.all([d.store.agents(d.onlineAfter()), d.store.states(), d.store.incidents(undefined, 100)]);
  const keys = [...new Set(agents.flatMap((a) => Object.keys(a.labels)))].sort();
  const by = url.searchParams.get('by') ?? (keys.includes('region') ? 'region' : (keys[0] ?? ''));
  const targets = [...new Set(states.map((s) => s.target))].sort();
  const groupByAgent = new Map(agents.map((a) => [a.name, a.labels[by] ?? '—']));
  const groupOf = (name: string): string => groupByAgent.get(name) ?? '—';
  const groups = [...new Set(agents.map((a) => a.labels[by] ?? '—'))].sort();
  let html = `<h1>${t(lang, 'page.title')}</h1><h2>${t(lang, 'page.fleet')}</h2>`;
  if (agents.length === 0) html += `<p class="muted">${t(lang, 'page.noAgents')}</p>`;
  else {
    html += `<p>${t(lang, 'page.group')}: ${keys.map((k) => (k === by ? `<b>${esc(k)}</b>` : `<a href="/?by=${encodeURIComponent(k)}&amp;lang=${lang}">${esc(k)}</a>`)).join(' · ')}</p>`;
    html += `<table id="matrix"><tr><th>${esc(by)}</th>${targets.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>`;
    for (const g of groups) {
      html += `<tr><th>${esc(g)}</th>`;
      for (const target of targets) {
        const cell = states.filter((s) => s.target === target && groupOf(s.agent) === g);
        const cls = cellClass(cell);
        const down = cell.filter((s) => s.state === 'down');
        const codes = [...new Set(down.map((s) => s.codes[0] ?? '?'))];
        const word = ft(lang, cls === 'mixed' ? 'page.state.mixed' : cls === 'down' ? 'page.state.down' : cls === 'up' ? 'page.state.up' : 'page.state.unknown');
        html += `<td class="${cls}" data-state="${cls}">${esc(word)}${codes.length ? ` <b>${esc(codes.join(' '))}</b>` : ''} <span class="muted">${down.length}/${cell.length}</span></td>`;
      }
      html += '</tr>';
    }
    html += '</table>';
  }
  html += `<h2>${t(lang, 'page.incidents')}</h2>`;
  if (incidents.length === 0) html += `<p class="muted">${t(lang, 'page.noIncidents')}</p>`;
  else {
    html += `<table id="incidents"><tr><th>${t(lang, 'page.status')}</th><th>${t(lang, 'page.code')}</th><th>${t(lang, 'page.target')}</th><th>${t(lang, 'page.scope')}</th><th>${t(lang, 'page.affected')}</th><th>${t(lang, 'page.firstSeen')}</th></tr>`;
    for (const i of incidents) {
      const a = i.affected as { agents?: string[]; watchers?: number } | null;
      html += `<tr><td class="${i.status === 'open' ? 'down' : 'up'}">${t(lang, i.status === 'open' ? 'page.open' : 'page.recovered')}</td><td><a href="/incidents/${esc(i.id)}?lang=${lang}">${esc(i.code)}</a></td><td>${esc(i.target)}</td><td>${esc(scopeText(i.scope as Scope, lang))}</td><td>${a?.agents?.length ?? 0}/${a?.watchers ?? 0}</td><td>${esc(iso(i.firstSeen))}</td></tr>`;
    }
    html += '</table>';
  }
  html += `<h2>${t(lang, 'page.agents')}</h2><table id="agents"><tr><th>${t(lang, 'page.agent')}</th><th>${t(lang, 'page.labels')}</th><th>${t(lang, 'page.lastSeen')}</th><th>${t(lang, 'page.target')}</th></tr>`;
  for (const a of agents) {
    const own = states.filter((s) => s.agent === a.name);
    html += `<tr><td><a href="/agents/${encodeURIComponent(a.name)}?lang=${lang}">${esc(a.name)}</a></td><td>${esc(
      Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    )}</td><td>${esc(iso(a.lastSeen))} (${t(lang, a.online ? 'page.online' : 'page.offline')})</td><td>${own.map((s) => `${esc(s.target)}: ${t(lang, `page.state.${s.state}` as FleetMessageKey)}${s.codes[0] ? ` ${esc(s.codes[0])}` : ''}`).join('<br>')}</td></tr>`;
  }
  return html + '</table>';
}

function findingBlock(lang: Lang, report: Report): string {
  const f = report.primary ?? report.findings[0];
  if (!f) return `<p>${t(lang, 'page.verdict')}: ${esc(report.verdict)}</p>`;
  let html = `<p><b>${esc(f.code)} ${esc(f.slug)}</b> — ${esc(speak(f.title, f.messages?.title, lang))}</p><p>${esc(speak(f.explanation, f.messages?.explanation, lang))}</p><ul>${f.evidence.map((e) => `<li>${esc(speak(e.summary, e.message, lang))}</li>`).join('')}</ul>`;
  if (f.fix.length > 0)
    html += `<p>${t(lang, 'page.fix')}:</p><ul>${f.fix.map((x) => `<li>${esc(speak(x.summary, x.message, lang))}${x.command ? `<br><code>${esc(x.command)}</code>` : ''}</li>`).join('')}</ul>`;
  return html;
}

async function incidentBody(lang: Lang, i: IncidentRow, d: PageDeps): Promise<string> {
  const a = i.affected as { agents?: string[]; watchers?: number; counts?: LabelCount[] } | null;
  const ev = (i.evidence as CommonEvidence[] | null) ?? [];
  let html = `<h1>${esc(i.code)} — ${esc(i.target)}</h1><p id="summary">${esc(incidentSummary(i, lang, d.slugOf ?? ((c) => c.toLowerCase())))}</p><p>${t(lang, 'page.status')}: <b>${t(lang, i.status === 'open' ? 'page.open' : 'page.recovered')}</b> · ${t(lang, 'page.scope')}: <b>${esc(scopeText(i.scope as Scope, lang))}</b></p>`;
  html += `<h2>${t(lang, 'page.timeline')}</h2><table id="timeline">`;
  const names: Record<string, FleetMessageKey> = { firstSeen: 'page.firstSeen', classified: 'page.classified', located: 'page.located', recovered: 'page.recoveredAt' };
  for (const s of timeline(i)) {
    const goal = s.goalMs === null ? '' : elapsedText(s.goalMs, lang);
    const status =
      s.goalMs === null
        ? ''
        : s.met === null
          ? `<span class="muted">${t(lang, 'page.pending')}</span>`
          : `<span class="${s.met ? 'met' : 'missed'}">${t(lang, s.met ? 'page.met' : 'page.missed')}</span>`;
    html += `<tr><th>${t(lang, names[s.step]!)}</th><td>${esc(s.at ? iso(Date.parse(s.at)) : '—')}</td><td>${s.elapsedMs !== null && s.goalMs !== null ? t(lang, 'page.elapsed', { elapsed: elapsedText(s.elapsedMs, lang), goal }) : ''} ${status}</td></tr>`;
  }
  html += '</table>';
  html += `<h2>${t(lang, 'page.byLabel')}</h2><table id="counts"><tr><th>${t(lang, 'page.labels')}</th><th>${t(lang, 'page.affected')}</th></tr>${(a?.counts ?? []).map((c) => `<tr><td>${esc(`${c.label}=${c.value}`)}</td><td class="${c.affected === 0 ? 'up' : c.affected === c.total ? 'down' : 'mixed'}">${c.affected}/${c.total}</td></tr>`).join('')}</table>`;
  html += `<h2>${t(lang, 'page.evidence')}</h2>`;
  if (ev.length === 0) html += `<p class="muted">${t(lang, 'summary.noEvidence')}</p>`;
  else
    html += `<table id="evidence"><tr><th>${t(lang, 'page.fact')}</th><th>${t(lang, 'page.failingSaw')}</th><th>${t(lang, 'page.healthySaw')}</th></tr>${ev.map((e) => `<tr><td>${esc(e.key)}</td><td>${esc(e.value)} <span class="muted">${e.failing}/${e.failingOf}</span></td><td>${(e.healthyValues ?? []).length > 0 ? (e.healthyValues ?? []).map((v) => `${esc(v.value)} <span class="muted">${v.agents}</span>`).join('<br>') : e.healthyValue ? esc(e.healthyValue) : '—'} <span class="muted">(${e.healthyOf - e.healthy}/${e.healthyOf})</span></td></tr>`).join('')}</table>`;
  const first = a?.agents?.[0];
  if (first) {
    const rep = await d.store.report(first, i.target);
    if (rep) html += `<h2>${t(lang, 'page.finding', { agent: first })}</h2>${findingBlock(lang, rep.report)}`;
  }
  html += `<h2>${t(lang, 'page.failingAgents')}</h2><p>${(a?.agents ?? []).map((n) => `<a href="/agents/${encodeURIComponent(n)}?lang=${lang}">${esc(n)}</a>`).join(', ')}</p>`;
  return html;
}

async function agentBody(lang: Lang, name: string, d: PageDeps): Promise<string | null> {
  const agent = (await d.store.agents(d.onlineAfter())).find((a) => a.name === name);
  if (!agent) return null;
  const states = await d.store.states(name);
  let html = `<h1>${esc(name)}</h1><p>${t(lang, 'page.labels')}: ${esc(
    Object.entries(agent.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  )} · ${t(lang, 'page.lastSeen')}: ${esc(iso(agent.lastSeen))} (${t(lang, agent.online ? 'page.online' : 'page.offline')})</p>`;
  for (const s of states) {
    const rep = await d.store.report(name, s.target);
    html += `<h2>${t(lang, 'page.lastReport', { target: s.target })}</h2><p>${t(lang, 'page.status')}: <b>${t(lang, `page.state.${s.state}` as FleetMessageKey)}</b> ${s.codes.map((c) => esc(c)).join(' ')} · ${esc(iso(s.since))}</p>`;
    html += rep
      ? `<p class="muted">${esc(iso(rep.at))} · ${t(lang, 'page.verdict')}: ${esc(rep.report.verdict)}</p>${findingBlock(lang, rep.report)}`
      : `<p class="muted">${t(lang, 'page.noReport')}</p>`;
  }
  return html;
}
