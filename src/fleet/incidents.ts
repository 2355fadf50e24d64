/**
 * From correlation groups to incidents with a 3-6-9 timeline: a group with no open incident opens
 * one (classified now: a fault code and a scope), an open incident whose group gained common
 * evidence is located, an open incident whose group is gone has recovered. Also decides which
 * healthy agents to ask for a comparison diagnosis, at most once a minute per incident.
 */
import { randomBytes } from 'node:crypto';
import type { Lang } from '../model/layer.js';
import type { CommonEvidence, Group, LabelCount, Scope } from './correlate.js';
import type { IncidentRow } from './store.js';
import { ft } from './messages.js';

export const GOALS = { classifyMs: 3 * 60_000, locateMs: 6 * 3_600_000, recoverMs: 9 * 3_600_000 } as const;
export const COMPARE_EVERY_MS = 60_000;

export interface Affected {
  agents: string[];
  watchers: number;
  counts: LabelCount[];
}

export function scopeText(scope: Scope, lang: Lang): string {
  switch (scope.kind) {
    case 'target':
      return ft(lang, 'scope.target');
    case 'label':
      return ft(lang, 'scope.label', { label: scope.values.map((v) => `${scope.key}=${v}`).join(',') });
    case 'agent':
      return ft(lang, 'scope.agent', { agent: scope.agent });
    case 'agents':
      return ft(lang, 'scope.agents', { n: scope.agents.length });
  }
}

/**
 * One line an operator reads first, e.g. `app:443 — NET-004 route-conflict on 3/3 agents of
 * region=sh (0/3 of region=bj, 0/3 of region=sz); common evidence: route to 203.0.113.80 via
 * 100.64.20.254 dev eth0; healthy agents: via 100.64.20.1 dev eth0`.
 */
export function summaryText(target: string, code: string, slug: string, scope: Scope, a: Affected, evidence: CommonEvidence[], lang: Lang): string {
  let head: string;
  if (scope.kind === 'label') {
    const inside = a.counts.filter((c) => c.label === scope.key && scope.values.includes(c.value));
    const outside = a.counts.filter((c) => c.label === scope.key && !scope.values.includes(c.value));
    const n = inside.reduce((s, c) => s + c.affected, 0);
    const total = inside.reduce((s, c) => s + c.total, 0);
    head = `${target} — ${code} ${slug} ${lang === 'zh' ? '，影响 ' : 'on '}${ft(lang, 'summary.of', { n, total, label: scopeText(scope, lang) })}`;
    if (outside.length > 0)
      head += ` ${ft(lang, 'summary.others', { list: outside.map((c) => ft(lang, 'summary.ofShort', { n: c.affected, total: c.total, label: `${c.label}=${c.value}` })).join(', ') })}`;
  } else {
    head = `${ft(lang, 'summary.head', { target, code, slug, n: a.agents.length, total: a.watchers })} (${scopeText(scope, lang)})`;
  }
  const top = evidence.slice(0, 2);
  if (top.length === 0) return `${head}; ${ft(lang, 'summary.noEvidence')}`;
  const facts = top.map(
    (e) =>
      ft(lang, 'summary.fact', { key: factText(e.key, lang), value: factText(e.value, lang) }) + (e.healthyValue ? `; ${ft(lang, 'summary.healthy', { value: factText(healthyText(e), lang) })}` : ''),
  );
  return `${head}; ${ft(lang, 'summary.evidence', { list: facts.join('; ') })}`;
}

/**
 * An incident's summary in a language: the stored one is English (written once per correlation
 * pass); another language is rendered again from the incident's scope, counts and evidence.
 */
export function incidentSummary(i: IncidentRow, lang: Lang, slugOf: (code: string) => string): string {
  if (lang === 'en') return i.summary;
  const a = i.affected as Partial<Affected> | null;
  const scope = i.scope as Scope | null;
  if (!a || !scope || !Array.isArray(a.agents) || !Array.isArray(a.counts)) return i.summary;
  const affected: Affected = { agents: a.agents, watchers: a.watchers ?? a.agents.length, counts: a.counts };
  return summaryText(i.target, i.code, slugOf(i.code), scope, affected, (i.evidence as CommonEvidence[] | null) ?? [], lang);
}

/** A fact's key or value (features.ts writes them in English, stable across agents) in the reader's language; addresses and names stay. */
const FACT_ZH: Array<[RegExp, string]> = [
  [/^route to (\S+)$/, '到 $1 的路由'],
  [/^path mtu to (\S+)$/, '到 $1 的路径 MTU'],
  [/^path to (\S+)$/, '到 $1 的路径'],
  [/^gateway (\S+) dev (\S+)$/, '网关 $1（dev $2）'],
  [/^tunnel (\S+) endpoint (\S+)$/, '隧道 $1 的端点 $2'],
  [/^reached in (\d+) hops$/, '经 $1 跳到达'],
  [/^silent after hop (\d+) \((.*)\)$/, '第 $1 跳（$2）之后无应答'],
  [/^silent from hop 1$/, '从第 1 跳起无应答'],
  [/^not tested$/, '未测试'],
  [/^answers$/, '有应答'],
  [/^silent \((.*)\)$/, '无应答（$1）'],
];

