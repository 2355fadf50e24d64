/**
 * nft JSON expressions: reading a packet field (the left side of a match), typed constants (the
 * right side, named sets and set elements), and the text nft would print for them.
 */
import { parseAddr, parsePrefix, prefixHas, compareAddr, type Addr, type Prefix } from '../ip.js';
import { PROTO_NUM } from './common.js';
import { ctStates } from './iptables-modules.js';
import type { Env, Packet } from './types.js';
import { TCP } from './types.js';

export type Kind = 'addr' | 'num' | 'str' | 'ifname' | 'bits' | 'tuple';

/** A typed packet value; ABSENT: the packet has no such field (the match fails); UNKNOWN: cannot tell. */
export type Value = { k: 'addr'; a: Addr } | { k: 'num'; n: number } | { k: 'str'; s: string } | { k: 'tuple'; v: Value[] };
export const ABSENT = 0 as const;
export const UNKNOWN = 1 as const;
export type Got = Value | typeof ABSENT | typeof UNKNOWN;

export interface Getter {
  kind: Kind;
  /** Symbol table for named constants ('tcp', 'established', 'echo-request' …). */
  sym?: Record<string, number>;
  text: string;
  get(p: Packet, env: Env): Got;
  /** For concatenations: the kind of each part. */
  parts?: Getter[];
  why?: string;
  probabilistic?: boolean;
}

const CT_STATE_BITS: Record<string, number> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };
const CT_STATUS_BITS: Record<string, number> = { expected: 1, 'seen-reply': 2, assured: 4, confirmed: 8, snat: 16, dnat: 32, dying: 512 };
const TCP_FLAGS: Record<string, number> = { fin: TCP.FIN, syn: TCP.SYN, rst: TCP.RST, psh: TCP.PSH, ack: TCP.ACK, urg: TCP.URG, ecn: TCP.ECE, cwr: TCP.CWR };
const ICMP4: Record<string, number> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicitation': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  'timestamp-request': 13,
  'timestamp-reply': 14,
  'info-request': 15,
  'info-reply': 16,
  'address-mask-request': 17,
  'address-mask-reply': 18,
};
const ICMP6: Record<string, number> = {
  'destination-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'mld-listener-query': 130,
  'mld-listener-report': 131,
  'mld-listener-done': 132,
  'mld-listener-reduction': 132,
  'nd-router-solicit': 133,
  'nd-router-advert': 134,
  'nd-neighbor-solicit': 135,
  'nd-neighbor-advert': 136,
  'nd-redirect': 137,
  'router-renumbering': 138,
  'ind-neighbor-solicit': 141,
  'ind-neighbor-advert': 142,
  'mld2-listener-report': 143,
};
const NFPROTO: Record<string, number> = { ipv4: 2, ipv6: 10 };
const ETHER: Record<string, number> = { ip: 0x0800, ip6: 0x86dd, arp: 0x0806, vlan: 0x8100 };
const PKTTYPE: Record<string, number> = { host: 0, unicast: 0, broadcast: 1, multicast: 2, other: 3 };
const CTDIR: Record<string, number> = { original: 0, reply: 1 };
const FIBTYPE: Record<string, number> = { unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9, nat: 10, xresolve: 11 };

const num = (n: number): Value => ({ k: 'num', n });
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function unknownGetter(text: string, why: string, probabilistic = false): Getter {
  return { kind: 'num', text, get: () => UNKNOWN, why, probabilistic };
}

const PORTED = new Set([6, 17, 132, 136, 33]);

