/**
 * Correlation: from every agent's current state and latest report of each target, the incidents
 * that explain the failures. Failing agents are grouped by target and fault code; the scope is the
 * smallest thing that explains the group — the whole target (down for everyone), a set of label
 * values (region=sh), one agent — and the common evidence is the facts (features.ts) that the
 * failing agents share and the healthy ones lack. Pure: plain data in, plain data out.
 */
import type { Feature } from './features.js';

export interface AgentInfo {
  name: string;
  labels: Record<string, string>;
  online: boolean;
}

export interface StateInfo {
  agent: string;
  target: string;
  state: 'up' | 'down' | 'unknown';
  since: number;
  codes: string[];
}

export interface ReportInfo {
  agent: string;
  target: string;
  at: number;
  verdict: string;
  code: string | null;
  features: Feature[];
}

export type Scope = { kind: 'target' } | { kind: 'label'; key: string; values: string[] } | { kind: 'agent'; agent: string } | { kind: 'agents'; agents: string[] };

export interface LabelCount {
  label: string;
  value: string;
  affected: number;
  total: number;
}

export interface CommonEvidence {
  key: string;
  kind: Feature['kind'];
  value: string;
  /** Failing agents with a report that saw `value` / failing agents with a report. */
  failing: number;
  failingOf: number;
  /** Healthy agents with a report that saw `value` / healthy agents with a report. */
  healthy: number;
  healthyOf: number;
  /** What most healthy agents saw instead (null: no healthy report has this key). */
  healthyValue: string | null;
  /** Everything else the healthy agents saw, most common first, with how many saw it. */
  healthyValues: Array<{ value: string; agents: number }>;
}

export interface Group {
  target: string;
  code: string;
  agents: string[];
  /** Agents that watch the target and are online. */
  watchers: number;
  scope: Scope;
  counts: LabelCount[];
  firstSeen: number;
  evidence: CommonEvidence[];
  /** Located: the evidence points at the cause (contrasted with healthy agents where the scope needs it). */
  located: boolean;
  /** Healthy agents whose report for this target would sharpen the evidence (none of theirs is fresh). */
  askHealthy: string[];
}

const SHARE = 0.8;
const KIND_ORDER: Feature['kind'][] = ['route', 'path', 'gateway', 'dns', 'tunnel', 'tls', 'mtu'];

function labelCounts(watchers: AgentInfo[], failing: Set<string>): LabelCount[] {
  const m = new Map<string, LabelCount>();
  for (const a of watchers) {
    for (const [label, value] of Object.entries(a.labels)) {
      const k = `${label}\u0000${value}`;
      const c = m.get(k) ?? { label, value, affected: 0, total: 0 };
      c.total++;
      if (failing.has(a.name)) c.affected++;
      m.set(k, c);
    }
  }
  return [...m.values()].sort((a, b) => a.label.localeCompare(b.label) || b.affected / b.total - a.affected / a.total || a.value.localeCompare(b.value));
}

/** The label values that explain the group best, or null when none does. */
export function labelScope(counts: LabelCount[], groupSize: number, watchers: number): { key: string; values: string[] } | null {
  const keys = [...new Set(counts.map((c) => c.label))];
  let best: { key: string; values: string[]; score: number; nValues: number } | null = null;
  for (const key of keys) {
    const cs = counts.filter((c) => c.label === key);
    const inS = cs.filter((c) => c.affected / c.total > 0.5);
    if (inS.length === 0 || inS.length === cs.length) continue;
    const covered = inS.reduce((n, c) => n + c.affected, 0);
    const inside = inS.reduce((n, c) => n + c.total, 0);
    const coverage = covered / groupSize;
    // Most of the scoped agents fail (68/70 of region=sh), and the scope holds most failures.
    if (coverage < SHARE || covered / inside < 0.6) continue;
    const outsideTotal = watchers - inside;
    const outsideRate = outsideTotal > 0 ? (groupSize - covered) / outsideTotal : 0;
    const score = coverage * (covered / inside) - outsideRate;
    const cand = { key, values: inS.map((c) => c.value).sort(), score, nValues: cs.length };
    if (
      !best ||
      cand.score > best.score + 1e-9 ||
      (Math.abs(cand.score - best.score) <= 1e-9 && (cand.values.length < best.values.length || (cand.values.length === best.values.length && cand.nValues < best.nValues)))
    )
      best = cand;
  }
  return best ? { key: best.key, values: best.values } : null;
}

function scopeOf(group: string[], watchers: AgentInfo[], counts: LabelCount[]): Scope {
  if (group.length === 1) return { kind: 'agent', agent: group[0]! };
  if (watchers.length >= 2 && group.length >= SHARE * watchers.length) return { kind: 'target' };
  const l = labelScope(counts, group.length, watchers.length);
  if (l) return { kind: 'label', ...l };
  return { kind: 'agents', agents: [...group].sort() };
}

