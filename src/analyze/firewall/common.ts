/** Building blocks shared by the iptables and nft front ends: matches over packet fields, NAT, marks. */
import { formatAddr, maskBits, parseAddr, parsePrefix, prefixHas, compareAddr, type Addr, type Prefix } from '../ip.js';
import type { Env, Match, NatChange, Packet, Statement, Tri } from './types.js';

export const neg = (r: Tri, n: boolean): Tri => (n ? (r === 2 ? 2 : ((1 - r) as Tri)) : r);
export const tri = (b: boolean): Tri => (b ? 1 : 0);

export function match(text: string, test: (p: Packet, env: Env) => Tri, extra: { why?: string; probabilistic?: boolean } = {}): Match {
  // one object shape for every match (no spread): the evaluator's hot loop stays monomorphic
  return { kind: 'match', text, test, why: extra.why, probabilistic: extra.probabilistic };
}

/** A match this analyzer cannot decide: its answer is always "unknown". */
export function unknownMatch(text: string, why: string): Match {
  return match(text, () => 2, { why });
}

export function probabilistic(text: string, why: string): Match {
  return match(text, () => 2, { why, probabilistic: true });
}

export const PROTO_NUM: Record<string, number> = {
  all: 0,
  ip: 0,
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  icmp6: 58,
  sctp: 132,
  udplite: 136,
  dccp: 33,
  mh: 135,
  'ipv6-mh': 135,
};

export function protoNumber(s: string): number | null {
  const k = s.toLowerCase();
  if (k in PROTO_NUM) return PROTO_NUM[k]!;
  return /^\d{1,3}$/.test(s) && Number(s) <= 255 ? Number(s) : null;
}

/** Matches an interface name the way iptables does: 'eth+' is a prefix, '' means "no device". */
export function ifaceMatches(pattern: string, name: string | null): Tri {
  if (name === null) return 2;
  if (pattern.endsWith('+')) return tri(name.startsWith(pattern.slice(0, -1)));
  return tri(name === pattern);
}

export function addrMatch(text: string, field: 'src' | 'dst', prefixes: Prefix[], negate: boolean): Match {
  const only = prefixes.length === 1 ? prefixes[0]! : null;
  if (only && only.family === 4) {
    // the hot case (-s/-d with one IPv4 prefix): one mask and compare, no allocation
    const mask = maskBits(only.len);
    const net = only.w[0]!;
    const test =
      field === 'src'
        ? (p: Packet): Tri => {
            const a = p.src;
            if (a === null) return 2;
            return (a.family === 4 && (a.w[0]! & mask) >>> 0 === net) !== negate ? 1 : 0;
          }
        : (p: Packet): Tri => {
            const a = p.dst;
            return (a.family === 4 && (a.w[0]! & mask) >>> 0 === net) !== negate ? 1 : 0;
          };
    return match(text, test);
  }
  return match(text, (p) => {
    const a = field === 'src' ? p.src : p.dst;
    if (a === null) return 2;
    let hit = false;
    for (let i = 0; i < prefixes.length && !hit; i++) hit = prefixHas(prefixes[i]!, a);
    return hit !== negate ? 1 : 0;
  });
}

export function rangeMatch(text: string, field: 'src' | 'dst', lo: Addr, hi: Addr, negate: boolean): Match {
  return match(text, (p) => {
    const a = field === 'src' ? p.src : p.dst;
    if (a === null) return 2;
    if (a.family !== lo.family) return neg(0, negate);
    return neg(tri(compareAddr(a, lo) >= 0 && compareAddr(a, hi) <= 0), negate);
  });
}

/** '80', '1024:65535', ':1023', '1024:' (iptables) or '80-90' (nft/multiport) → [lo, hi]. */
export function portRange(s: string): [number, number] | null {
  const m = /^(\d{0,5})(?:[:-](\d{0,5}))?$/.exec(s);
  if (!m) return null;
  if (m[2] === undefined) {
    if (m[1] === '') return null;
    const v = Number(m[1]);
    return v <= 65535 ? [v, v] : null;
  }
  const lo = m[1] === '' ? 0 : Number(m[1]);
  const hi = m[2] === '' ? 65535 : Number(m[2]);
  return lo <= 65535 && hi <= 65535 ? [Math.min(lo, hi), Math.max(lo, hi)] : null;
}

const PORTED = new Set([6, 17, 132, 136, 33]);

export function portMatch(text: string, field: 'sport' | 'dport' | 'any', ranges: Array<[number, number]>, negate: boolean, protos: number[] | null): Match {
  const inR = (v: number | null): boolean => {
    if (v === null) return false;
    for (let i = 0; i < ranges.length; i++) if (v >= ranges[i]![0] && v <= ranges[i]![1]) return true;
    return false;
  };
  return match(text, (p) => {
    if (protos ? !protos.includes(p.proto) : !PORTED.has(p.proto)) return 0;
    if (field === 'any') {
      if (p.sport === null || p.dport === null) return inR(p.sport) || inR(p.dport) ? neg(1, negate) : 2;
      return neg(tri(inR(p.sport) || inR(p.dport)), negate);
    }
    const v = p[field];
    if (v === null) return 2;
    return neg(tri(inR(v)), negate);
  });
}