function payload(proto: string, field: string): Getter {
  const text = `${proto} ${field}`;
  const l4 = (n: number) => (p: Packet) => p.proto === n;
  switch (proto) {
    case 'ip':
    case 'ip6': {
      const fam = proto === 'ip' ? 4 : 6;
      if (field === 'saddr' || field === 'daddr')
        return { kind: 'addr', text, get: (p) => (p.family !== fam ? ABSENT : field === 'saddr' ? (p.src ? { k: 'addr', a: p.src } : UNKNOWN) : { k: 'addr', a: p.dst }) };
      if (field === 'protocol' || field === 'nexthdr') return { kind: 'num', sym: PROTO_NUM, text, get: (p) => (p.family !== fam ? ABSENT : num(p.proto)) };
      if (field === 'version') return { kind: 'num', text, get: (p) => (p.family !== fam ? ABSENT : num(fam)) };
      if (field === 'dscp' || field === 'ecn' || field === 'tos') return { kind: 'num', text, get: (p) => (p.family !== fam ? ABSENT : num(0)) };
      return unknownGetter(text, `${text} of the packet is not known`);
    }
    case 'tcp':
    case 'udp':
    case 'udplite':
    case 'sctp':
    case 'dccp':
    case 'th': {
      const has = proto === 'th' ? (p: Packet) => PORTED.has(p.proto) : l4(PROTO_NUM[proto]!);
      if (field === 'sport' || field === 'dport') return { kind: 'num', text, get: (p) => (!has(p) ? ABSENT : p[field] === null ? UNKNOWN : num(p[field]!)) };
      if (proto === 'tcp' && field === 'flags') return { kind: 'bits', sym: TCP_FLAGS, text, get: (p) => (!has(p) ? ABSENT : num(p.tcpFlags)) };
      return { kind: 'num', text, get: (p) => (!has(p) ? ABSENT : UNKNOWN), why: `${text} of the packet is not known` };
    }
    case 'icmp':
    case 'icmpv6': {
      const n = proto === 'icmp' ? 1 : 58;
      if (field === 'type') return { kind: 'num', sym: proto === 'icmp' ? ICMP4 : ICMP6, text, get: (p) => (p.proto !== n ? ABSENT : p.icmpType === null ? UNKNOWN : num(p.icmpType)) };
      if (field === 'code') return { kind: 'num', text, get: (p) => (p.proto !== n ? ABSENT : p.icmpCode === null ? UNKNOWN : num(p.icmpCode)) };
      return { kind: 'num', text, get: (p) => (p.proto !== n ? ABSENT : UNKNOWN), why: `${text} of the packet is not known` };
    }
    default:
      return unknownGetter(text, `payload ${text} is not understood`);
  }
}

function meta(key: string): Getter {
  const text = ['iifname', 'oifname', 'iif', 'oif', 'mark', 'l4proto', 'nfproto', 'skuid', 'skgid'].includes(key) ? (key === 'l4proto' || key === 'nfproto' ? `meta ${key}` : key) : `meta ${key}`;
  switch (key) {
    case 'l4proto':
      return { kind: 'num', sym: PROTO_NUM, text, get: (p) => num(p.proto) };
    case 'nfproto':
      return { kind: 'num', sym: NFPROTO, text, get: (p) => num(p.family === 4 ? 2 : 10) };
    case 'protocol':
      return { kind: 'num', sym: ETHER, text, get: (p) => num(p.family === 4 ? 0x0800 : 0x86dd) };
    case 'iifname':
    case 'oifname':
    case 'iif':
    case 'oif': {
      const field = key.startsWith('i') ? 'iif' : 'oif';
      const byIndex = key === 'iif' || key === 'oif';
      return { kind: 'ifname', text, get: (p) => (p[field] === null ? UNKNOWN : p[field] === '' && byIndex ? ABSENT : { k: 'str', s: p[field]! }) };
    }
    case 'mark':
      return { kind: 'num', text, get: (p) => (p.mark === null ? UNKNOWN : num(p.mark)) };
    case 'pkttype':
      return {
        kind: 'num',
        sym: PKTTYPE,
        text,
        get: (p, env) => num(p.family === 4 ? (p.dst.w[0]! >>> 28 === 14 ? 2 : env.addrType(p.dst, null).includes('BROADCAST') ? 1 : 0) : p.dst.w[0]! >>> 24 === 0xff ? 2 : 0),
      };
    case 'length':
      return { kind: 'num', text, get: (p) => (p.length === null ? UNKNOWN : num(p.length)), why: 'the packet length is not known' };
    case 'random':
      return unknownGetter(text, 'a random number per packet', true);
    case 'secpath':
      return { kind: 'num', text, get: () => num(0) };
    default:
      return unknownGetter(text, `meta ${key} of the packet is not known`);
  }
}

