/**
 * iptables match modules (`-m NAME --opt …`) compiled to matches. Modules and options this file
 * does not know become matches whose answer is "unknown" (with the reason), never an error.
 */
import { parseAddr, parsePrefix, prefixHas, type Addr } from '../ip.js';
import { addrMatch, ifaceMatches, match, neg, num32, portMatch, portRange, probabilistic, protoNumber, rangeMatch, tri, unknownMatch, valueMask } from './common.js';
import type { CtState, Item, Packet, Tri } from './types.js';
import { TCP } from './types.js';
import type { IpsetStore } from './ipset.js';

export interface Opt {
  name: string;
  neg: boolean;
  args: string[];
}

export interface ModuleCtx {
  family: 4 | 6;
  /** The rule's `-p` protocol number, when given (and not negated). */
  proto: number | null;
  ipsets: IpsetStore | null;
}

const ICMP4: Record<string, [number, number | null]> = {
  any: [-1, null],
  'echo-reply': [0, null],
  pong: [0, null],
  'destination-unreachable': [3, null],
  'network-unreachable': [3, 0],
  'host-unreachable': [3, 1],
  'protocol-unreachable': [3, 2],
  'port-unreachable': [3, 3],
  'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5],
  'network-unknown': [3, 6],
  'host-unknown': [3, 7],
  'network-prohibited': [3, 9],
  'host-prohibited': [3, 10],
  'TOS-network-unreachable': [3, 11],
  'TOS-host-unreachable': [3, 12],
  'communication-prohibited': [3, 13],
  'host-precedence-violation': [3, 14],
  'precedence-cutoff': [3, 15],
  'source-quench': [4, null],
  redirect: [5, null],
  'network-redirect': [5, 0],
  'host-redirect': [5, 1],
  'TOS-network-redirect': [5, 2],
  'TOS-host-redirect': [5, 3],
  'echo-request': [8, null],
  ping: [8, null],
  'router-advertisement': [9, null],
  'router-solicitation': [10, null],
  'time-exceeded': [11, null],
  'ttl-exceeded': [11, null],
  'ttl-zero-during-transit': [11, 0],
  'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12, null],
  'ip-header-bad': [12, 0],
  'required-option-missing': [12, 1],
  'timestamp-request': [13, null],
  'timestamp-reply': [14, null],
  'address-mask-request': [17, null],
  'address-mask-reply': [18, null],
};

const ICMP6: Record<string, [number, number | null]> = {
  'destination-unreachable': [1, null],
  'no-route': [1, 0],
  'communication-prohibited': [1, 1],
  'beyond-scope': [1, 2],
  'address-unreachable': [1, 3],
  'port-unreachable': [1, 4],
  'failed-policy': [1, 5],
  'reject-route': [1, 6],
  'packet-too-big': [2, null],
  'time-exceeded': [3, null],
  'ttl-exceeded': [3, null],
  'ttl-zero-during-transit': [3, 0],
  'ttl-zero-during-reassembly': [3, 1],
  'parameter-problem': [4, null],
  'bad-header': [4, 0],
  'unknown-header-type': [4, 1],
  'unknown-option': [4, 2],
  'echo-request': [128, null],
  ping: [128, null],
  'echo-reply': [129, null],
  pong: [129, null],
  'router-solicitation': [133, null],
  'router-advertisement': [134, null],
  'neighbour-solicitation': [135, null],
  'neighbor-solicitation': [135, null],
  'neighbour-advertisement': [136, null],
  'neighbor-advertisement': [136, null],
  redirect: [137, null],
};

/** '8', '3/4', 'echo-request' → [type, code|null]; type -1 = any. */
export function icmpType(s: string, v6: boolean): [number, number | null] | null {
  const named = (v6 ? ICMP6 : ICMP4)[s];
  if (named) return named;
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(s);
  if (!m) return null;
  return [Number(m[1]), m[2] === undefined ? null : Number(m[2])];
}

export function icmpMatch(text: string, t: [number, number | null], negate: boolean, v6: boolean): Item {
  const proto = v6 ? 58 : 1;
  return match(text, (p) => {
    if (p.proto !== proto) return 0;
    if (t[0] === -1) return neg(1, negate);
    if (p.icmpType === null) return 2;
    return neg(tri(p.icmpType === t[0] && (t[1] === null || p.icmpCode === t[1])), negate);
  });
}

const FLAG_NAMES: Record<string, number> = { ...TCP, ALL: 0xff, NONE: 0 };

function tcpFlags(s: string): number | null {
  let v = 0;
  for (const f of s.split(',')) {
    const b = FLAG_NAMES[f.toUpperCase()];
    if (b === undefined) return null;
    v |= b;
  }
  return v;
}

