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
import { defineMessages, renderMsg, semicolonList, type Msg } from '../model/message.js';

/** The sentences of a route explanation (`why`, each policy rule's note), in en and zh. */
export const routeText = defineMessages('routeText', {
  notSelectors: { en: 'not: the selectors match', zh: 'not：选择条件匹配，因此不适用' },
  noMatch: { en: 'does not match: {why}', zh: '不匹配：{why}' },
  ends: { en: '{action}: the lookup ends here', zh: '{action}：查询到此结束' },
  gotoMissing: { en: 'goto {to}: no rule has that priority, continue', zh: 'goto {to}：没有该优先级的规则，继续' },
  goto: { en: 'goto {to}', zh: 'goto {to}' },
  nop: { en: 'nop: continue', zh: 'nop：继续' },
  action: { en: 'action {action}: continue', zh: '动作 {action}：继续' },
  noUsable: { en: 'no usable route in table {table} covers the destination', zh: '路由表 {table} 中没有覆盖该目的地址的可用路由' },
  empty: { en: 'table {table} is empty', zh: '路由表 {table} 为空' },
  throw: { en: 'throw route {dst}: continue with the next rule', zh: 'throw 路由 {dst}：继续查下一条规则' },
  errorRoute: { en: '{type} route {dst}: the lookup ends here', zh: '{type} 路由 {dst}：查询到此结束' },
  suppressed: { en: '{dst} suppressed (prefix /{len} ≤ suppress_prefixlength {max})', zh: '{dst} 被忽略（前缀 /{len} ≤ suppress_prefixlength {max}）' },
  chose: { en: 'chose {route}', zh: '选中 {route}' },
  iif: { en: "iif {iif} (the lookup's input interface is {lookup})", zh: 'iif {iif}（本次查询的入接口为 {lookup}）' },
  oif: { en: 'oif {oif} (output interface {lookup})', zh: 'oif {oif}（出接口为 {lookup}）' },
  oifNone: { en: 'oif {oif} (no output interface given)', zh: 'oif {oif}（未指定出接口）' },
  fwmark: { en: 'fwmark {fwmark} (mark is {mark})', zh: 'fwmark {fwmark}（报文标记为 {mark}）' },
  selector: { en: '{what} selector', zh: '{what} 选择条件' },
  uidrange: { en: 'uidrange (uid {uid})', zh: 'uidrange（uid {uid}）' },
  from: { en: 'from {from} (source {src})', zh: 'from {from}（源地址 {src}）' },
  fromNone: { en: 'from {from} (no source address given)', zh: 'from {from}（未指定源地址）' },
  ipproto: { en: 'ipproto (protocol {proto})', zh: 'ipproto（协议 {proto}）' },
  ipprotoNone: { en: 'ipproto (no protocol given)', zh: 'ipproto（未指定协议）' },
  notIp: { en: '{dst} is not an IP address', zh: '{dst} 不是 IP 地址' },
  srcFamily: { en: 'source {src} is not an IPv{family} address', zh: '源地址 {src} 不是 IPv{family} 地址' },
  onlink: { en: 'the lookup found no usable route to {target}; the socket is bound to {oif}, so the kernel assumes {target} is on-link there', zh: '查询未找到到 {target} 的可用路由；套接字绑定在 {oif} 上，因此内核认为 {target} 直连在该接口上' },
  noForwarding: { en: '{route} would forward the packet, but forwarding is off ({sysctl} = 0): the kernel answers "No route to host"', zh: '{route} 本会转发该报文，但转发已关闭（{sysctl} = 0）：内核返回 "No route to host"' },
  noRoute: { en: 'no policy rule\'s table has a usable route to {target}: the kernel answers "Network is unreachable"', zh: '所有策略规则对应的路由表中都没有到 {target} 的可用路由：内核返回 "Network is unreachable"' },
  noRouteSkipped: { en: 'no policy rule\'s table has a usable route to {target} ({n} covering route(s) were skipped or thrown): the kernel answers "Network is unreachable"', zh: '所有策略规则对应的路由表中都没有到 {target} 的可用路由（{n} 条覆盖路由被跳过或 throw）：内核返回 "Network is unreachable"' },
  errorRouteWhy: { en: '{route} (rule {priority}: {rule}) is a {outcome} route{competition}', zh: '{route}（规则 {priority}：{rule}）是 {outcome} 路由{competition}' },
  errorRuleWhy: { en: 'policy rule {priority} ({rule}) is a {outcome} rule', zh: '策略规则 {priority}（{rule}）是 {outcome} 规则' },
  chosen: { en: 'rule {priority} ({rule}) → table {table}: {route}{competition}{multi}', zh: '规则 {priority}（{rule}）→ 路由表 {table}：{route}{competition}{multi}' },
  multipath: { en: '; multipath: the kernel hashes each flow onto one of {hops}', zh: '；多路径：内核按流哈希到以下之一：{hops}' },
  direct: { en: 'direct dev {dev}', zh: '直连 dev {dev}' },
  competition: { en: ' ({parts})', zh: '（{parts}）' },
  longerThan: { en: 'longer prefix than {list}', zh: '前缀比 {list} 更长' },
  lowerMetric: { en: 'lower metric than {list} on the same prefix', zh: '同一前缀上 metric 比 {list} 更低' },
  longerCannot: { en: 'the longer {list} cannot carry this flow', zh: '更长的 {list} 无法承载该流' },
});
const noted = (m: Msg): { note: string; noteMsg: Msg } => ({ note: renderMsg(m, 'en'), noteMsg: m });

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
  /** The note as a message; `note` is its English text. */
  noteMsg?: Msg;
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
  /** The explanation as a message; `why` is its English text. */
  whyMsg?: Msg;
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
function mismatch(c: Compiled, f: Flow): Msg | string | null {
  const r = c.rule;
  if (r.iif !== null && r.iif !== f.iif) return routeText('iif', { iif: r.iif, lookup: f.iif ?? '-' });
  if (r.oif !== null && r.oif !== f.oif) return f.oif === null ? routeText('oifNone', { oif: r.oif }) : routeText('oif', { oif: r.oif, lookup: f.oif });
  if (((c.mark ^ f.mark) & c.mask) !== 0) return routeText('fwmark', { fwmark: r.fwmark ?? '?', mark: `0x${f.mark.toString(16)}` });
  if (c.opaque) return routeText('selector', { what: c.opaque });
  if (c.uid && (f.uid < c.uid[0] || f.uid > c.uid[1])) return routeText('uidrange', { uid: f.uid });
  if (c.src && !prefixHas(c.src, f.src)) return f.hasSrc ? routeText('from', { from: r.src ?? '?', src: formatAddr(f.src) }) : routeText('fromNone', { from: r.src ?? '?' });
  if (c.dst && !prefixHas(c.dst, f.dst)) return `to ${r.dst}`;
  if (c.tos !== null && c.tos !== f.tos) return `tos ${c.tos}`;
  if (c.ipproto !== null && c.ipproto !== f.ipproto) return f.ipproto === 0 ? routeText('ipprotoNone') : routeText('ipproto', { proto: f.ipproto });
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
      steps?.push({ priority: r.priority, text: r.text, matched: false, table: r.table, ...noted(r.not ? routeText('notSelectors') : routeText('noMatch', { why: why ?? '' })) });
      continue;
    }
    if (r.action === 'blackhole' || r.action === 'unreachable' || r.action === 'prohibit') {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, ...noted(routeText('ends', { action: r.action })) });
      return new LookupResult(t, family, -1, r.action, r);
    }
    if (r.action === 'goto') {
      const at = rules.findIndex((x) => x.rule.priority === r.goto);
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, ...noted(routeText(at === -1 ? 'gotoMissing' : 'goto', { to: r.goto ?? '?' })) });
      if (at !== -1) i = at;
      continue;
    }
    if (r.action !== 'to_tbl' || r.table === null) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: null, ...noted(r.action === 'nop' ? routeText('nop') : routeText('action', { action: r.action })) });
      continue;
    }
    const tid = t.tableNames.peek(r.table);
    const exists = tid >= 0 && fam.tables.has(tid);
    let best = exists ? fam.best(tid, f.dst.w, check) : -1;
    // IPv6 with a source: the output device is a preference among routes of equal metric, not a filter
    if (best >= 0 && f.oif !== null && !f.oifStrict) {
      const devs = fam.flags[best]! & F_MULTIPATH ? devsOf(t.route(family, best)) : [t.devNames.names[fam.dev[best]!]];
      if (!devs.includes(f.oif)) {
        const alt = fam.sameSlot(best).find((x) => fam.metric[x] === fam.metric[best] && usable(t, fam, x, f) && (fam.flags[x]! & F_MULTIPATH ? devsOf(t.route(family, x)) : [t.devNames.names[fam.dev[x]!]]).includes(f.oif!));
        if (alt !== undefined) best = alt;
      }
    }
    if (best < 0) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, ...noted(routeText(exists ? 'noUsable' : 'empty', { table: r.table })) });
      continue;
    }
    const type = t.typeNames.names[fam.type[best]!]!;
    if (type === 'throw') {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, ...noted(routeText('throw', { dst: t.route(family, best).dst })) });
      continue;
    }
    if (ERROR_TYPES.has(type)) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, ...noted(routeText('errorRoute', { type, dst: t.route(family, best).dst })) });
      return new LookupResult(t, family, best, type as RouteOutcome, r);
    }
    const len = fam.len[best]!;
    if (r.suppressPrefixlen !== undefined && len <= r.suppressPrefixlen) {
      steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, ...noted(routeText('suppressed', { dst: t.route(family, best).dst, len, max: r.suppressPrefixlen })) });
      continue;
    }
    steps?.push({ priority: r.priority, text: r.text, matched: true, table: r.table, ...noted(routeText('chose', { route: t.route(family, best).text })) });
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
function competition(winner: Route, wl: number, cands: Array<[Route, number]>): Msg | string {
  const rivals = cands.filter(([c]) => c !== winner && c.table === winner.table);
  const parts: Msg[] = [];
  const shorter = rivals.filter(([, l]) => l < wl);
  const same = rivals.filter(([, l]) => l === wl);
  const longer = rivals.filter(([, l]) => l > wl);
  if (shorter.length > 0) parts.push(routeText('longerThan', { list: shorter.map(([c]) => c.dst).join(', ') }));
  if (same.length > 0) parts.push(routeText('lowerMetric', { list: same.map(([c]) => `${c.dev ?? c.type} metric ${c.metric ?? 0}`).join(', ') }));
  if (longer.length > 0) parts.push(routeText('longerCannot', { list: longer.map(([c]) => c.dst).join(', ') }));
  return parts.length > 0 ? routeText('competition', { parts: semicolonList(parts) }) : '';
}
/** A `why` as the explanation carries it: English text and its message. */
const whyOf = (m: Msg): { why: string; whyMsg: Msg } => ({ why: renderMsg(m, 'en'), whyMsg: m });

