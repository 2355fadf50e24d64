/**
 * Which local firewall rule dropped our probe, by the counters netfilter keeps:
 * `iptables-save -c` before and after the probe; a DROP/REJECT rule (or a DROP chain policy)
 * whose packet counter grew during it, and whose own matches do not contradict the flow, is the
 * rule that decided. Exact on a quiet host, and it is what the kernel really did.
 */
import ipaddr from 'ipaddr.js';
import { parseIptablesSave } from './firewall/iptables.js';
import type { ObservationData } from '../model/observation.js';

export interface CountedRule {
  table: string;
  chain: string;
  /** 1-based position in its chain (`iptables -L CHAIN --line-numbers`); 0 for the chain policy. */
  number: number;
  packets: number;
  target: string;
  text: string;
}

/** `iptables-save -c` as counted rules and chain policies, read by the evaluator's own parser. */
export function parseCounters(text: string, family: 4 | 6 = 4): CountedRule[] {
  const out: CountedRule[] = [];
  for (const c of parseIptablesSave(text, family).chains.values()) {
    if (c.base && c.base.packets !== undefined)
      out.push({ table: c.table, chain: c.name, number: 0, packets: c.base.packets, target: c.base.policy === 'drop' ? 'DROP' : 'ACCEPT', text: `-P ${c.name} ${c.base.policy.toUpperCase()}` });
    for (const r of c.rules) {
      if (r.packets === undefined) continue;
      out.push({ table: c.table, chain: c.name, number: r.number, packets: r.packets, target: /(?:^|\s)-[jg]\s+(\S+)/.exec(r.text)?.[1] ?? '', text: r.text });
    }
  }
  return out;
}

export interface Flow {
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  dst: string;
  dport: number | null;
}

const optVal = (text: string, opt: string): { neg: boolean; value: string } | null => {
  const m = new RegExp(`(!\\s+)?${opt}\\s+(\\S+)`).exec(text);
  return m ? { neg: !!m[1], value: m[2]! } : null;
};

function inPrefix(value: string, addr: string): boolean {
  try {
    const a = ipaddr.parse(addr);
    const [p, l] = value.includes('/') ? ipaddr.parseCIDR(value) : [ipaddr.parse(value), a.kind() === 'ipv4' ? 32 : 128];
    return p.kind() === a.kind() && a.match([p, l] as [ipaddr.IPv4, number]);
  } catch {
    return true; // cannot tell: do not rule it out
  }
}

/** Whether a rule's own matches could match the flow in either direction (request or reply). */
export function couldMatch(text: string, f: Flow): boolean {
  const p = optVal(text, '-p');
  if (p && !p.neg && p.value !== f.proto && !(f.proto === 'icmpv6' && p.value === 'ipv6-icmp')) return false;
  const d = optVal(text, '-d');
  const s = optVal(text, '-s');
  const dOk = !d || d.neg !== inPrefix(d.value, f.dst);
  const sOk = !s || s.neg !== inPrefix(s.value, f.dst);
  if (!dOk && !sOk) return false;
  if (f.dport !== null) {
    const dp = optVal(text, '--dport') ?? optVal(text, '--dports');
    const sp = optVal(text, '--sport') ?? optVal(text, '--sports');
    const hits = (v: string): boolean => v.split(',').some((x) => (x.includes(':') ? f.dport! >= Number(x.split(':')[0]) && f.dport! <= Number(x.split(':')[1]) : Number(x) === f.dport));
    if (dp && !sp && dp.neg === hits(dp.value)) return false;
    if (sp && !dp && sp.neg === hits(sp.value)) return false;
  }
  return true;
}

const TABLE_ORDER = ['raw', 'mangle', 'nat', 'filter', 'security'];

/** The DROP/REJECT rule whose counter grew between two dumps and that could match the flow. */
export function droppingRule(before: string, after: string, flow: Flow, backend: 'iptables' | 'ip6tables'): ObservationData['firewall.verdict'] | null {
  const family = backend === 'ip6tables' ? 6 : 4;
  const b = new Map(parseCounters(before, family).map((r) => [`${r.table}/${r.chain}/${r.number}/${r.text}`, r.packets]));
  const grown = parseCounters(after, family)
    .filter((r) => (r.target === 'DROP' || r.target === 'REJECT') && r.packets > (b.get(`${r.table}/${r.chain}/${r.number}/${r.text}`) ?? 0))
    .filter((r) => r.number === 0 || couldMatch(r.text, flow))
    .sort((x, y) => TABLE_ORDER.indexOf(x.table) - TABLE_ORDER.indexOf(y.table) || (x.number === 0 ? 1 : 0) - (y.number === 0 ? 1 : 0));
  const r = grown[0];
  if (!r) return null;
  const chain: 'OUTPUT' | 'INPUT' | 'FORWARD' = r.chain === 'INPUT' || /input/i.test(r.chain) ? 'INPUT' : r.chain === 'FORWARD' ? 'FORWARD' : 'OUTPUT';
  const rejectWith = /--reject-with\s+(\S+)/.exec(r.text)?.[1];
  return {
    chain,
    proto: flow.proto,
    src: null,
    dst: flow.dst,
    dport: flow.dport,
    verdict: r.target === 'REJECT' ? 'REJECT' : 'DROP',
    rule: { backend, table: r.table, chain: r.chain, number: r.number === 0 ? null : r.number, text: r.text },
    ...(r.target === 'REJECT' ? { rejectWith: rejectWith ?? 'icmp-port-unreachable' } : {}),
    reason: `packet counter grew during the probe (${r.number === 0 ? 'chain policy' : `rule ${r.number}`})`,
  };
}
