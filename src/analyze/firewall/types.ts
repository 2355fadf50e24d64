/**
 * The firewall's intermediate form, shared by the iptables-save and nft JSON front ends: chains
 * of rules, each rule an ordered list of items (matches and statements), compiled to closures
 * once so one verdict over ten thousand rules takes well under a millisecond.
 */
import type { Addr } from '../ip.js';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export type Backend = 'iptables' | 'ip6tables' | 'nft';
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** TCP flag bits as on the wire. */
export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const;

/** The packet as one hook sees it; statements (NAT, MARK, NOTRACK) change it on the way. */
export interface Packet {
  family: 4 | 6;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6). */
  proto: number;
  /** Null when the source is not known (then a source match is undecidable). */
  src: Addr | null;
  dst: Addr;
  sport: number | null;
  dport: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  tcpFlags: number;
  /** '' when the hook has no such device (OUTPUT has no input device); null when unknown. */
  iif: string | null;
  oif: string | null;
  hook: Hook;
  /** Connection tracking: null before conntrack has seen the packet (raw table, priority < -200). */
  ct: { state: CtState; reply: boolean; snat: boolean; dnat: boolean; orig: { src: Addr | null; dst: Addr; sport: number | null; dport: number | null } } | null;
  /** Set by NOTRACK / CT --notrack / nft notrack. */
  notrack: boolean;
  /** Packet mark and conntrack mark; null when unknown. */
  mark: number | null;
  ctmark: number | null;
  /** Length in bytes when known (the first packet of a flow is not known exactly). */
  length: number | null;
}

/** 0: no, 1: yes, 2: cannot tell from the snapshot. */
export type Tri = 0 | 1 | 2;

export interface Env {
  /** Route type of an address as addrtype/fib see it ('LOCAL', 'UNICAST', 'BROADCAST', …). */
  addrType(a: Addr, dev: string | null): string[];
  /** Whether an address is one of this machine's. */
  isLocal(a: Addr): boolean;
  /** Route lookup: output device for a destination (after DNAT), null when unknown. */
  routeDev(dst: Addr, mark: number | null): string | null;
  /** Address of a device in a family (MASQUERADE), null when unknown. */
  devAddr(dev: string, family: 4 | 6): Addr | null;
}

export interface Match {
  kind: 'match';
  /** The text this match came from ('-p tcp', '--dport 443', 'ip daddr 10.0.0.0/8'). */
  text: string;
  test(p: Packet, env: Env): Tri;
  /** Why the answer can be 2 (unknown module, unresolved set, …). */
  why?: string;
  /** statistic/limit/hashlimit/quota: the answer differs packet by packet. */
  probabilistic?: boolean;
}

export type Verdict =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject'; with: string }
  | { kind: 'return' }
  | { kind: 'continue' }
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  /** Decided outside the rules (NFQUEUE, TPROXY, an unknown target): the verdict is unknown. */
  | { kind: 'unknown'; why: string };

export interface Statement {
  kind: 'stmt';
  text: string;
  /** Changes the packet (MARK, NAT, NOTRACK …) and may decide (NAT accepts in its chain). */
  apply(p: Packet, env: Env): { verdict?: Verdict; note?: string; nat?: NatChange };
}

export interface VerdictItem {
  kind: 'verdict';
  text: string;
  /** Usually constant; a verdict map (nft vmap) computes it from the packet (null: no entry, continue). */
  resolve(p: Packet, env: Env): Verdict | null | 'unknown';
  /** The verdict when it does not depend on the packet. */
  constant?: Verdict;
  why?: string;
}

export type Item = Match | Statement | VerdictItem;

export interface NatChange {
  kind: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP';
  from: string;
  to: string;
}

export interface FwRule {
  /** 1-based position in its chain (`iptables -L CHAIN --line-numbers`). */
  number: number;
  /** nft rule handle. */
  handle?: number;
  /** Line of the dump (iptables-save), when the rule came from text. */
  line?: number;
  text: string;
  items: Item[];
  /** Set when the rule could not be fully understood: it may match or not, and do anything. */
  unknown?: string;
  /** Packet counter from the dump (`iptables-save -c` / nft counter). */
  packets?: number;
  /**
   * The rule's fixed IPv4 header matches (-p, -s, -d with one prefix), also among `items`: the
   * evaluator checks them from packed arrays first, so most non-matching rules are rejected
   * without touching their closures (the kernel's ipt_entry header does the same).
   */
  pre?: { proto: number; protoNeg: boolean; src: { net: number; mask: number; neg: boolean } | null; dst: { net: number; mask: number; neg: boolean } | null };
}

export interface FwChain {
  backend: Backend;
  /** 'ip' | 'ip6' | 'inet' (nft), 'ip'/'ip6' for iptables/ip6tables. */
  family: string;
  table: string;
  name: string;
  rules: FwRule[];
  /** Base chain: where it hooks in, with its priority, type and policy. */
  base: { hook: Hook; priority: number; type: 'filter' | 'nat' | 'route'; policy: 'accept' | 'drop'; packets?: number } | null;
  line?: number;
  handle?: number;
}

export interface Problem {
  line?: number;
  text: string;
  reason: string;
}

/** One backend's rules (one iptables-save dump, or one nft ruleset). */
export interface Ruleset {
  backend: Backend;
  /** Chains by `${family}/${table}/${name}`. */
  chains: Map<string, FwChain>;
  problems: Problem[];
  /** Tables seen (`${family}/${table}`). */
  tables: Set<string>;
  /** iptables-save's header said the nf_tables backend (its tables also show up in `nft list ruleset`). */
  nftBackend?: boolean;
  /**
   * Some rule needs connection tracking (a ct/state match, NAT, CONNMARK …). The kernel tracks
   * connections in a namespace only when something asks for it; without, NAT chains never run.
   */
  usesConntrack?: boolean;
}

export const chainKey = (family: string, table: string, name: string): string => `${family}/${table}/${name}`;

/** One step of the evaluation, as the trace shows it. */
export interface TraceEntry {
  backend: Backend;
  family: string;
  table: string;
  chain: string;
  hook: Hook;
  priority: number;
  direction: 'request' | 'reply';
  /** 1-based rule number; null for the chain policy or an implicit return. */
  rule: number | null;
  handle?: number;
  line?: number;
  text: string;
  result: 'match' | 'no-match' | 'unknown' | 'probabilistic' | 'policy' | 'return' | 'skipped';
  /** What the rule did when it matched: 'ACCEPT', 'DROP', 'REJECT (tcp-reset)', 'jump X', 'MARK set 0x1', 'DNAT → …'. */
  action?: string;
  note?: string;
}