export function markOp(kind: 'set' | 'xset' | 'and' | 'or' | 'xor', value: number, mask: number): (m: number) => number {
  switch (kind) {
    case 'set':
      return (m) => ((m & ~mask) | value) >>> 0;
    case 'xset':
      return (m) => ((m & ~mask) ^ value) >>> 0;
    case 'and':
      return (m) => (m & value) >>> 0;
    case 'or':
      return (m) => (m | value) >>> 0;
    case 'xor':
      return (m) => (m ^ value) >>> 0;
  }
}

export function num32(s: string | undefined): number | null {
  if (s === undefined || !/^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(s)) return null;
  const v = Number(s);
  return v <= 0xffffffff ? v : null;
}

/** 'v' or 'v/m' → [value, mask]. */
export function valueMask(s: string | undefined, defMask = 0xffffffff): [number, number] | null {
  if (s === undefined) return null;
  const [v, m] = s.split('/');
  const value = num32(v);
  const mask = m === undefined ? defMask : num32(m);
  return value === null || mask === null ? null : [value, mask];
}

export interface NatTo {
  lo: Addr | null;
  hi: Addr | null;
  portLo: number | null;
  portHi: number | null;
}

/** '1.2.3.4', '1.2.3.4-1.2.3.9:80-90', '[2001:db8::1]:443', ':8080' → parts; null when unreadable. */
export function parseNatTo(s: string, family: 4 | 6): NatTo | null {
  let addrPart = s;
  let portPart: string | null = null;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end === -1) return null;
    addrPart = s.slice(1, end);
    const rest = s.slice(end + 1);
    if (rest.startsWith(':')) portPart = rest.slice(1);
    else if (rest !== '') return null;
  } else if (family === 4 || s.startsWith(':')) {
    const c = s.indexOf(':');
    if (c !== -1) {
      addrPart = s.slice(0, c);
      portPart = s.slice(c + 1);
    }
  }
  let lo: Addr | null = null;
  let hi: Addr | null = null;
  if (addrPart !== '') {
    const [a, b] = addrPart.split('-');
    lo = parseAddr(a!);
    hi = b === undefined ? lo : parseAddr(b);
    if (!lo || !hi || lo.family !== family) return null;
  }
  let portLo: number | null = null;
  let portHi: number | null = null;
  if (portPart !== null) {
    const r = portRange(portPart.replace(/\/\d+$/, ''));
    if (!r) return null;
    [portLo, portHi] = r;
  }
  return { lo, hi, portLo, portHi };
}

const show = (a: Addr | null, port: number | null): string => {
  const t = a ? formatAddr(a) : '?';
  if (port === null) return t;
  return a?.family === 6 ? `[${t}]:${port}` : `${t}:${port}`;
};

/** A NAT statement: rewrites the packet (first address/port of a range) and accepts in its chain. */
export function natStatement(text: string, kind: NatChange['kind'], to: NatTo | null, opts: { netmap?: Prefix } = {}): Statement {
  return {
    kind: 'stmt',
    text,
    apply(p, env) {
      const dstSide = kind === 'DNAT' || kind === 'REDIRECT' || (kind === 'NETMAP' && (p.hook === 'PREROUTING' || p.hook === 'OUTPUT'));
      const before = dstSide ? show(p.dst, p.dport) : show(p.src, p.sport);
      if (kind === 'MASQUERADE') {
        p.src = p.oif ? env.devAddr(p.oif, p.family) : null;
        if (to?.portLo != null) p.sport = to.portLo;
      } else if (kind === 'REDIRECT') {
        p.dst = p.hook === 'OUTPUT' ? (p.family === 4 ? { family: 4, w: [0x7f000001] } : { family: 6, w: [0, 0, 0, 1] }) : ((p.iif ? env.devAddr(p.iif, p.family) : null) ?? p.dst);
        if (to?.portLo != null) p.dport = to.portLo;
      } else if (kind === 'NETMAP' && opts.netmap) {
        const m = opts.netmap;
        const cur = dstSide ? p.dst : p.src;
        if (cur) {
          const w = cur.w.map((x, i) => {
            const bits = Math.max(0, Math.min(32, m.len - 32 * i));
            const mask = bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
            return ((m.w[i]! & mask) | (x & ~mask)) >>> 0;
          });
          if (dstSide) p.dst = { family: cur.family, w };
          else p.src = { family: cur.family, w };
        }
      } else if (to) {
        if (dstSide) {
          if (to.lo) p.dst = to.lo;
          if (to.portLo !== null) p.dport = to.portLo;
        } else {
          if (to.lo) p.src = to.lo;
          if (to.portLo !== null) p.sport = to.portLo;
        }
      }
      const after = dstSide ? show(p.dst, p.dport) : show(p.src, p.sport);
      // The kernel marks the connection as NATed (ctstate DNAT/SNAT, ct status) only when the
      // binding changed the tuple: a DNAT to the address and port the packet already has is no NAT.
      if (p.ct && after !== before) {
        if (dstSide) p.ct.dnat = true;
        else p.ct.snat = true;
      }
      return { verdict: { kind: 'accept' }, nat: { kind, from: before, to: after }, note: `${kind} ${before} → ${after}` };
    },
  };
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export { parseAddr, parsePrefix };
