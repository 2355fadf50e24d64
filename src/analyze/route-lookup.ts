/**
 * Route explanation over a Snapshot, the way the kernel's fib_lookup decides: policy rules by
 * priority (from, to, fwmark/mask, iif, oif, tos, ipproto, ports, uidrange, not; goto, nop,
 * suppress_prefixlength; blackhole/unreachable/prohibit actions), then in each table the longest
 * prefix whose route is usable (lowest metric first, backtracking to shorter prefixes), `throw`
 * routes falling through to the next rule, error routes ending the lookup. It says what the
 * kernel would pick, what competed and why. Pure; IPv4 and IPv6.
 */
import type { ObservationData } from '../model/observation.js';
import type { Link, Nexthop, PolicyRule, Route, Snapshot } from '../model/snapshot.js';
import { formatAddr, parseAddr, parsePrefix, prefixHas, type Addr, type Prefix } from './ip.js';
import { F_DEAD, F_FROM, F_MULTIPATH, F_TOS, RouteTable, type FamilyTable } from './route-table.js';

type Candidate = ObservationData['route.lookup']['candidates'][number];
type RuleRow = ObservationData['route.lookup']['rules'][number];
export type RouteOutcome = 'route' | 'no-route' | 'blackhole' | 'unreachable' | 'prohibit';

/** What the lookup is about, beyond the destination (all optional, as for `ip route get`). */
export interface RouteQuery {
  from?: string;
  mark?: number;
  /** Input interface: the lookup of a forwarded packet. Locally generated traffic has iif `lo`. */
  iif?: string;
  /** Output interface the socket is bound to (`ip route get … oif DEV`). */
  oif?: string;
  tos?: number;
  /** IP protocol number or name ('tcp', 'udp', 'icmp', 'ipv6-icmp'); none by default, like `ip route get`. */
  ipproto?: number | string;
  sport?: number;
  dport?: number;
  /** uid of the sending socket (policy `uidrange`); 0 by default, like `ip route get` as root. */
  uid?: number;
}

/** One policy rule as the lookup met it. */
export interface RouteStep {
  priority: number;
  text: string;
  matched: boolean;
  table: string | null;
  /** Why it did not match, or what its table lookup gave. */
  note: string;
}

export interface RouteExplanation {
  route: Route | null;
  outcome: RouteOutcome;
  table: string | null;
  gateway: string | null;
  dev: string | null;
  candidates: Candidate[];
  rules: RuleRow[];
  /** Preferred source of the chosen route (prefsrc), else the device's first address of the family. */
  src: string | null;
  /** The next hops of a multipath route: the kernel picks one per flow by hash; gateway/dev name the first. */
  nexthops: Nexthop[];
  /** Every policy rule in order, matched or not, with what happened. */
  steps: RouteStep[];
  /** One sentence: why this route (or outcome) and what it beat. */
  why: string;
}

const PROTOS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132 };
const EMPTY_RULES: PolicyRule[] = [];

interface Compiled {
  rule: PolicyRule;
  src: Prefix | null;
  dst: Prefix | null;
  mark: number;
  mask: number;
  tos: number | null;
  ipproto: number | null;
  sport: [number, number] | null;
  dport: [number, number] | null;
  uid: [number, number] | null;
  /** A selector this analyzer cannot evaluate (l3mdev, tun_id): never matches. */
  opaque: string | null;
}

function range(text: string | undefined): [number, number] | null {
  if (text === undefined) return null;
  const [a, b] = text.split('-');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;
}

