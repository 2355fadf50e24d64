/**
 * Generators (fast-check) for the differential tests: random but valid iptables-restore input,
 * nft scripts and routing tables over the lab's addresses, and flows to send through them.
 * Only lab ranges are used (198.51.100.0/24, 203.0.113.0/24, 100.64.0.0/10, 2001:db8::/32).
 */
import fc from 'fast-check';
import { formatPrefix, parsePrefix } from './ip.js';

export type Side = 'out' | 'in';
type G = fc.GeneratorValue;

export interface Addrs {
  a: string[];
  b: string[];
  /** Other lab addresses (prefix material). */
  other: string[];
}

export const ADDRS: Record<4 | 6, Addrs> = {
  4: { a: ['198.51.100.1', '198.51.100.10'], b: ['198.51.100.2', '203.0.113.5', '203.0.113.77', '100.64.200.9'], other: ['203.0.113.1', '100.64.0.1', '100.64.12.1'] },
  6: { a: ['2001:db8:1::1'], b: ['2001:db8:1::2', '2001:db8:5::5'], other: ['2001:db8:2::1', '2001:db8:3::1', '2001:db8:dead::1'] },
};
const MASKS: Record<4 | 6, number[]> = { 4: [8, 16, 24, 25, 30, 32], 6: [32, 48, 64, 96, 127, 128] };
const PORTS = [22, 53, 80, 443, 8080, 5353];

export interface FlowSpec {
  proto: 'tcp' | 'udp' | 'icmp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export interface FwCase {
  family: 4 | 6;
  side: Side;
  /** iptables-restore input (all four tables). */
  iptables: string;
  /** nft script (empty when none). */
  nft: string;
  flow: FlowSpec;
}

const HOOK_CHAINS: Record<Side, Record<string, string[]>> = {
  out: { raw: ['OUTPUT'], mangle: ['OUTPUT', 'POSTROUTING'], nat: ['OUTPUT', 'POSTROUTING'], filter: ['OUTPUT'] },
  in: { raw: ['PREROUTING'], mangle: ['PREROUTING', 'INPUT'], nat: ['PREROUTING', 'INPUT'], filter: ['INPUT'] },
};
const ALL_BUILTIN: Record<string, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

const pick = <T>(g: G, xs: readonly T[]): T => g(fc.constantFrom, ...xs);
const chance = (g: G, p: number): boolean => g(fc.integer, { min: 0, max: 999 }) < p * 1000;
const int = (g: G, min: number, max: number): number => g(fc.integer, { min, max });

function prefix(g: G, fam: 4 | 6): string {
  const pool = [...ADDRS[fam].a, ...ADDRS[fam].b, ...ADDRS[fam].other];
  return `${pick(g, pool)}/${pick(g, MASKS[fam])}`;
}

function portSpec(g: G): string {
  if (chance(g, 0.6)) return String(pick(g, PORTS));
  const lo = pick(g, [0, 22, 53, 80, 1024, 33000]);
  return `${lo}:${Math.min(65535, lo + pick(g, [0, 10, 100, 1000, 40000]))}`;
}