function ct(key: string, dir: string | undefined): Getter {
  const text = `ct ${dir ? `${dir} ` : ''}${key}`;
  const noCt = (p: Packet): boolean => p.ct === null;
  switch (key) {
    case 'state':
      return {
        kind: 'bits',
        sym: CT_STATE_BITS,
        text,
        get: (p) => {
          let bits = 0;
          for (const s of ctStates(p)) bits |= CT_STATE_BITS[s.toLowerCase()] ?? 0;
          return num(bits);
        },
      };
    case 'status':
      return {
        kind: 'bits',
        sym: CT_STATUS_BITS,
        text,
        get: (p) => {
          if (noCt(p) || p.notrack) return ABSENT;
          if (p.ct!.state !== 'NEW') return UNKNOWN;
          return num((p.ct!.snat ? 16 : 0) | (p.ct!.dnat ? 32 : 0));
        },
      };
    case 'mark':
      return { kind: 'num', text, get: (p) => (noCt(p) || p.notrack ? ABSENT : p.ctmark === null ? UNKNOWN : num(p.ctmark)) };
    case 'direction':
      return { kind: 'num', sym: CTDIR, text, get: (p) => (noCt(p) || p.notrack ? ABSENT : num(p.ct!.reply ? 1 : 0)) };
    case 'l3proto':
      return { kind: 'num', sym: NFPROTO, text, get: (p) => (noCt(p) || p.notrack ? ABSENT : num(p.family === 4 ? 2 : 10)) };
    case 'protocol':
      return { kind: 'num', sym: PROTO_NUM, text, get: (p) => (noCt(p) || p.notrack ? ABSENT : num(p.proto)) };
    case 'zone':
      return { kind: 'num', text, get: (p) => (noCt(p) || p.notrack ? ABSENT : num(0)) };
    case 'saddr':
    case 'daddr':
    case 'ip saddr':
    case 'ip daddr':
    case 'ip6 saddr':
    case 'ip6 daddr':
    case 'proto-src':
    case 'proto-dst': {
      const isPort = key.startsWith('proto');
      const srcSide = key.endsWith('saddr') || key === 'proto-src';
      const original = dir !== 'reply';
      return {
        kind: isPort ? 'num' : 'addr',
        text,
        get: (p) => {
          if (noCt(p) || p.notrack) return ABSENT;
          const o = p.ct!.orig;
          // reply tuple = the current packet reversed (after NAT) in the original direction
          const a = original ? (srcSide ? o.src : o.dst) : srcSide ? (p.ct!.reply ? p.src : p.dst) : p.ct!.reply ? p.dst : p.src;
          const port = original ? (srcSide ? o.sport : o.dport) : srcSide ? (p.ct!.reply ? p.sport : p.dport) : p.ct!.reply ? p.dport : p.sport;
          if (isPort) return port === null ? UNKNOWN : num(port);
          return a ? { k: 'addr', a } : UNKNOWN;
        },
      };
    }
    default:
      return unknownGetter(text, `${text} is not known for this packet`);
  }
}

function fib(spec: Record<string, unknown>): Getter {
  const result = typeof spec.result === 'string' ? spec.result : '';
  const flags = Array.isArray(spec.flags) ? spec.flags.filter((x): x is string => typeof x === 'string') : [];
  const text = `fib ${flags.join(' . ')} ${result}`;
  const field = flags.includes('saddr') ? 'src' : flags.includes('daddr') ? 'dst' : null;
  if (result === 'type' && field) {
    const devFlag = flags.includes('iif') ? 'iif' : flags.includes('oif') ? 'oif' : null;
    return {
      kind: 'num',
      sym: FIBTYPE,
      text,
      get: (p, env) => {
        const a = p[field];
        if (!a) return UNKNOWN;
        const dev = devFlag ? p[devFlag] : null;
        const t = env.addrType(a, dev || null);
        if (t.includes('?')) return UNKNOWN;
        const main = t.includes('LOCAL') ? 'local' : t.includes('BROADCAST') ? 'broadcast' : t.includes('MULTICAST') ? 'multicast' : (t[0] ?? 'unicast').toLowerCase();
        return num(FIBTYPE[main] ?? 1);
      },
    };
  }
  if ((result === 'oif' || result === 'oifname') && field === 'dst' && !flags.includes('iif')) {
    return {
      kind: 'ifname',
      text,
      get: (p, env) => {
        const d = env.routeDev(p.dst, p.mark);
        return d === null ? UNKNOWN : { k: 'str', s: d };
      },
    };
  }
  return unknownGetter(text, `${text} (a reverse-path lookup) is not evaluated`);
}

const BINOPS = new Set(['&', '|', '^', '<<', '>>']);