function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function compile(r: PolicyRule): Compiled {
  const other = new Map<string, string>();
  for (const o of r.other ?? []) {
    const sp = o.indexOf(' ');
    other.set(sp === -1 ? o : o.slice(0, sp), sp === -1 ? '' : o.slice(sp + 1));
  }
  let mark = 0;
  let mask = 0;
  if (r.fwmark) {
    const [v, m] = r.fwmark.split('/');
    mark = Number(v) >>> 0;
    // `fwmark 0` without a mask has mask 0 in the kernel: it matches everything.
    mask = m !== undefined ? Number(m) >>> 0 : mark !== 0 ? 0xffffffff : 0;
    if (!Number.isFinite(mark) || !Number.isFinite(mask)) mask = 0;
  }
  const proto = other.get('ipproto');
  const opaque = other.has('lookup') ? 'l3mdev' : other.has('tun_id') ? 'tun_id' : null;
  return {
    rule: r,
    src: r.src ? parsePrefix(r.src, r.family) : null,
    dst: r.dst ? parsePrefix(r.dst, r.family) : null,
    mark,
    mask,
    tos: num(other.get('tos')),
    ipproto: proto === undefined ? null : (PROTOS[proto] ?? num(proto)),
    sport: range(other.get('sport')),
    dport: range(other.get('dport')),
    uid: range(other.get('uidrange')),
    opaque,
  };
}

const DEFAULTS: Record<4 | 6, PolicyRule[]> = {
  4: [
    { family: 4, priority: 0, src: null, dst: null, action: 'to_tbl', table: 'local', fwmark: null, iif: null, oif: null, not: false, text: 'from all lookup local' },
    { family: 4, priority: 32766, src: null, dst: null, action: 'to_tbl', table: 'main', fwmark: null, iif: null, oif: null, not: false, text: 'from all lookup main' },
    { family: 4, priority: 32767, src: null, dst: null, action: 'to_tbl', table: 'default', fwmark: null, iif: null, oif: null, not: false, text: 'from all lookup default' },
  ],
  6: [
    { family: 6, priority: 0, src: null, dst: null, action: 'to_tbl', table: 'local', fwmark: null, iif: null, oif: null, not: false, text: 'from all lookup local' },
    { family: 6, priority: 32766, src: null, dst: null, action: 'to_tbl', table: 'main', fwmark: null, iif: null, oif: null, not: false, text: 'from all lookup main' },
  ],
};

const ruleCache = new WeakMap<readonly PolicyRule[], Record<4 | 6, Compiled[]>>();

/** The policy rules of each family in kernel order, compiled once per rule list. */
export function compileRules(rules: readonly PolicyRule[] | null): Record<4 | 6, Compiled[]> {
  const key = rules ?? EMPTY_RULES;
  let c = ruleCache.get(key);
  if (!c) {
    const fam = (f: 4 | 6): Compiled[] => {
      const own = key.filter((r) => r.family === f);
      return (own.length > 0 ? own : DEFAULTS[f]).map(compile).sort((a, b) => a.rule.priority - b.rule.priority);
    };
    c = { 4: fam(4), 6: fam(6) };
    ruleCache.set(key, c);
  }
  return c;
}

interface Flow {
  dst: Addr;
  /** The source address; the unspecified address (0.0.0.0 / ::) when none is given, as the kernel does. */
  src: Addr;
  /** Whether a source was given. */
  hasSrc: boolean;
  mark: number;
  iif: string;
  oif: string | null;
  /** Whether routes through other devices are excluded (IPv4 always; IPv6 only without a source: RT6_LOOKUP_F_IFACE). */
  oifStrict: boolean;
  tos: number;
  ipproto: number;
  sport: number;
  dport: number;
  uid: number;
}

/** Why a rule does not match the flow (null: it matches), before `not` is applied. */
function mismatch(c: Compiled, f: Flow): string | null {
  const r = c.rule;
  if (r.iif !== null && r.iif !== f.iif) return `iif ${r.iif} (the lookup's input interface is ${f.iif})`;
  if (r.oif !== null && r.oif !== f.oif) return `oif ${r.oif} (${f.oif === null ? 'no output interface given' : `output interface ${f.oif}`})`;
  if (((c.mark ^ f.mark) & c.mask) !== 0) return `fwmark ${r.fwmark} (mark is 0x${f.mark.toString(16)})`;
  if (c.opaque) return `${c.opaque} selector`;
  if (c.uid && (f.uid < c.uid[0] || f.uid > c.uid[1])) return `uidrange (uid ${f.uid})`;
  if (c.src && !prefixHas(c.src, f.src)) return `from ${r.src} (${f.hasSrc ? `source ${formatAddr(f.src)}` : 'no source address given'})`;
  if (c.dst && !prefixHas(c.dst, f.dst)) return `to ${r.dst}`;
  if (c.tos !== null && c.tos !== f.tos) return `tos ${c.tos}`;
  if (c.ipproto !== null && c.ipproto !== f.ipproto) return `ipproto (${f.ipproto === 0 ? 'no protocol given' : `protocol ${f.ipproto}`})`;
  if (c.sport && (f.sport < c.sport[0] || f.sport > c.sport[1])) return 'sport';
  if (c.dport && (f.dport < c.dport[0] || f.dport > c.dport[1])) return 'dport';
  return null;
}