function iptablesRule(g: G, fam: 4 | 6, side: Side, table: string, chain: string, users: string[], hook: string): string {
  const parts: string[] = [];
  const neg = (p: number): string => (chance(g, p) ? '! ' : '');
  let proto: string | null = null;
  if (chance(g, 0.5)) {
    const p = pick(g, ['tcp', 'udp', fam === 4 ? 'icmp' : 'ipv6-icmp']);
    const n = neg(0.1);
    parts.push(`${n}-p ${p}`);
    if (n === '') proto = p;
  }
  if (chance(g, 0.3)) parts.push(`${neg(0.15)}-s ${prefix(g, fam)}`);
  if (chance(g, 0.3)) parts.push(`${neg(0.15)}-d ${prefix(g, fam)}`);
  const outHook = hook === 'OUTPUT' || hook === 'POSTROUTING';
  if (hook !== 'NONE' && chance(g, 0.2)) parts.push(`${neg(0.15)}${outHook ? '-o' : '-i'} ${pick(g, side === 'out' ? ['a0', 'a+', 'lo', 'a1'] : ['b0', 'b+', 'lo'])}`);
  if (proto === 'tcp' || proto === 'udp') {
    const m = [`-m ${proto}`];
    if (chance(g, 0.4)) m.push(`${neg(0.15)}--dport ${portSpec(g)}`);
    if (chance(g, 0.15)) m.push(`${neg(0.1)}--sport ${pick(g, ['33000:33499', '33500:33999', '1024:65535', '0:1023'])}`);
    if (proto === 'tcp' && chance(g, 0.1)) m.push(`${neg(0.2)}--syn`);
    else if (proto === 'tcp' && chance(g, 0.05)) m.push(`${neg(0.2)}--tcp-flags SYN,ACK SYN`);
    if (m.length > 1) parts.push(m.join(' '));
    if (chance(g, 0.15)) parts.push(`-m multiport ${neg(0.1)}--dports ${pick(g, ['22,80,443', '53,5353', '80:443,8080', '1:1000'])}`);
  }
  if (proto === 'icmp' && chance(g, 0.4)) parts.push(`-m icmp ${neg(0.1)}--icmp-type ${pick(g, ['echo-request', '8', '0', 'any', 'destination-unreachable'])}`);
  if (proto === 'ipv6-icmp' && chance(g, 0.4)) parts.push(`-m icmp6 ${neg(0.1)}--icmpv6-type ${pick(g, ['echo-request', '128', '129'])}`);
  if (chance(g, 0.2)) parts.push(`-m conntrack ${neg(0.1)}--ctstate ${pick(g, ['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED', 'INVALID', 'UNTRACKED', 'NEW,UNTRACKED', 'DNAT', 'SNAT', 'INVALID,NEW'])}`);
  if (chance(g, 0.05)) parts.push(`-m state ${neg(0.1)}--state ${pick(g, ['NEW', 'ESTABLISHED', 'INVALID'])}`);
  if (chance(g, 0.1)) {
    const [lo, hi] =
      fam === 4
        ? pick(g, [
            ['198.51.100.1', '198.51.100.9'],
            ['203.0.113.5', '203.0.113.80'],
            ['100.64.0.0', '100.64.255.255'],
          ] as const)
        : pick(g, [
            ['2001:db8:1::1', '2001:db8:1::ff'],
            ['2001:db8:5::', '2001:db8:5::ffff'],
          ] as const);
    parts.push(`-m iprange ${neg(0.15)}--${pick(g, ['src', 'dst'])}-range ${lo}-${hi}`);
  }
  if (chance(g, 0.1)) parts.push(`-m comment --comment "case ${int(g, 1, 99)} \\"x\\""`);
  if (chance(g, 0.1))
    parts.push(`-m addrtype ${neg(0.15)}--${pick(g, ['dst', 'src'])}-type ${pick(g, fam === 4 ? ['LOCAL', 'UNICAST', 'MULTICAST', 'BROADCAST'] : ['LOCAL', 'UNICAST', 'MULTICAST'])}`);
  if (chance(g, 0.12)) parts.push(`-m mark ${neg(0.1)}--mark ${pick(g, ['0x1', '0x1/0xff', '0x2', '0x0/0xf'])}`);
  // target
  const targets: string[] = ['ACCEPT', '', 'RETURN'];
  if (table !== 'nat') targets.push('DROP', 'DROP');
  if (users.length > 0) targets.push('JUMP', 'JUMP', 'GOTO');
  if (table === 'mangle') targets.push('MARK');
  if (table === 'raw') targets.push('NOTRACK');
  if (table === 'filter' && side === 'in') targets.push('REJECT', 'REJECT');
  if (table === 'nat' && (hook === 'OUTPUT' || hook === 'PREROUTING')) targets.push('DNAT', 'DNAT');
  if (table === 'nat' && (hook === 'POSTROUTING' || hook === 'INPUT')) targets.push('SNAT', hook === 'POSTROUTING' ? 'MASQUERADE' : 'SNAT');
  const t = pick(g, targets);
  let target = '';
  switch (t) {
    case '':
      break;
    case 'JUMP':
      target = `-j ${pick(g, users)}`;
      break;
    case 'GOTO':
      target = `-g ${pick(g, users)}`;
      break;
    case 'MARK':
      target = `-j MARK --set-xmark ${pick(g, ['0x1/0xffffffff', '0x2/0xff', '0x10/0x10'])}`;
      break;
    case 'NOTRACK':
      target = pick(g, ['-j CT --notrack', '-j NOTRACK']);
      break;
    case 'REJECT': {
      const opts = fam === 4 ? ['icmp-port-unreachable', 'icmp-host-prohibited', 'icmp-admin-prohibited'] : ['icmp6-port-unreachable', 'icmp6-adm-prohibited'];
      if (proto === 'tcp') opts.push('tcp-reset');
      target = `-j REJECT --reject-with ${pick(g, opts)}`;
      break;
    }
    case 'DNAT': {
      const to = pick(g, ADDRS[fam].b);
      const port = proto === 'tcp' || proto === 'udp' ? (chance(g, 0.5) ? `:${pick(g, PORTS)}` : '') : '';
      target = `-j DNAT --to-destination ${fam === 6 && port ? `[${to}]` : to}${port}`;
      break;
    }
    case 'SNAT':
      target = `-j SNAT --to-source ${side === 'out' ? pick(g, ADDRS[fam].a) : pick(g, ADDRS[fam].other)}`;
      break;
    default:
      target = `-j ${t}`;
  }
  return `-A ${chain}${parts.length ? ` ${parts.join(' ')}` : ''}${target ? ` ${target}` : ''}`;
}