/** The packet value an nft JSON expression reads. */
export function getter(e: unknown): Getter {
  if (!isObj(e)) return unknownGetter(JSON.stringify(e)?.slice(0, 60) ?? '?', 'expression not understood');
  if (isObj(e.payload)) {
    const pl = e.payload;
    if (typeof pl.protocol === 'string' && typeof pl.field === 'string') return payload(pl.protocol, pl.field);
    return unknownGetter(`@${String(pl.base)},${String(pl.offset)},${String(pl.len)}`, 'raw payload expression');
  }
  if (isObj(e.meta) && typeof e.meta.key === 'string') return meta(e.meta.key);
  if (isObj(e.ct) && typeof e.ct.key === 'string') return ct(e.ct.key, typeof e.ct.dir === 'string' ? e.ct.dir : undefined);
  if (isObj(e.fib)) return fib(e.fib);
  if (Array.isArray(e.concat)) {
    const parts = e.concat.map(getter);
    return {
      kind: 'tuple',
      parts,
      text: parts.map((x) => x.text).join(' . '),
      get: (p, env) => {
        const v: Value[] = [];
        let unknown = false;
        for (const g of parts) {
          const x = g.get(p, env);
          if (x === ABSENT) return ABSENT;
          if (x === UNKNOWN) unknown = true;
          else v.push(x);
        }
        return unknown ? UNKNOWN : { k: 'tuple', v };
      },
      ...(parts.some((x) => x.why) ? { why: parts.find((x) => x.why)!.why! } : {}),
    };
  }
  for (const op of BINOPS) {
    const args = e[op];
    if (Array.isArray(args) && args.length === 2) {
      const left = getter(args[0]);
      const right = constant(args[1], left);
      const text = `${left.text} ${op} ${render(args[1])}`;
      if (right === null || right.k !== 'num') return unknownGetter(text, `cannot compute ${text}`);
      const r = right.n;
      return {
        kind: left.kind === 'bits' ? 'bits' : 'num',
        ...(left.sym ? { sym: left.sym } : {}),
        text,
        get: (p, env) => {
          const l = left.get(p, env);
          if (l === ABSENT || l === UNKNOWN || l.k !== 'num') return l === ABSENT ? ABSENT : UNKNOWN;
          const n = op === '&' ? l.n & r : op === '|' ? l.n | r : op === '^' ? l.n ^ r : op === '<<' ? l.n << r : l.n >>> r;
          return num(n >>> 0);
        },
        ...(left.why ? { why: left.why } : {}),
      };
    }
  }
  if (isObj(e.numgen)) return unknownGetter('numgen', 'a number generator (round robin or random)', true);
  if (isObj(e.jhash) || isObj(e.symhash)) return unknownGetter('hash', 'a hash of the packet');
  if (isObj(e.exthdr)) return { kind: 'num', text: 'exthdr', get: () => ABSENT };
  if (isObj(e.socket)) return unknownGetter('socket', 'socket lookup');
  if (isObj(e['tcp option'])) return unknownGetter('tcp option', 'TCP options of the packet are not known');
  return unknownGetter(render(e), 'expression not understood');
}

/** A constant of the getter's type; null when it cannot be read. Flag lists become one bit mask. */
export function constant(x: unknown, g: Pick<Getter, 'kind' | 'sym' | 'parts'>): Value | null {
  if (g.kind === 'tuple') {
    const c = isObj(x) && Array.isArray(x.concat) ? x.concat : null;
    if (!c || !g.parts || c.length !== g.parts.length) return null;
    const v: Value[] = [];
    for (let i = 0; i < c.length; i++) {
      const y = constant(c[i], g.parts[i]!);
      if (!y) return null;
      v.push(y);
    }
    return { k: 'tuple', v };
  }
  if (Array.isArray(x) || (isObj(x) && Array.isArray(x['|']))) {
    const list = Array.isArray(x) ? x : (x['|'] as unknown[]);
    let bits = 0;
    for (const y of list) {
      const v = constant(y, g);
      if (!v || v.k !== 'num') return null;
      bits |= v.n;
    }
    return num(bits >>> 0);
  }
  if (typeof x === 'number') return Number.isFinite(x) ? num(x >>> 0) : null;
  if (typeof x === 'string') {
    if (g.kind === 'addr') {
      const a = parseAddr(x);
      return a ? { k: 'addr', a } : null;
    }
    if (g.kind === 'ifname' || g.kind === 'str') return { k: 'str', s: x };
    if (g.sym && x in g.sym) return num(g.sym[x]!);
    if (/^(0x[0-9a-f]+|\d+)$/i.test(x)) return num(Number(x) >>> 0);
    return null;
  }
  return null;
}