const ERROR_TYPES = new Set(['blackhole', 'unreachable', 'prohibit']);
const devsOf = (r: Route): Array<string | null> => (r.nexthops.length > 0 ? r.nexthops.map((n) => n.dev) : [r.dev]);

/** Whether a flow is the plain kind the table's fast paths answer (no tos, no output device, no source-specific routes to check). */
const plainFlow = (f: Flow): boolean => f.tos === 0 && f.oif === null && !(f.dst.family === 6 && f.hasSrc);

/** Whether route i can carry this flow at all (the checks fib_table_lookup makes per alias). */
function usable(t: RouteTable, fam: FamilyTable, i: number, f: Flow): boolean {
  const flags = fam.flags[i]!;
  if (flags & F_DEAD) return false;
  if (flags & (F_TOS | F_FROM)) {
    const r = t.route(fam.family, i);
    if (flags & F_TOS && Number(r.tos) !== f.tos) return false;
    if (flags & F_FROM && r.from !== undefined) {
      const p = parsePrefix(r.from, 6);
      if (p && p.len > 0 && !prefixHas(p, f.src)) return false;
    }
  }
  // IPv4 returns error routes whatever the device; IPv6 scores every route by its device (reject routes sit on lo)
  if (f.oif !== null && f.oifStrict) {
    const type = t.typeNames.names[fam.type[i]!]!;
    if (fam.family === 6 || (!ERROR_TYPES.has(type) && type !== 'throw')) {
      const devs = flags & F_MULTIPATH ? devsOf(t.route(fam.family, i)) : [t.devNames.names[fam.dev[i]!] || null];
      if (!devs.includes(f.oif) && !(type === 'local' && f.oif === 'lo')) return false;
    }
  }
  return true;
}

/** The kernel's choice for one flow; `route` is made on demand (a lookup in a huge table makes no object it does not return). */
export class LookupResult {
  constructor(
    private readonly t: RouteTable | null,
    readonly family: 4 | 6,
    /** The chosen route's number in the table, -1 when none. */
    readonly index: number,
    readonly outcome: RouteOutcome,
    /** The rule that decided (its table's route, or its own action). */
    readonly rule: PolicyRule | null,
    /** On-link assumption: no route, but the socket named an output interface. */
    readonly onlink = false,
  ) {}
  get route(): Route | null {
    return this.t && this.index >= 0 ? this.t.route(this.family, this.index) : null;
  }
  get table(): string | null {
    return this.t && this.index >= 0 ? this.t.tableOf(this.family, this.index) : null;
  }
}

/**
 * The kernel's choice for one flow. With `steps`, records every rule met (for explanations);
 * without, it is the fast path (millions of lookups a second on a large table).
 */
function decide(t: RouteTable, rules: Compiled[], f: Flow, steps: RouteStep[] | null): LookupResult {
  const res = walkRules(t, rules, f, steps);
  // ip_route_output_key: when the lookup fails (any error) and the socket names an output
  // interface, IPv4 assumes the destination is on-link there.
  if (res.outcome !== 'route' && f.oif !== null && f.dst.family === 4 && f.iif === 'lo') return new LookupResult(null, 4, -1, 'route', res.rule, true);
  return res;
}