/** A whole iptables-restore input for one side: random policies, user chains (a DAG), rules. */
export function iptablesRuleset(g: G, fam: 4 | 6, side: Side): string {
  const out: string[] = [];
  for (const table of ['raw', 'mangle', 'nat', 'filter']) {
    out.push(`*${table}`);
    const users = Array.from({ length: int(g, 0, 2) }, (_, i) => `U${table[0]!.toUpperCase()}${i}`);
    for (const c of ALL_BUILTIN[table]!) {
      const pol = table === 'nat' ? 'ACCEPT' : chance(g, table === 'filter' ? 0.3 : 0.08) ? 'DROP' : 'ACCEPT';
      out.push(`:${c} ${pol} [0:0]`);
    }
    for (const u of users) out.push(`:${u} - [0:0]`);
    for (const c of HOOK_CHAINS[side][table]!) {
      const n = int(g, 0, 5);
      for (let i = 0; i < n; i++) out.push(iptablesRule(g, fam, side, table, c, users, c));
    }
    // user chain i only jumps to chains after it: no loops
    users.forEach((u, i) => {
      const n = int(g, 0, 4);
      // only targets valid in every chain that may jump here: nat user chains get no NAT targets
      const restrictedHook = table === 'nat' ? 'NONE' : side === 'out' ? 'OUTPUT' : 'INPUT';
      for (let k = 0; k < n; k++) out.push(iptablesRule(g, fam, side, table, u, users.slice(i + 1), restrictedHook));
    });
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

function nftMatch(g: G, fam: 4 | 6, side: Side, hook: string): string[] {
  const m: string[] = [];
  const ipk = fam === 4 ? 'ip' : 'ip6';
  let l4 = chance(g, 0.5) ? pick(g, ['tcp', 'udp', fam === 4 ? 'icmp' : 'ipv6-icmp']) : null;
  if (l4) {
    const negated = chance(g, 0.1);
    m.push(`meta l4proto ${negated ? '!= ' : ''}${l4}`);
    if (negated) l4 = null;
  }
  if (chance(g, 0.25)) m.push(`${ipk} daddr ${chance(g, 0.15) ? '!= ' : ''}${prefix(g, fam)}`);
  if (chance(g, 0.2)) m.push(`${ipk} saddr ${chance(g, 0.15) ? '!= ' : ''}${prefix(g, fam)}`);
  if (chance(g, 0.1)) m.push(`${ipk} daddr @s${fam}`);
  if (chance(g, 0.2)) m.push(hook === 'output' || hook === 'postrouting' ? `oifname ${pick(g, ['"a0"', '"a*"', '"lo"', '!= "a0"'])}` : `iifname ${pick(g, ['"b0"', '"b*"', '"lo"', '!= "b0"'])}`);
  if (l4 === 'tcp' || l4 === 'udp') {
    if (chance(g, 0.4)) m.push(`${l4} dport ${pick(g, ['80', '443', '{ 22, 53, 80 }', '1-1024', '!= 443', '{ 8080, 5353 }'])}`);
    if (chance(g, 0.1)) m.push(`th sport ${pick(g, ['33000-33499', '33500-33999'])}`);
    if (l4 === 'tcp' && chance(g, 0.15)) m.push(pick(g, ['tcp flags syn', 'tcp flags & (syn|ack) == syn', 'tcp flags & (syn|ack) == syn|ack']));
  }
  if (l4 && l4 !== 'tcp' && l4 !== 'udp' && chance(g, 0.3))
    m.push(fam === 4 ? `icmp type ${pick(g, ['echo-request', 'echo-reply', '{ echo-request, destination-unreachable }'])}` : `icmpv6 type ${pick(g, ['echo-request', 'echo-reply'])}`);
  if (chance(g, 0.2)) m.push(`ct state ${pick(g, ['new', 'established,related', 'invalid', 'untracked', '{ new, untracked }', '!= new'])}`);
  if (chance(g, 0.05)) m.push(`ct status ${pick(g, ['dnat', 'snat'])}`);
  if (chance(g, 0.1)) m.push(`meta mark ${pick(g, ['0x1', '0x0', '!= 0x2'])}`);
  if (hook !== 'postrouting' && chance(g, 0.08)) m.push(`fib daddr type ${pick(g, ['local', 'unicast', '!= local'])}`);
  if (chance(g, 0.05)) m.push(`meta nfproto ${pick(g, ['ipv4', 'ipv6'])}`);
  return m;
}

/** An nft script: one inet table (deleted first) with base chains at non-iptables priorities, sets, user chains. */
export function nftRuleset(g: G, fam: 4 | 6, side: Side): string {
  const hooks = side === 'out' ? ['output', 'postrouting'] : ['prerouting', 'input'];
  const lines: string[] = ['table inet ndxd', 'delete table inet ndxd', 'table inet ndxd {'];
  lines.push('  set s4 { type ipv4_addr; flags interval; elements = { 203.0.113.0/28, 198.51.100.2, 100.64.200.0/24 } }');
  lines.push('  set s6 { type ipv6_addr; flags interval; elements = { 2001:db8:5::/64 } }');
  const users = Array.from({ length: int(g, 0, 2) }, (_, i) => `u${i}`);
  const chains: Array<{ name: string; hook: string | null }> = [];
  const nBase = int(g, 1, 3);
  for (let i = 0; i < nBase; i++) chains.push({ name: `b${i}`, hook: pick(g, hooks) });
  for (const u of users) chains.push({ name: u, hook: null });
  for (const c of chains) {
    const isNat = c.hook !== null && chance(g, 0.2) && (c.hook === 'output' || c.hook === 'postrouting' || c.hook === 'prerouting' || c.hook === 'input');
    lines.push(`  chain ${c.name} {`);
    if (c.hook) {
      const prio = isNat ? pick(g, c.hook === 'postrouting' || c.hook === 'input' ? [90, 110] : [-110, -90]) : pick(g, [-290, -160, -140, -20, 10, 40, 60, 120]);
      lines.push(`    type ${isNat ? 'nat' : 'filter'} hook ${c.hook} priority ${prio}; policy ${isNat ? 'accept' : chance(g, 0.25) ? 'drop' : 'accept'};`);
    }
    const n = int(g, 0, 5);
    const later = c.hook === null ? users.slice(users.indexOf(c.name) + 1) : users;
    for (let k = 0; k < n; k++) {
      const m = nftMatch(g, fam, side, c.hook ?? (side === 'out' ? 'output' : 'input'));
      const verdicts = ['accept', '', 'continue', 'return'];
      if (!isNat) verdicts.push('drop', 'drop');
      if (later.length > 0 && !isNat) verdicts.push('jump', 'goto');
      if (side === 'in' && !isNat && c.hook !== 'prerouting' && c.hook !== null) verdicts.push('reject');
      if (!isNat) verdicts.push('mark');
      if (isNat && (c.hook === 'output' || c.hook === 'prerouting')) verdicts.push('dnat');
      if (isNat && c.hook === 'postrouting') verdicts.push('masquerade', 'snat');
      const v = pick(g, verdicts);
      let tail = '';
      if (v === 'jump' || v === 'goto') tail = `${v} ${pick(g, later)}`;
      else if (v === 'reject') tail = pick(g, ['reject', 'reject with icmpx admin-prohibited', 'reject with icmpx port-unreachable']);
      else if (v === 'mark') tail = `meta mark set ${pick(g, ['0x1', '0x2'])}`;
      else if (v === 'dnat') tail = `dnat ${fam === 4 ? 'ip' : 'ip6'} to ${pick(g, ADDRS[fam].b)}`;
      else if (v === 'snat') tail = `snat ${fam === 4 ? 'ip' : 'ip6'} to ${pick(g, ADDRS[fam].a)}`;
      else tail = v;
      // a NAT statement needs the family pinned in an inet table
      const fix = v === 'dnat' || v === 'snat' ? [`meta nfproto ${fam === 4 ? 'ipv4' : 'ipv6'}`] : [];
      const ms = fix.length ? m.filter((x) => !x.startsWith('meta nfproto')) : m;
      lines.push(`    ${[...fix, ...ms, 'counter', tail].filter((x) => x !== '').join(' ')}`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function flowArb(fam: 4 | 6): fc.Arbitrary<FlowSpec> {
  return fc.record({
    proto: fc.constantFrom('tcp' as const, 'udp' as const, 'udp' as const, 'tcp' as const, 'icmp' as const),
    src: fc.constantFrom(...ADDRS[fam].a),
    dst: fc.constantFrom(...ADDRS[fam].b),
    sport: fc.integer({ min: 33000, max: 33999 }),
    dport: fc.constantFrom(...PORTS, 1234),
  });
}

export function fwCaseArb(opts: { nft: 'none' | 'only' | 'both' }): fc.Arbitrary<FwCase> {
  return fc.gen().chain((g) => {
    const family: 4 | 6 = chance(g, 0.25) ? 6 : 4;
    const side: Side = chance(g, 0.5) ? 'out' : 'in';
    const iptables = opts.nft === 'only' ? '' : iptablesRuleset(g, family, side);
    const nft = opts.nft === 'none' ? '' : nftRuleset(g, family, side);
    return flowArb(family).map((flow) => ({ family, side, iptables, nft, flow }));
  });
}

export interface RouteCase {
  /** `ip -4 -batch` / `ip -6 -batch` lines (routes with proto static, rules). */
  batch: Record<4 | 6, string[]>;
  queries: Array<{ dst: string; from?: string; mark?: number; oif?: string }>;
}

const TABLES = ['main', '100', '101', '102'];
const GW: Record<4 | 6, Array<[string, string]>> = {
  4: [
    ['198.51.100.2', 'a0'],
    ['198.51.100.254', 'a0'],
    ['203.0.113.2', 'a1'],
    ['100.64.0.2', 'a2'],
  ],
  6: [
    ['2001:db8:1::2', 'a0'],
    ['2001:db8:2::2', 'a1'],
    ['2001:db8:3::2', 'a2'],
  ],
};
const ROUTE_BASES: Record<4 | 6, Array<[string, number]>> = {
  4: [
    ['0.0.0.0', 0],
    ['100.64.0.0', 10],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
  ],
  6: [
    ['::', 0],
    ['2001:db8::', 32],
  ],
};

function randomIn(g: G, fam: 4 | 6, base: string, len: number): string {
  if (fam === 4) {
    const b = base.split('.').map(Number);
    let n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const hostBits = 32 - len;
    const r = hostBits === 0 ? 0 : int(g, 0, 2 ** Math.min(hostBits, 30) - 1);
    n = (n + r) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  // 2001:db8:X:Y::Z with small random groups
  return `2001:db8:${pick(g, ['1', '2', '3', '5', 'a', 'dead', 'beef'])}:${int(g, 0, 3).toString(16)}::${int(g, 1, 300).toString(16)}`;
}

function randomPrefix(g: G, fam: 4 | 6): string {
  const [base, minLen] = pick(g, ROUTE_BASES[fam]);
  if (minLen === 0) return fam === 4 ? '0.0.0.0/0' : '::/0';
  const len = int(g, minLen, fam === 4 ? 32 : 128);
  const p = parsePrefix(`${randomIn(g, fam, base, minLen)}/${len}`, fam);
  return p ? formatPrefix(p) : `${base}/${minLen}`;
}

/** Random tables (main + 100…102) and policy rules for ns a, and queries to ask both the kernel and us. */
export function routeCaseArb(): fc.Arbitrary<RouteCase> {
  return fc.gen().map((g) => {
    const batch: Record<4 | 6, string[]> = { 4: [], 6: [] };
    const marks = [0x1, 0x2, 0x10, 0x11];
    for (const fam of [4, 6] as const) {
      const f = '';
      const b = batch[fam];
      const n = int(g, 4, 14);
      for (let i = 0; i < n; i++) {
        const p = randomPrefix(g, fam);
        const table = pick(g, TABLES);
        const metric = pick(g, [0, 10, 100, 1024]);
        const kind = pick(g, ['via', 'via', 'via', 'dev', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multipath']);
        const tail = `${table !== 'main' ? ` table ${table}` : ''} proto static${metric || fam === 6 ? ` metric ${metric || 1024}` : ''}`;
        if (kind === 'via') {
          const [gw, dev] = pick(g, GW[fam]);
          b.push(`${f}route replace ${p} via ${gw} dev ${dev}${tail}`);
        } else if (kind === 'dev') b.push(`${f}route replace ${p} dev ${pick(g, ['a0', 'a1', 'a2'])}${tail}`);
        else if (kind === 'multipath') {
          const [g1, d1] = GW[fam][0]!;
          const [g2, d2] = pick(g, GW[fam].slice(1));
          b.push(`${f}route replace ${p}${tail} nexthop via ${g1} dev ${d1} nexthop via ${g2} dev ${d2}`);
        } else b.push(`${f}route replace ${kind} ${p}${tail}`);
      }
      const nr = int(g, 0, 6);
      const prios = new Set<number>();
      for (let i = 0; i < nr; i++) {
        let prio = int(g, 1, 32000);
        while (prios.has(prio)) prio++;
        prios.add(prio);
        const sel: string[] = [];
        if (chance(g, 0.15)) sel.push('not');
        if (chance(g, 0.3)) sel.push(`from ${chance(g, 0.5) ? pick(g, ADDRS[fam].a) : randomPrefix(g, fam)}`);
        if (chance(g, 0.4)) sel.push(`to ${randomPrefix(g, fam)}`);
        if (chance(g, 0.3)) sel.push(`fwmark ${pick(g, ['0x1', '0x2/0x2', '0x10/0xf0', '0x11'])}`);
        if (chance(g, 0.1)) sel.push(`iif ${pick(g, ['lo', 'a1'])}`);
        if (chance(g, 0.08)) sel.push(`oif ${pick(g, ['a0', 'a1'])}`);
        if (chance(g, 0.05)) sel.push('ipproto tcp dport 443');
        const action = pick(g, ['lookup', 'lookup', 'lookup', 'blackhole', 'unreachable', 'prohibit', 'goto', 'nop', 'suppress']);
        let act: string;
        if (action === 'lookup') act = `lookup ${pick(g, TABLES)}`;
        else if (action === 'goto') act = `goto ${pick(g, [32766, prio + 1 + int(g, 0, 100)])}`;
        else if (action === 'suppress') act = `lookup ${pick(g, TABLES)} suppress_prefixlength ${pick(g, [0, 8, 24])}`;
        else act = action;
        b.push(`${f}rule add ${sel.join(' ')} ${act} pref ${prio}`.replace(/\s+/g, ' '));
      }
    }
    const queries: RouteCase['queries'] = [];
    for (let i = 0; i < 12; i++) {
      const fam: 4 | 6 = chance(g, 0.3) ? 6 : 4;
      const [base, len] = pick(g, ROUTE_BASES[fam].slice(1));
      const dst = chance(g, 0.08) ? pick(g, ADDRS[fam].a) : randomIn(g, fam, base, Math.max(len, fam === 4 ? 10 : 32));
      const q: RouteCase['queries'][number] = { dst };
      if (chance(g, 0.3)) q.from = pick(g, fam === 4 ? ['198.51.100.1', '198.51.100.10', '203.0.113.1', '100.64.0.1'] : ['2001:db8:1::1', '2001:db8:2::1']);
      if (chance(g, 0.3)) q.mark = pick(g, marks);
      if (chance(g, 0.08)) q.oif = pick(g, ['a0', 'a1']);
      queries.push(q);
    }
    return { batch, queries };
  });
}