export function factText(text: string, lang: Lang): string {
  if (lang === 'en') return text;
  for (const [re, zh] of FACT_ZH) if (re.test(text)) return text.replace(re, zh);
  return text;
}

/** What the healthy agents saw instead: one value alone, or the two most common with their counts. */
function healthyText(e: CommonEvidence): string {
  const vs = e.healthyValues ?? (e.healthyValue ? [{ value: e.healthyValue, agents: 0 }] : []);
  if (vs.length <= 1) return vs[0]?.value ?? '';
  return vs
    .slice(0, 2)
    .map((v) => `${v.value} (${v.agents})`)
    .join(', ');
}

export interface ReconcileOut {
  save: IncidentRow[];
  opened: IncidentRow[];
  located: IncidentRow[];
  recovered: IncidentRow[];
  /** Comparison diagnoses to ask for: agent → target. */
  ask: Array<{ agent: string; target: string; incident: string }>;
}

/** Applies the groups of one correlation pass to the open incidents. `slugOf` maps a code to its slug. */
export function reconcile(groups: Group[], open: IncidentRow[], now: number, slugOf: (code: string) => string): ReconcileOut {
  const out: ReconcileOut = { save: [], opened: [], located: [], recovered: [], ask: [] };
  const byKey = new Map(open.map((i) => [`${i.target}\u0000${i.code}`, i]));
  const seen = new Set<string>();
  for (const g of groups) {
    const key = `${g.target}\u0000${g.code}`;
    seen.add(key);
    const affected: Affected = { agents: g.agents, watchers: g.watchers, counts: g.counts };
    const summary = summaryText(g.target, g.code, slugOf(g.code), g.scope, affected, g.evidence, 'en');
    const prev = byKey.get(key);
    const inc: IncidentRow = prev
      ? { ...prev, scope: g.scope, affected, evidence: g.evidence, summary, firstSeen: Math.min(prev.firstSeen, g.firstSeen), updatedAt: now }
      : {
          id: `inc-${randomBytes(4).toString('hex')}`,
          target: g.target,
          code: g.code,
          status: 'open',
          scope: g.scope,
          affected,
          evidence: g.evidence,
          summary,
          firstSeen: Math.min(g.firstSeen, now),
          classifiedAt: now,
          locatedAt: null,
          recoveredAt: null,
          updatedAt: now,
          comparedAt: null,
        };
    // A wider scope (one agent → region=sh) must be located again: its evidence needs the contrast.
    if (prev && !g.located && JSON.stringify(prev.scope) !== JSON.stringify(g.scope)) inc.locatedAt = null;
    if (g.located && inc.locatedAt === null) {
      inc.locatedAt = now;
      out.located.push(inc);
    }
    if (g.askHealthy.length > 0 && (inc.comparedAt === null || now - inc.comparedAt >= COMPARE_EVERY_MS)) {
      inc.comparedAt = now;
      for (const agent of g.askHealthy) out.ask.push({ agent, target: g.target, incident: inc.id });
    }
    const changed =
      !prev ||
      JSON.stringify([prev.scope, prev.affected, prev.evidence, prev.locatedAt, prev.comparedAt, prev.firstSeen]) !==
        JSON.stringify([inc.scope, inc.affected, inc.evidence, inc.locatedAt, inc.comparedAt, inc.firstSeen]);
    if (changed) out.save.push(inc);
    if (!prev) out.opened.push(inc);
  }
  for (const i of open) {
    if (seen.has(`${i.target}\u0000${i.code}`)) continue;
    const done: IncidentRow = { ...i, status: 'recovered', recoveredAt: now, updatedAt: now };
    out.save.push(done);
    out.recovered.push(done);
  }
  return out;
}

/** The timeline of an incident in 3-6-9 form: each step's time and elapsed time against its goal. */
export function timeline(
  i: IncidentRow,
): Array<{ step: 'firstSeen' | 'classified' | 'located' | 'recovered'; at: string | null; elapsedMs: number | null; goalMs: number | null; met: boolean | null }> {
  const step = (name: 'classified' | 'located' | 'recovered', at: number | null, goal: number) => ({
    step: name,
    at: at === null ? null : new Date(at).toISOString(),
    elapsedMs: at === null ? null : at - i.firstSeen,
    goalMs: goal,
    met: at === null ? null : at - i.firstSeen <= goal,
  });
  return [
    { step: 'firstSeen', at: new Date(i.firstSeen).toISOString(), elapsedMs: 0, goalMs: null, met: null },
    step('classified', i.classifiedAt, GOALS.classifyMs),
    step('located', i.locatedAt, GOALS.locateMs),
    step('recovered', i.recoveredAt, GOALS.recoverMs),
  ];
}