function walkRules(t: RouteTable, rules: Compiled[], f: Flow, steps: RouteStep[] | null): LookupResult {
  const family = f.dst.family;
  const fam = t.fam(family);
  const plain = plainFlow(f);
  const check = plain ? null : (i: number): boolean => usable(t, fam, i, f);
  let i = 0;
  while (i < rules.length) {
    const c = rules[i]!;
    const r = c.rule;
    i++;
    const why = mismatch(c, f);
    const matched = r.not ? why !== null : why === null;
    if (!matched) {
      steps?.push({ priority: r.priority, text: r.text, matched: false, table: r.table, note: r.not ? 'not: the selectors match' : `does not match: ${why}` });
      continue;
    }
    if (r.action === 'blackhole' || r.action === 'unreachable' || r.action === 'prohibit') {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, note: `${r.action}: the lookup ends here` });
      return new LookupResult(t, family, -1, r.action, r);
    }
    if (r.action === 'goto') {
      const at = rules.findIndex((x) => x.rule.priority === r.goto);
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, note: at === -1 ? `goto ${r.goto}: no rule has that priority, continue` : `goto ${r.goto}` });
      if (at !== -1) i = at;
      continue;
    }
    if (r.action !== 'to_tbl' || r.table === null) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, note: r.action === 'nop' ? 'nop: continue' : `action ${r.action}: continue` });
      continue;
    }
    const tid = t.tableNames.peek(r.table);
    const exists = tid >= 0 && fam.tables.has(tid);
    let best = exists ? fam.best(tid, f.dst.w, check) : -1;
    // IPv6 with a source: the output device is a preference among routes of equal metric, not a filter
    if (best >= 0 && f.oif !== null && !f.oifStrict) {
      const devs = fam.flags[best]! & F_MULTIPATH ? devsOf(t.route(family, best)) : [t.devNames.names[fam.dev[best]!]];
      if (!devs.includes(f.oif)) {
        const alt = fam
          .sameSlot(best)
          .find((x) => fam.metric[x] === fam.metric[best] && usable(t, fam, x, f) && (fam.flags[x]! & F_MULTIPATH ? devsOf(t.route(family, x)) : [t.devNames.names[fam.dev[x]!]]).includes(f.oif!));
        if (alt !== undefined) best = alt;
      }
    }
    if (best < 0) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, note: exists ? `no usable route in table ${r.table} covers the destination` : `table ${r.table} is empty` });
      continue;
    }
    const type = t.typeNames.names[fam.type[best]!]!;
    if (type === 'throw') {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, note: `throw route ${t.route(family, best).dst}: continue with the next rule` });
      continue;
    }
    if (ERROR_TYPES.has(type)) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, note: `${type} route ${t.route(family, best).dst}: the lookup ends here` });
      return new LookupResult(t, family, best, type as RouteOutcome, r);
    }
    const len = fam.len[best]!;
    if (r.suppressPrefixlen !== undefined && len <= r.suppressPrefixlen) {
      steps?.push({
        priority: r.priority,
        text: r.text,
        matched: true,
        table: r.table,
        note: `${t.route(family, best).dst} suppressed (prefix /${len} ≤ suppress_prefixlength ${r.suppressPrefixlen})`,
      });
      continue;
    }
    steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, note: `chose ${t.route(family, best).text}` });
    return new LookupResult(t, family, best, 'route', r);
  }
  return new LookupResult(t, family, -1, 'no-route', null);
}