const CT_STATES = new Set(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT']);

/** The conntrack state bits of a packet, as xt_conntrack/xt_state compute them. */
export function ctStates(p: Packet): Set<string> {
  if (p.notrack) return new Set(['UNTRACKED']);
  if (!p.ct) return new Set(['INVALID']);
  const s = new Set<string>([p.ct.state]);
  if (p.ct.snat) s.add('SNAT');
  if (p.ct.dnat) s.add('DNAT');
  return s;
}

function ctStateMatch(text: string, states: string[], negate: boolean, virt: boolean): Item {
  return match(text, (p) => {
    const have = ctStates(p);
    const hit = states.some((s) => have.has(s) && (virt || (s !== 'SNAT' && s !== 'DNAT')));
    return neg(tri(hit), negate);
  });
}

/** addrtype types as the kernel names them. */
const ADDR_TYPES = new Set(['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);

function addrTypeMatch(text: string, field: 'src' | 'dst', types: string[], negate: boolean, limitIface: 'in' | 'out' | null): Item {
  return match(text, (p, env) => {
    const a = field === 'src' ? p.src : p.dst;
    if (!a) return 2;
    const dev = limitIface === 'in' ? p.iif : limitIface === 'out' ? p.oif : null;
    if (limitIface && dev === null) return 2;
    const have = env.addrType(a, dev || null);
    if (have.includes('?')) return 2;
    return neg(tri(types.some((t) => have.includes(t))), negate);
  });
}

function markMatch(text: string, which: 'mark' | 'ctmark', value: number, mask: number, negate: boolean): Item {
  return match(text, (p) => {
    const m = which === 'mark' ? p.mark : p.ctmark;
    if (m === null) return 2;
    return neg(tri((m & mask) >>> 0 === value >>> 0), negate);
  });
}

function protoOnly(proto: number, text: string, why: string): Item {
  return match(text, (p) => (p.proto !== proto ? 0 : 2), { why });
}

const first = (o: Opt): string | undefined => o.args[0];

type Compiler = (opts: Opt[], c: ModuleCtx) => Item[];

function optionsOf(known: Record<string, (o: Opt) => Item | Item[] | null>, module: string): Compiler {
  return (opts) => {
    const out: Item[] = [];
    for (const o of opts) {
      const f = known[o.name];
      const r = f ? f(o) : null;
      if (r === null) {
        const text = txt(o);
        out.push(unknownMatch(text, f ? `cannot read ${text} of module "${module}"` : `option ${o.name} of module "${module}" is not understood (a newer iptables?)`));
      } else if (Array.isArray(r)) out.push(...r);
      else out.push(r);
    }
    return out;
  };
}

const txt = (o: Opt): string => `${o.neg ? '! ' : ''}${o.name} ${o.args.join(' ')}`.trim();

function ports(o: Opt, field: 'sport' | 'dport' | 'any', protos: number[] | null, list: boolean): Item | null {
  const v = first(o);
  if (v === undefined) return null;
  const parts = list ? v.split(',') : [v];
  const ranges: Array<[number, number]> = [];
  for (const x of parts) {
    const r = portRange(x);
    if (!r) return null;
    ranges.push(r);
  }
  return portMatch(txt(o), field, ranges, o.neg, protos);
}

function ctAddr(o: Opt, family: 4 | 6, which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst'): Item | null {
  const p = parsePrefix(first(o) ?? '', family);
  if (!p) return null;
  return match(txt(o), (pk) => {
    if (!pk.ct) return neg(0, o.neg);
    const o2 = pk.ct.orig;
    // reply tuple: the original reversed, after NAT (current packet addresses in the original direction)
    const a: Addr | null = which === 'origsrc' ? o2.src : which === 'origdst' ? o2.dst : which === 'replsrc' ? (pk.ct.reply ? pk.src : pk.dst) : pk.ct.reply ? pk.dst : pk.src;
    if (!a) return 2;
    return neg(tri(a.family === p.family && prefixHas(p, a)), o.neg);
  });
}

function ctPort(o: Opt, which: 'origsrcport' | 'origdstport' | 'replsrcport' | 'repldstport'): Item | null {
  const r = portRange(first(o) ?? '');
  if (!r) return null;
  return match(txt(o), (pk) => {
    if (!pk.ct) return neg(0, o.neg);
    const o2 = pk.ct.orig;
    const v = which === 'origsrcport' ? o2.sport : which === 'origdstport' ? o2.dport : which === 'replsrcport' ? (pk.ct.reply ? pk.sport : pk.dport) : pk.ct.reply ? pk.dport : pk.sport;
    if (v === null) return 2;
    return neg(tri(v >= r[0] && v <= r[1]), o.neg);
  });
}

export const MODULES: Record<string, Compiler> = {
  tcp: optionsOf(
    {
      '--sport': (o) => ports(o, 'sport', [6], false),
      '--source-port': (o) => ports(o, 'sport', [6], false),
      '--dport': (o) => ports(o, 'dport', [6], false),
      '--destination-port': (o) => ports(o, 'dport', [6], false),
      '--tcp-flags': (o) => {
        const mask = tcpFlags(o.args[0] ?? '');
        const comp = tcpFlags(o.args[1] ?? '');
        if (mask === null || comp === null) return null;
        return match(txt(o), (p) => (p.proto !== 6 ? 0 : neg(tri((p.tcpFlags & mask) === comp), o.neg)));
      },
      '--syn': (o) => match(txt(o), (p) => (p.proto !== 6 ? 0 : neg(tri((p.tcpFlags & (TCP.SYN | TCP.RST | TCP.ACK | TCP.FIN)) === TCP.SYN), o.neg))),
      '--tcp-option': (o) => match(txt(o), (p) => (p.proto !== 6 ? 0 : 2), { why: 'TCP options of the packet are not known' }),
    },
    'tcp',
  ),
  udp: optionsOf(
    {
      '--sport': (o) => ports(o, 'sport', [17], false),
      '--source-port': (o) => ports(o, 'sport', [17], false),
      '--dport': (o) => ports(o, 'dport', [17], false),
      '--destination-port': (o) => ports(o, 'dport', [17], false),
    },
    'udp',
  ),
  multiport: optionsOf(
    {
      '--sports': (o) => ports(o, 'sport', null, true),
      '--source-ports': (o) => ports(o, 'sport', null, true),
      '--dports': (o) => ports(o, 'dport', null, true),
      '--destination-ports': (o) => ports(o, 'dport', null, true),
      '--ports': (o) => ports(o, 'any', null, true),
    },
    'multiport',
  ),
  icmp: optionsOf(
    {
      '--icmp-type': (o) => {
        const t = icmpType(first(o) ?? '', false);
        return t ? icmpMatch(txt(o), t, o.neg, false) : null;
      },
    },
    'icmp',
  ),
  icmp6: optionsOf(
    {
      '--icmpv6-type': (o) => {
        const t = icmpType(first(o) ?? '', true);
        return t ? icmpMatch(txt(o), t, o.neg, true) : null;
      },
    },
    'icmp6',
  ),
  conntrack: (opts, c) =>
    optionsOf(
      {
        '--ctstate': (o) => {
          const s = (first(o) ?? '').split(',');
          return s.every((x) => CT_STATES.has(x)) ? ctStateMatch(txt(o), s, o.neg, true) : null;
        },
        '--ctproto': (o) => {
          const n = protoNumber(first(o) ?? '');
          return n === null ? null : match(txt(o), (p) => neg(tri(p.ct !== null && (n === 0 || p.proto === n)), o.neg));
        },
        '--ctorigsrc': (o) => ctAddr(o, c.family, 'origsrc'),
        '--ctorigdst': (o) => ctAddr(o, c.family, 'origdst'),
        '--ctreplsrc': (o) => ctAddr(o, c.family, 'replsrc'),
        '--ctrepldst': (o) => ctAddr(o, c.family, 'repldst'),
        '--ctorigsrcport': (o) => ctPort(o, 'origsrcport'),
        '--ctorigdstport': (o) => ctPort(o, 'origdstport'),
        '--ctreplsrcport': (o) => ctPort(o, 'replsrcport'),
        '--ctrepldstport': (o) => ctPort(o, 'repldstport'),
        '--ctdir': (o) => {
          const d = (first(o) ?? '').toUpperCase();
          if (d !== 'ORIGINAL' && d !== 'REPLY') return null;
          return match(txt(o), (p) => (p.ct === null ? 0 : neg(tri(p.ct.reply === (d === 'REPLY')), o.neg)));
        },
        '--ctstatus': (o) => {
          const want = (first(o) ?? '').split(',');
          return match(txt(o), (p) => {
            if (!p.ct) return neg(0, o.neg);
            const has = new Set<string>(p.ct.state === 'NEW' ? ['NONE'] : ['SEEN_REPLY', 'CONFIRMED']);
            if (p.ct.state !== 'NEW' && want.includes('ASSURED')) return 2;
            return neg(tri(want.some((w) => has.has(w))), o.neg);
          });
        },
      },
      'conntrack',
    )(opts, c),
  state: optionsOf(
    {
      '--state': (o) => {
        const s = (first(o) ?? '').split(',');
        return s.every((x) => CT_STATES.has(x) && x !== 'SNAT' && x !== 'DNAT') ? ctStateMatch(txt(o), s, o.neg, false) : null;
      },
    },
    'state',
  ),
  iprange: (opts, c) =>
    optionsOf(
      {
        '--src-range': (o) => range(o, c.family, 'src'),
        '--dst-range': (o) => range(o, c.family, 'dst'),
      },
      'iprange',
    )(opts, c),
  comment: () => [],
  addrtype: (opts) => {
    const limit = opts.some((o) => o.name === '--limit-iface-in') ? 'in' : opts.some((o) => o.name === '--limit-iface-out') ? 'out' : null;
    return optionsOf(
      {
        '--src-type': (o) => types(o, 'src', limit),
        '--dst-type': (o) => types(o, 'dst', limit),
        '--limit-iface-in': () => [],
        '--limit-iface-out': () => [],
      },
      'addrtype',
    )(opts, { family: 4, proto: null, ipsets: null });
  },
  mark: optionsOf(
    {
      '--mark': (o) => {
        const vm = valueMask(first(o));
        return vm ? markMatch(txt(o), 'mark', vm[0] & vm[1], vm[1], o.neg) : null;
      },
    },
    'mark',
  ),
  connmark: optionsOf(
    {
      '--mark': (o) => {
        const vm = valueMask(first(o));
        return vm ? markMatch(txt(o), 'ctmark', vm[0] & vm[1], vm[1], o.neg) : null;
      },
    },
    'connmark',
  ),
  statistic: (opts) => {
    const mode = opts.find((o) => o.name === '--mode')?.args[0];
    const p = opts.find((o) => o.name === '--probability')?.args[0];
    const every = opts.find((o) => o.name === '--every')?.args[0];
    const desc = mode === 'random' && p ? `random, probability ${Number(p).toFixed(2)}` : mode === 'nth' && every ? `every ${every}th packet` : 'statistic';
    return [probabilistic(`-m statistic ${opts.map(txt).join(' ')}`, `matches some packets only (${desc})`)];
  },
  limit: (opts) => [probabilistic(`-m limit ${opts.map(txt).join(' ')}`, 'matches while under the rate limit')],
  hashlimit: (opts) => [probabilistic(`-m hashlimit ${opts.map(txt).join(' ')}`, 'matches while under the per-flow rate limit')],
  quota: (opts) => [probabilistic(`-m quota ${opts.map(txt).join(' ')}`, 'matches until the byte quota is used up')],
  connlimit: (opts) => [unknownMatch(`-m connlimit ${opts.map(txt).join(' ')}`, 'depends on the number of other connections')],
  recent: (opts) => [unknownMatch(`-m recent ${opts.map(txt).join(' ')}`, 'depends on the recent-list state (earlier packets)')],
  owner: (opts) => [unknownMatch(`-m owner ${opts.map(txt).join(' ')}`, 'depends on the sending process (uid/gid) which the snapshot does not know')],
  pkttype: optionsOf(
    {
      '--pkt-type': (o) => {
        const want = (first(o) ?? '').toLowerCase();
        if (!['unicast', 'broadcast', 'multicast', 'host'].includes(want)) return null;
        return match(txt(o), (p, env) => {
          const mc = p.family === 4 ? p.dst.w[0]! >>> 28 === 14 : p.dst.w[0]! >>> 24 === 0xff;
          const bc = !mc && p.family === 4 && env.addrType(p.dst, null).includes('BROADCAST');
          const kind = mc ? 'multicast' : bc ? 'broadcast' : 'unicast';
          return neg(tri(kind === (want === 'host' ? 'unicast' : want)), o.neg);
        });
      },
    },
    'pkttype',
  ),
  tos: optionsOf({ '--tos': (o) => dsField(o, 0xff) }, 'tos'),
  dscp: optionsOf(
    {
      '--dscp': (o) => {
        const v = num32(first(o));
        return v === null ? null : match(txt(o), () => neg(tri(v === 0), o.neg));
      },
      '--dscp-class': (o) => match(txt(o), () => neg(tri((first(o) ?? '').toUpperCase() === 'BE' || (first(o) ?? '').toUpperCase() === 'CS0'), o.neg)),
    },
    'dscp',
  ),
  set: (opts, c) =>
    optionsOf(
      {
        '--match-set': (o) => setMatch(o, c),
        '--return-nomatch': () => [],
        '--update-counters': () => [],
        '--update-subcounters': () => [],
        '! --update-counters': () => [],
        '--packets-eq': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
        '--packets-lt': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
        '--packets-gt': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
        '--bytes-eq': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
        '--bytes-lt': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
        '--bytes-gt': (o) => unknownMatch(txt(o), 'set element counters are not in the snapshot'),
      },
      'set',
    )(opts, c),
  nfacct: () => [],
  frag: (opts) => [match(`-m frag ${opts.map(txt).join(' ')}`, () => 0)],
  hbh: (opts) => [match(`-m hbh ${opts.map(txt).join(' ')}`, () => 0)],
  dst: (opts) => [match(`-m dst ${opts.map(txt).join(' ')}`, () => 0)],
  rt: (opts) => [match(`-m rt ${opts.map(txt).join(' ')}`, () => 0)],
  sctp: (opts) => [protoOnly(132, `-m sctp ${opts.map(txt).join(' ')}`, 'SCTP details')],
  dccp: (opts) => [protoOnly(33, `-m dccp ${opts.map(txt).join(' ')}`, 'DCCP details')],
  esp: (opts) => [protoOnly(50, `-m esp ${opts.map(txt).join(' ')}`, 'ESP SPI')],
  ah: (opts) => [protoOnly(51, `-m ah ${opts.map(txt).join(' ')}`, 'AH SPI')],
  mh: (opts) => [protoOnly(135, `-m mh ${opts.map(txt).join(' ')}`, 'mobility header type')],
  length: optionsOf(
    {
      '--length': (o) => {
        const r = portRange(first(o) ?? '');
        return r ? match(txt(o), (p) => (p.length === null ? 2 : neg(tri(p.length >= r[0] && p.length <= r[1]), o.neg)), { why: 'the packet length is not known' }) : null;
      },
    },
    'length',
  ),
};

function range(o: Opt, family: 4 | 6, field: 'src' | 'dst'): Item | null {
  const [a, b] = (first(o) ?? '').split('-');
  const lo = a ? parseAddr(a) : null;
  const hi = b ? parseAddr(b) : null;
  if (!lo || !hi || lo.family !== family || hi.family !== family) return null;
  return rangeMatch(txt(o), field, lo, hi, o.neg);
}

function types(o: Opt, field: 'src' | 'dst', limit: 'in' | 'out' | null): Item | null {
  const t = (first(o) ?? '').toUpperCase().split(',');
  return t.every((x) => ADDR_TYPES.has(x)) ? addrTypeMatch(txt(o), field, t, o.neg, limit) : null;
}

function dsField(o: Opt, defMask: number): Item | null {
  const names: Record<string, number> = { 'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0 };
  const v = first(o) ?? '';
  const vm = v in names ? [names[v]!, 0x3f] : valueMask(v, defMask);
  if (!vm) return null;
  return match(txt(o), () => neg(tri((0 & vm[1]!) === (vm[0]! & vm[1]!)), o.neg));
}

function setMatch(o: Opt, c: ModuleCtx): Item | null {
  const [name, dirs] = o.args;
  if (!name || !dirs) return null;
  const flags = dirs.split(',');
  if (!flags.every((f) => f === 'src' || f === 'dst')) return null;
  const set = c.ipsets?.get(name) ?? null;
  if (!set) return match(txt(o), () => 2, { why: `depends on set ${name} (its contents are not in the snapshot)` });
  return match(
    txt(o),
    (p) => {
      const r = set.test(p, flags as Array<'src' | 'dst'>);
      return r === 2 ? 2 : neg(r, o.neg);
    },
    { why: `set ${name}: ${set.why ?? 'element type not understood'}` },
  );
}

/** The global matches: -p, -s, -d, -i, -o, -f. */
export function globalMatch(o: Opt, family: 4 | 6): Item | null {
  const v = first(o);
  const text = txt(o);
  switch (o.name) {
    case '-p': {
      const n = protoNumber(v ?? '');
      if (n === null) return null;
      return match(text, (p) => neg(tri(n === 0 || p.proto === n), o.neg));
    }
    case '-s':
    case '-d': {
      const ps = (v ?? '').split(',').map((x) => parsePrefix(x, family));
      if (ps.some((x) => x === null)) return null;
      return addrMatch(text, o.name === '-s' ? 'src' : 'dst', ps as NonNullable<(typeof ps)[number]>[], o.neg);
    }
    case '-i':
    case '-o': {
      if (v === undefined) return null;
      const field = o.name === '-i' ? 'iif' : 'oif';
      return match(text, (p: Packet): Tri => neg(ifaceMatches(v, p[field]), o.neg));
    }
    case '-f':
      return match(text, () => neg(0, o.neg));
    default:
      return null;
  }
}

export type { CtState };