/** A right-hand side: one predicate over the packet value (null when it cannot be read). */
export type Pred = (v: Value) => boolean;

function sameValue(a: Value, b: Value): boolean {
  if (a.k === 'addr' && b.k === 'addr') return a.a.family === b.a.family && compareAddr(a.a, b.a) === 0;
  if (a.k === 'num' && b.k === 'num') return a.n === b.n;
  if (a.k === 'str' && b.k === 'str') return b.s.endsWith('*') ? a.s.startsWith(b.s.slice(0, -1)) : a.s === b.s;
  if (a.k === 'tuple' && b.k === 'tuple') return a.v.length === b.v.length && a.v.every((x, i) => sameValue(x, b.v[i]!));
  return false;
}

function cmp(a: Value, b: Value): number | null {
  if (a.k === 'num' && b.k === 'num') return a.n - b.n;
  if (a.k === 'addr' && b.k === 'addr' && a.a.family === b.a.family) return compareAddr(a.a, b.a);
  return null;
}

/** One element (of a set, a prefix, a range or a constant) as a predicate; null when unreadable. */
export function element(x: unknown, g: Pick<Getter, 'kind' | 'sym' | 'parts'>): Pred | null {
  if (isObj(x) && isObj(x.elem)) return element(x.elem.val, g);
  if (isObj(x) && isObj(x.prefix)) {
    const pf = x.prefix;
    const p: Prefix | null = typeof pf.addr === 'string' && typeof pf.len === 'number' ? parsePrefix(`${pf.addr}/${pf.len}`) : null;
    return p ? (v) => v.k === 'addr' && prefixHas(p, v.a) : null;
  }
  if (isObj(x) && Array.isArray(x.range) && x.range.length === 2) {
    const lo = constant(x.range[0], g);
    const hi = constant(x.range[1], g);
    if (!lo || !hi) return null;
    return (v) => {
      const a = cmp(v, lo);
      const b = cmp(v, hi);
      return a !== null && b !== null && a >= 0 && b <= 0;
    };
  }
  if (g.kind === 'tuple' && isObj(x) && Array.isArray(x.concat) && g.parts) {
    const parts = x.concat.map((y, i) => (g.parts![i] ? element(y, g.parts![i]!) : null));
    if (parts.some((p) => p === null) || parts.length !== g.parts.length) return null;
    return (v) => v.k === 'tuple' && parts.every((p, i) => p!(v.v[i]!));
  }
  if (typeof x === 'string' && g.kind === 'addr' && x.includes('/')) {
    const p = parsePrefix(x);
    return p ? (v) => v.k === 'addr' && prefixHas(p, v.a) : null;
  }
  const c = constant(x, g);
  return c ? (v) => sameValue(v, c) : null;
}

/** The text nft prints for an expression (close enough for a trace). */
export function render(e: unknown): string {
  if (e === null || e === undefined) return '';
  if (typeof e === 'string' || typeof e === 'number') return String(e);
  if (Array.isArray(e)) return e.map(render).join(',');
  if (!isObj(e)) return '?';
  if (isObj(e.payload))
    return typeof e.payload.protocol === 'string' ? `${e.payload.protocol} ${String(e.payload.field)}` : `@${String(e.payload.base)},${String(e.payload.offset)},${String(e.payload.len)}`;
  if (isObj(e.meta)) return meta(String(e.meta.key)).text;
  if (isObj(e.ct)) return `ct ${e.ct.dir ? `${String(e.ct.dir)} ` : ''}${String(e.ct.key)}`;
  if (isObj(e.fib)) return fib(e.fib).text;
  if (isObj(e.prefix)) return `${String(e.prefix.addr)}/${String(e.prefix.len)}`;
  if (Array.isArray(e.range)) return `${render(e.range[0])}-${render(e.range[1])}`;
  if (Array.isArray(e.set)) return `{ ${e.set.map((x) => (Array.isArray(x) ? `${render(x[0])} : ${render(x[1])}` : render(x))).join(', ')} }`;
  if (Array.isArray(e.concat)) return e.concat.map(render).join(' . ');
  if (isObj(e.elem)) return render(e.elem.val);
  for (const op of BINOPS) if (Array.isArray(e[op])) return `${render((e[op] as unknown[])[0])} ${op} ${render((e[op] as unknown[])[1])}`;
  const k = Object.keys(e)[0];
  return k ?? '?';
}

export { isObj };