/** Explains the route to `dst` (optionally from a source, with a mark, iif/oif) over the snapshot's tables. */
export function explainRoute(s: Snapshot, dst: string, opts: RouteQuery = {}): RouteExplanation {
  const routes = s.routes?.ok ? s.routes.value : [];
  return explainWith(prepareRoutes(routes, s.rules?.ok ? s.rules.value : null), s.links?.ok ? s.links.value : null, s.sysctls?.ok ? s.sysctls.value : null, dst, opts);
}

/** explainRoute over a prepared table (a snapshot's, or one loaded from `ip -j route` directly). */
export function explainWith(p: PreparedRoutes, links: Link[] | null, sysctls: Record<string, string> | null, dst: string, opts: RouteQuery = {}): RouteExplanation {
  const empty: RouteExplanation = { route: null, outcome: 'no-route', table: null, gateway: null, dev: null, candidates: [], rules: [], src: null, nexthops: [], steps: [], why: '' };
  const a0 = parseAddr(dst);
  if (!a0) return { ...empty, ...whyOf(routeText('notIp', { dst })) };
  const a = unmap(a0);
  const f = makeFlow(a, opts);
  if (!f) return { ...empty, ...whyOf(routeText('srcFamily', { src: opts.from ?? '?', family: a.family })) };
  const steps: RouteStep[] = [];
  const res = decide(p.table, p.rules[a.family], f, steps);

  const fam = p.table.fam(a.family);
  const idx: number[] = [];
  for (const tid of fam.tables.keys()) idx.push(...fam.covering(tid, a.w));
  idx.sort((x, y) => fam.len[y]! - fam.len[x]! || fam.metric[x]! - fam.metric[y]!);
  const covering: Array<[Route, number]> = idx.map((i) => [p.table.route(a.family, i), fam.len[i]!]);
  const candidates: Candidate[] = covering.map(([r]) => ({ prefix: r.dst, table: r.table, dev: r.dev ?? r.nexthops[0]?.dev ?? null, gateway: r.gateway ?? r.nexthops[0]?.gateway ?? null, metric: r.metric, type: r.type, text: r.text }));
  const rules: RuleRow[] = steps.filter((x) => x.matched).map((x) => ({ priority: x.priority, text: x.text, table: x.table }));
  const base = { candidates, rules, steps };
  const target = formatAddr(a);

  if (res.onlink) {
    return { ...base, route: null, outcome: 'route', table: null, gateway: null, dev: opts.oif ?? null, src: firstAddress(links, opts.oif ?? null, a.family), nexthops: [], ...whyOf(routeText('onlink', { target, oif: opts.oif ?? '?' })) };
  }
  const r = res.route;
  const wl = res.index >= 0 ? fam.len[res.index]! : 0;
  // A forwarded lookup (iif) of a unicast route needs forwarding on: otherwise "No route to host".
  const fwd = sysctls?.[a.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'];
  if (opts.iif !== undefined && opts.iif !== 'lo' && r && res.outcome === 'route' && r.type === 'unicast' && fwd === '0') {
    return { ...base, route: r, outcome: 'unreachable', table: r.table, gateway: null, dev: null, src: null, nexthops: [], ...whyOf(routeText('noForwarding', { route: describe(r), sysctl: a.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding' })) };
  }
  if (res.outcome !== 'route' || !r) {
    const whyMsg =
      res.outcome === 'no-route'
        ? candidates.length > 0
          ? routeText('noRouteSkipped', { target, n: candidates.length })
          : routeText('noRoute', { target })
        : r
          ? routeText('errorRouteWhy', { route: describe(r), priority: String(res.rule?.priority), rule: String(res.rule?.text), outcome: res.outcome, competition: competition(r, wl, covering) })
          : routeText('errorRuleWhy', { priority: String(res.rule?.priority), rule: String(res.rule?.text), outcome: res.outcome });
    return { ...base, route: r, outcome: res.outcome, table: res.table, gateway: null, dev: null, src: null, nexthops: [], ...whyOf(whyMsg) };
  }
  const local = r.type === 'local';
  const dev = local ? 'lo' : (r.dev ?? r.nexthops[0]?.dev ?? null);
  const gateway = local ? null : (r.gateway ?? r.nexthops[0]?.gateway ?? null);
  const multi = r.nexthops.length > 1 ? routeText('multipath', { hops: r.nexthops.map((n) => (n.gateway ? `${n.gateway} dev ${n.dev ?? '?'}` : routeText('direct', { dev: n.dev ?? '?' }))) }) : '';
  const whyMsg = routeText('chosen', { priority: String(res.rule?.priority), rule: String(res.rule?.text), table: r.table, route: describe(r), competition: competition(r, wl, covering), multi });
  return { ...base, route: r, outcome: 'route', table: r.table, gateway, dev, src: r.src ?? firstAddress(links, r.dev ?? r.nexthops[0]?.dev ?? null, a.family), nexthops: r.nexthops, ...whyOf(whyMsg) };
}