/** Facts shared by ≥80% of the failing reports, with what the healthy reports saw. */
export function commonEvidence(failing: ReportInfo[], healthy: ReportInfo[]): CommonEvidence[] {
  if (failing.length === 0) return [];
  const tally = new Map<string, { f: Feature; n: number }>();
  for (const r of failing) {
    for (const f of r.features) {
      const k = `${f.key}\u0000${f.value}`;
      const t = tally.get(k) ?? { f, n: 0 };
      t.n++;
      tally.set(k, t);
    }
  }
  const out: CommonEvidence[] = [];
  for (const { f, n } of tally.values()) {
    if (n < SHARE * failing.length) continue;
    const withKey = healthy.map((h) => h.features.find((x) => x.key === f.key)).filter((x): x is Feature => !!x);
    const same = withKey.filter((x) => x.value === f.value).length;
    if (withKey.length > 0 && same > (1 - SHARE) * withKey.length) continue;
    const others = new Map<string, number>();
    for (const x of withKey) if (x.value !== f.value) others.set(x.value, (others.get(x.value) ?? 0) + 1);
    const healthyValues = [...others.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([value, agents]) => ({ value, agents }));
    out.push({
      key: f.key,
      kind: f.kind,
      value: f.value,
      failing: n,
      failingOf: failing.length,
      healthy: same,
      healthyOf: withKey.length,
      healthyValue: healthyValues[0]?.value ?? null,
      healthyValues,
    });
  }
  return out.sort((a, b) => Number(b.healthyValue !== null) - Number(a.healthyValue !== null) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.key.localeCompare(b.key));
}

export interface CorrelateInput {
  agents: AgentInfo[];
  states: StateInfo[];
  reports: ReportInfo[];
  /** Reports older than this (epoch ms) do not count as the healthy side's view. */
  freshAfter: number;
  /** Healthy agents to ask per label value when the evidence needs a contrast. */
  askPerValue?: number;
  /** Now (epoch ms): failures with no fault code yet wait this long for their diagnosis before they make an incident. */
  now?: number;
  unclassifiedAfterMs?: number;
}

/** The incidents the fleet's state calls for now, one per (target, code) with failing agents. */
export function correlate(input: CorrelateInput): Group[] {
  const online = new Map(input.agents.filter((a) => a.online).map((a) => [a.name, a]));
  const byTarget = new Map<string, StateInfo[]>();
  for (const s of input.states) if (online.has(s.agent)) byTarget.set(s.target, [...(byTarget.get(s.target) ?? []), s]);
  const reportOf = new Map(input.reports.map((r) => [`${r.agent}\u0000${r.target}`, r]));
  const groups: Group[] = [];
  for (const [target, states] of [...byTarget.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const watchers = states.map((s) => online.get(s.agent)!);
    const byCode = new Map<string, StateInfo[]>();
    for (const s of states) {
      if (s.state !== 'down') continue;
      const code = s.codes[0] ?? reportOf.get(`${s.agent}\u0000${target}`)?.code ?? 'UNCLASSIFIED';
      byCode.set(code, [...(byCode.get(code) ?? []), s]);
    }
    const healthyStates = states.filter((s) => s.state === 'up');
    const healthyReports = healthyStates.map((s) => reportOf.get(`${s.agent}\u0000${target}`)).filter((r): r is ReportInfo => !!r && r.at >= input.freshAfter && r.verdict !== 'fault');
    for (const [code, failing] of byCode) {
      // A check failed but its diagnosis is still running: wait for the fault code rather than open a
      // code-less incident that would "recover" the moment the code arrives.
      if (code === 'UNCLASSIFIED' && input.now !== undefined && Math.min(...failing.map((s) => s.since)) > input.now - (input.unclassifiedAfterMs ?? 60_000)) continue;
      const names = failing.map((s) => s.agent).sort();
      const set = new Set(names);
      const counts = labelCounts(watchers, set);
      const scope = scopeOf(names, watchers, counts);
      const failingReports = names.map((n) => reportOf.get(`${n}\u0000${target}`)).filter((r): r is ReportInfo => !!r && r.verdict === 'fault');
      const evidence = commonEvidence(failingReports, healthyReports);
      const contrasted = evidence.some((e) => e.healthyValue !== null);
      const needsContrast = scope.kind === 'label' || scope.kind === 'agents';
      const located = failingReports.length > 0 && (needsContrast ? contrasted : true);
      const askHealthy =
        needsContrast && !contrasted
          ? pickHealthy(
              healthyStates.map((s) => online.get(s.agent)!),
              healthyReports,
              scope,
              input.askPerValue ?? 3,
            )
          : [];
      groups.push({ target, code, agents: names, watchers: watchers.length, scope, counts, firstSeen: Math.min(...failing.map((s) => s.since)), evidence: evidence.slice(0, 8), located, askHealthy });
    }
  }
  return groups;
}

/** A few healthy agents per label value of the scope's key (or overall), without a fresh report. */
function pickHealthy(healthy: AgentInfo[], fresh: ReportInfo[], scope: Scope, per: number): string[] {
  const have = new Set(fresh.map((r) => r.agent));
  const key = scope.kind === 'label' ? scope.key : null;
  const taken = new Map<string, number>();
  const out: string[] = [];
  for (const a of [...healthy].sort((x, y) => x.name.localeCompare(y.name))) {
    if (have.has(a.name)) continue;
    const v = key ? (a.labels[key] ?? '') : '';
    if ((taken.get(v) ?? 0) >= per) continue;
    taken.set(v, (taken.get(v) ?? 0) + 1);
    out.push(a.name);
  }
  return out;
}
