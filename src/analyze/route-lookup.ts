/**
 * Route explanation over a Snapshot: which policy rules are consulted (by priority), which
 * routes of each table cover the destination (longest prefix first, then metric), what the
 * kernel would pick, and what competed. Pure; IPv4 and IPv6.
 */
import ipaddr from 'ipaddr.js';
import type { ObservationData } from '../model/observation.js';
import type { PolicyRule, Route, Snapshot } from '../system/types.js';

type Candidate = ObservationData['route.lookup']['candidates'][number];
type RuleRow = ObservationData['route.lookup']['rules'][number];

export interface RouteExplanation {
  route: Route | null;
  outcome: 'route' | 'no-route' | 'blackhole' | 'unreachable' | 'prohibit';
  table: string | null;
  gateway: string | null;
  dev: string | null;
  candidates: Candidate[];
  rules: RuleRow[];
}

function parseCidr(prefix: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    const [a, l] = prefix.split('/') as [string, string | undefined];
    const addr = ipaddr.parse(a);
    const len = l === undefined ? (addr.kind() === 'ipv4' ? 32 : 128) : Number(l);
    return [addr, len];
  } catch {
    return null;
  }
}

export function prefixContains(prefix: string, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const c = parseCidr(prefix);
  if (!c || c[0].kind() !== addr.kind()) return false;
  return addr.match([c[0], c[1]] as [ipaddr.IPv4, number]);
}

const prefixLen = (p: string): number => Number(p.split('/')[1] ?? 0);

function ruleMatches(r: PolicyRule, dst: ipaddr.IPv4 | ipaddr.IPv6, from: ipaddr.IPv4 | ipaddr.IPv6 | null, mark: number | null): boolean {
  let m = true;
  if (r.dst) m &&= prefixContains(r.dst, dst);
  if (r.src) m &&= from !== null && prefixContains(r.src, from);
  if (r.fwmark) {
    const [v, mask] = r.fwmark.split('/');
    const want = Number(v);
    const msk = mask ? Number(mask) : 0xffffffff;
    m &&= mark !== null && (mark & msk) === (want & msk);
  }
  if (r.iif) m &&= false; // locally generated traffic has no input interface (except lo)
  return r.not ? !m : m;
}

/** Explains the route to `dst` (optionally from a source, with a mark) over the snapshot's tables. */
export function explainRoute(s: Snapshot, dst: string, opts: { from?: string; mark?: number } = {}): RouteExplanation {
  const routes = s.routes.ok ? s.routes.value : [];
  const empty: RouteExplanation = { route: null, outcome: 'no-route', table: null, gateway: null, dev: null, candidates: [], rules: [] };
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(dst);
  } catch {
    return empty;
  }
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  const from = opts.from ? ipaddr.parse(opts.from) : null;
  const mark = opts.mark ?? null;
  const covering = routes
    .filter((r) => r.family === family && r.type !== 'broadcast' && r.type !== 'multicast' && prefixContains(r.dst, addr))
    .sort((a, b) => prefixLen(b.dst) - prefixLen(a.dst) || (a.metric ?? 0) - (b.metric ?? 0));
  const candidates: Candidate[] = covering.map((r) => ({ prefix: r.dst, table: r.table, dev: r.dev, gateway: r.gateway ?? r.nexthops[0]?.gateway ?? null, metric: r.metric, type: r.type, text: r.text }));
  const policy = (s.rules.ok ? s.rules.value : []).filter((r) => r.family === family).sort((a, b) => a.priority - b.priority);
  const defaultRules: PolicyRule[] = [
    { family, priority: 0, src: null, dst: null, action: 'to_tbl', table: 'local', fwmark: null, iif: null, oif: null, not: false, text: '0: from all lookup local' },
    { family, priority: 32766, src: null, dst: null, action: 'to_tbl', table: 'main', fwmark: null, iif: null, oif: null, not: false, text: '32766: from all lookup main' },
    { family, priority: 32767, src: null, dst: null, action: 'to_tbl', table: 'default', fwmark: null, iif: null, oif: null, not: false, text: '32767: from all lookup default' },
  ];
  const consulted: RuleRow[] = [];
  for (const rule of policy.length > 0 ? policy : defaultRules) {
    if (!ruleMatches(rule, addr, from, mark)) continue;
    consulted.push({ priority: rule.priority, text: rule.text, table: rule.table });
    if (rule.action === 'blackhole' || rule.action === 'unreachable' || rule.action === 'prohibit') {
      return { ...empty, outcome: rule.action, candidates, rules: consulted };
    }
    if (rule.action !== 'to_tbl' || !rule.table) continue;
    const best = covering.find((r) => r.table === rule.table);
    if (!best) continue;
    if (best.type === 'throw') continue;
    if (best.type === 'blackhole' || best.type === 'unreachable' || best.type === 'prohibit') {
      return { route: best, outcome: best.type, table: best.table, gateway: null, dev: null, candidates, rules: consulted };
    }
    const gw = best.gateway ?? best.nexthops[0]?.gateway ?? null;
    const dev = best.dev ?? best.nexthops[0]?.dev ?? null;
    return { route: best, outcome: 'route', table: best.table, gateway: gw, dev, candidates, rules: consulted };
  }
  return { ...empty, candidates, rules: consulted };
}