function makeFlow(dst: Addr, q: RouteQuery): Flow | null {
  let src: Addr = { family: dst.family, w: dst.family === 4 ? [0] : [0, 0, 0, 0] };
  if (q.from !== undefined) {
    const a = parseAddr(q.from);
    if (!a) return null;
    src = unmap(a);
    if (src.family !== dst.family) return null;
  }
  const proto = q.ipproto === undefined ? 0 : typeof q.ipproto === 'number' ? q.ipproto : (PROTOS[q.ipproto] ?? 0);
  return {
    dst,
    src,
    hasSrc: q.from !== undefined,
    mark: (q.mark ?? 0) >>> 0,
    iif: q.iif ?? 'lo',
    oif: q.oif ?? null,
    oifStrict: q.oif !== undefined && (dst.family === 4 || q.from === undefined),
    tos: q.tos ?? 0,
    ipproto: proto,
    sport: q.sport ?? 0,
    dport: q.dport ?? 0,
    uid: q.uid ?? (q.iif !== undefined ? 0xffffffff : 0),
  };
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is looked up as IPv4, as the kernel does for a v4-mapped socket. */
function unmap(a: Addr): Addr {
  if (a.family === 6 && a.w[0] === 0 && a.w[1] === 0 && a.w[2] === 0xffff) return { family: 4, w: [a.w[3]!] };
  return a;
}

/** A route table and rule list prepared for many lookups (bench, differential tests, analyzers). */
export interface PreparedRoutes {
  table: RouteTable;
  rules: Record<4 | 6, Compiled[]>;
}

const tableCache = new WeakMap<readonly Route[], RouteTable>();

/** The snapshot's routes as a RouteTable (built once per route list). */
export function routeTableOf(routes: readonly Route[]): RouteTable {
  let t = tableCache.get(routes);
  if (!t) {
    t = RouteTable.fromRoutes(routes);
    tableCache.set(routes, t);
  }
  return t;
}

export function prepareRoutes(routes: readonly Route[] | RouteTable, rules: readonly PolicyRule[] | null): PreparedRoutes {
  return { table: routes instanceof RouteTable ? routes : routeTableOf(routes), rules: compileRules(rules) };
}

/** The fast path: the kernel's choice only, no explanation. Null when `dst` is not an address. */
export function lookupRoute(p: PreparedRoutes, dst: string | Addr, q: RouteQuery = {}): LookupResult | null {
  const a0 = typeof dst === 'string' ? parseAddr(dst) : dst;
  if (!a0) return null;
  const a = unmap(a0);
  const f = makeFlow(a, q);
  return f ? decide(p.table, p.rules[a.family], f, null) : null;
}

function firstAddress(links: Link[] | null, dev: string | null, family: 4 | 6): string | null {
  const l = links?.find((x) => x.name === dev);
  const a = l?.addresses.find((x) => x.family === family && x.scope === 'global') ?? l?.addresses.find((x) => x.family === family);
  return a?.address ?? null;
}

function describe(r: Route): string {
  return `${r.text}${r.table !== 'main' && !/\btable\b/.test(r.text) ? ` table ${r.table}` : ''}`;
}

/** Why the winner beat the other candidates of its own table (candidates as [route, prefix length]). */
function competition(winner: Route, wl: number, cands: Array<[Route, number]>): string {
  const rivals = cands.filter(([c]) => c !== winner && c.table === winner.table);
  const parts: string[] = [];
  const shorter = rivals.filter(([, l]) => l < wl);
  const same = rivals.filter(([, l]) => l === wl);
  const longer = rivals.filter(([, l]) => l > wl);
  if (shorter.length > 0) parts.push(`longer prefix than ${shorter.map(([c]) => c.dst).join(', ')}`);
  if (same.length > 0) parts.push(`lower metric than ${same.map(([c]) => `${c.dev ?? c.type} metric ${c.metric ?? 0}`).join(', ')} on the same prefix`);
  if (longer.length > 0) parts.push(`the longer ${longer.map(([c]) => c.dst).join(', ')} cannot carry this flow`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** Explains the route to `dst` (optionally from a source, with a mark, iif/oif) over the snapshot's tables. */
export function explainRoute(s: Snapshot, dst: string, opts: RouteQuery = {}): RouteExplanation {
  const routes = s.routes?.ok ? s.routes.value : [];
  return explainWith(prepareRoutes(routes, s.rules?.ok ? s.rules.value : null), s.links?.ok ? s.links.value : null, s.sysctls?.ok ? s.sysctls.value : null, dst, opts);
}

/** explainRoute over a prepared table (a snapshot's, or one loaded from `ip -j route` directly). */
export function explainWith(p: PreparedRoutes, links: Link[] | null, sysctls: Record<string, string> | null, dst: string, opts: RouteQuery = {}): RouteExplanation {
  const empty: RouteExplanation = { route: null, outcome: 'no-route', table: null, gateway: null, dev: null, candidates: [], rules: [], src: null, nexthops: [], steps: [], why: '' };
  const a0 = parseAddr(dst);
  if (!a0) return { ...empty, why: `${dst} is not an IP address` };
  const a = unmap(a0);
  const f = makeFlow(a, opts);
  if (!f) return { ...empty, why: `source ${opts.from} is not an IPv${a.family} address` };
  const steps: RouteStep[] = [];
  const res = decide(p.table, p.rules[a.family], f, steps);

  const fam = p.table.fam(a.family);
  const idx: number[] = [];
  for (const tid of fam.tables.keys()) idx.push(...fam.covering(tid, a.w));
  idx.sort((x, y) => fam.len[y]! - fam.len[x]! || fam.metric[x]! - fam.metric[y]!);
  const covering: Array<[Route, number]> = idx.map((i) => [p.table.route(a.family, i), fam.len[i]!]);
  const candidates: Candidate[] = covering.map(([r]) => ({
    prefix: r.dst,
    table: r.table,
    dev: r.dev ?? r.nexthops[0]?.dev ?? null,
    gateway: r.gateway ?? r.nexthops[0]?.gateway ?? null,
    metric: r.metric,
    type: r.type,
    text: r.text,
  }));
  const rules: RuleRow[] = steps.filter((x) => x.matched).map((x) => ({ priority: x.priority, text: x.text, table: x.table }));
  const base = { candidates, rules, steps };
  const target = formatAddr(a);

  if (res.onlink) {
    return {
      ...base,
      route: null,
      outcome: 'route',
      table: null,
      gateway: null,
      dev: opts.oif ?? null,
      src: firstAddress(links, opts.oif ?? null, a.family),
      nexthops: [],
      why: `the lookup found no usable route to ${target}; the socket is bound to ${opts.oif}, so the kernel assumes ${target} is on-link there`,
    };
  }
  const r = res.route;
  const wl = res.index >= 0 ? fam.len[res.index]! : 0;
  // A forwarded lookup (iif) of a unicast route needs forwarding on: otherwise "No route to host".
  const fwd = sysctls?.[a.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'];
  if (opts.iif !== undefined && opts.iif !== 'lo' && r && res.outcome === 'route' && r.type === 'unicast' && fwd === '0') {
    return {
      ...base,
      route: r,
      outcome: 'unreachable',
      table: r.table,
      gateway: null,
      dev: null,
      src: null,
      nexthops: [],
      why: `${describe(r)} would forward the packet, but forwarding is off (${a.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'} = 0): the kernel answers "No route to host"`,
    };
  }
  if (res.outcome !== 'route' || !r) {
    const why =
      res.outcome === 'no-route'
        ? `no policy rule's table has a usable route to ${target}${candidates.length > 0 ? ` (${candidates.length} covering route(s) were skipped or thrown)` : ''}: the kernel answers "Network is unreachable"`
        : r
          ? `${describe(r)} (rule ${res.rule?.priority}: ${res.rule?.text}) is a ${res.outcome} route${competition(r, wl, covering)}`
          : `policy rule ${res.rule?.priority} (${res.rule?.text}) is a ${res.outcome} rule`;
    return { ...base, route: r, outcome: res.outcome, table: res.table, gateway: null, dev: null, src: null, nexthops: [], why };
  }
  const local = r.type === 'local';
  const dev = local ? 'lo' : (r.dev ?? r.nexthops[0]?.dev ?? null);
  const gateway = local ? null : (r.gateway ?? r.nexthops[0]?.gateway ?? null);
  const multi = r.nexthops.length > 1 ? `; multipath: the kernel hashes each flow onto one of ${r.nexthops.map((n) => `${n.gateway ?? 'direct'} dev ${n.dev ?? '?'}`).join(', ')}` : '';
  const why = `rule ${res.rule?.priority} (${res.rule?.text}) → table ${r.table}: ${describe(r)}${competition(r, wl, covering)}${multi}`;
  return { ...base, route: r, outcome: 'route', table: r.table, gateway, dev, src: r.src ?? firstAddress(links, r.dev ?? r.nexthops[0]?.dev ?? null, a.family), nexthops: r.nexthops, why };
}
