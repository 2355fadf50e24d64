/**
 * The firewall verdict for one flow over a Snapshot: iptables-save, ip6tables-save and nft rules
 * together (a packet passes every hook's base chains of every backend in priority order), the
 * first packet (NEW) and, when it passes, its reply (ESTABLISHED) the other way. Parsed rulesets
 * are cached per snapshot, so many checks against one snapshot pay the parse once.
 */
import type { ObservationData } from '../../model/observation.js';
import type { Snapshot } from '../../model/snapshot.js';
import { formatAddr, parseAddr, type Addr } from '../ip.js';
import { lookupRoute, prepareRoutes } from '../route-lookup.js';
import { envOf } from './env.js';
import { baseChains, evaluate, linkChains, type Evaluation, type FinalVerdict, type Uncertain } from './evaluate.js';
import { parseIptablesSave } from './iptables.js';
import { parseIpsetSave, type IpsetStore } from './ipset.js';
import { parseNftRuleset } from './nft.js';
import type { FwChain, Hook, NatChange, Packet, Problem, Ruleset, TraceEntry } from './types.js';
import { TCP } from './types.js';

export interface FirewallFlow {
  chain: 'OUTPUT' | 'INPUT' | 'FORWARD';
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  src: string | null;
  dst: string;
  sport?: number;
  dport: number | null;
  oif?: string;
  iif?: string;
  state?: 'NEW' | 'ESTABLISHED';
  /** Packet mark the socket sets (SO_MARK); 0 by default. */
  mark?: number;
  /** Also check the reply (ESTABLISHED, the other way) when the first packet passes; true by default. */
  replies?: boolean;
}

export interface Rulesets {
  list: Ruleset[];
  problems: Array<Problem & { backend: string }>;
  /** What was not available in the snapshot ('iptables: not collected'). */
  missing: string[];
  bases: Map<string, FwChain[]>;
}

const cache = new WeakMap<object, Rulesets>();

/** The snapshot's rulesets, parsed once. */
export function rulesetsOf(s: Snapshot): Rulesets {
  const fw = (s.firewall ?? {}) as Snapshot['firewall'];
  let r = cache.get(fw);
  if (r) return r;
  const list: Ruleset[] = [];
  const missing: string[] = [];
  const ipsetProblems: Problem[] = [];
  const ipsets: IpsetStore | null = fw.ipset?.ok ? parseIpsetSave(fw.ipset.value, ipsetProblems) : null;
  const skip = new Set<string>();
  for (const [fam, c] of [
    [4, fw.iptables],
    [6, fw.ip6tables],
  ] as const) {
    if (c?.ok && typeof c.value === 'string') {
      const rs = parseIptablesSave(c.value, fam, ipsets);
      list.push(rs);
      // iptables-nft: its tables are also in `nft list ruleset`; iptables-save reads them better.
      if (rs.nftBackend !== false) for (const t of rs.tables) skip.add(t);
    } else missing.push(`${fam === 4 ? 'iptables' : 'ip6tables'}: ${c && !c.ok ? c.unavailable : 'not in the snapshot'}`);
  }
  if (fw.nft?.ok) list.push(parseNftRuleset(fw.nft.value, { skip }));
  else missing.push(`nft: ${fw.nft && !fw.nft.ok ? fw.nft.unavailable : 'not in the snapshot'}`);
  for (const rs of list) linkChains(rs);
  const problems = [...list.flatMap((rs) => rs.problems.map((p) => ({ ...p, backend: rs.backend }))), ...ipsetProblems.map((p) => ({ ...p, backend: 'ipset' }))];
  r = { list, problems, missing, bases: new Map() };
  cache.set(fw, r);
  return r;
}

function basesFor(rs: Rulesets, family: 4 | 6): Map<Hook, FwChain[]> {
  const out = new Map<Hook, FwChain[]>();
  for (const hook of ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const) {
    const k = `${family}/${hook}`;
    let b = rs.bases.get(k);
    if (!b) rs.bases.set(k, (b = baseChains(rs.list, hook, family)));
    out.set(hook, b);
  }
  return out;
}

export interface FirewallCheck {
  verdict: FinalVerdict;
  rejectWith?: string;
  /** Which direction decided: the first packet, or its reply. */
  direction: 'request' | 'reply';
  /** The deciding rule or policy (trace entry), when one decided. */
  decided: TraceEntry | null;
  /** The last rule that accepted, for ACCEPT. */
  accepted: TraceEntry | null;
  reason: string;
  trace: TraceEntry[];
  nat: Array<NatChange & { table: string; chain: string; rule: number | null }>;
  /** Undecidable rules that change the verdict (with line numbers for iptables). */
  unknown: Array<{ backend: string; table: string; chain: string; rule: number | null; handle?: number; line?: number; why: string; probabilistic: boolean }>;
  probabilistic: boolean;
  /** With UNKNOWN: the verdict when the undecidable rules do not match. */
  likely?: FinalVerdict;
  problems: Rulesets['problems'];
  missing: string[];
  /** The flow as evaluated, with what was derived from the routes. */
  flow: { family: 4 | 6; src: string | null; dst: string; sport: number | null; dport: number | null; iif: string | null; oif: string | null; derived: string[] };
  runs: number;
}

const PROTO: Record<FirewallFlow['proto'], number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
const HOOKS: Record<FirewallFlow['chain'], Hook[]> = { OUTPUT: ['OUTPUT', 'POSTROUTING'], INPUT: ['PREROUTING', 'INPUT'], FORWARD: ['PREROUTING', 'FORWARD', 'POSTROUTING'] };
const REPLY_CHAIN: Record<FirewallFlow['chain'], FirewallFlow['chain']> = { OUTPUT: 'INPUT', INPUT: 'OUTPUT', FORWARD: 'FORWARD' };

/** Output device and source the kernel would use for a destination (from the routes). */
function routeOut(s: Snapshot, dst: Addr, mark: number): { dev: string | null; src: Addr | null } {
  if (!s.routes?.ok) return { dev: null, src: null };
  const r = lookupRoute(prepareRoutes(s.routes.value, s.rules?.ok ? s.rules.value : null), dst, { mark });
  if (!r || r.outcome !== 'route' || !r.route) return { dev: null, src: null };
  const dev = r.route.type === 'local' ? 'lo' : (r.route.dev ?? r.route.nexthops[0]?.dev ?? null);
  let src = r.route.src ? parseAddr(r.route.src) : null;
  if (!src && s.links?.ok) {
    const l = s.links.value.find((x) => x.name === (r.route!.dev ?? r.route!.nexthops[0]?.dev));
    const a = l?.addresses.find((x) => x.family === dst.family && x.scope === 'global') ?? l?.addresses.find((x) => x.family === dst.family);
    src = a ? parseAddr(a.address) : null;
  }
  return { dev, src };
}

interface Outcome {
  verdict: FinalVerdict;
  rejectWith?: string;
  decided: TraceEntry | null;
  accepted: TraceEntry | null;
  probabilistic: boolean;
  likely?: FinalVerdict;
  why?: string;
  decisive: Uncertain[];
}

function outcome(e: Evaluation): Outcome {
  return {
    verdict: e.verdict,
    ...(e.rejectWith !== undefined ? { rejectWith: e.rejectWith } : {}),
    decided: e.decided,
    accepted: e.accepted,
    probabilistic: e.probabilistic,
    ...(e.likely ? { likely: e.likely } : {}),
    ...(e.why ? { why: e.why } : {}),
    decisive: e.decisive,
  };
}

/** Where a rule or policy is, in the verdict's reason: `iptables -t filter OUTPUT rule 3 (line 8): -A OUTPUT …`. */
export const ruleWhere = (t: TraceEntry): string =>
  t.rule === null
    ? `the policy ${t.action} of ${t.backend === 'nft' ? `${t.family} ${t.table} ${t.chain}` : `${t.table}/${t.chain}`}`
    : `${t.backend} ${t.backend === 'nft' ? `${t.family} ${t.table} ${t.chain} handle ${t.handle ?? '?'}` : `-t ${t.table} ${t.chain} rule ${t.rule}`}${t.line !== undefined ? ` (line ${t.line})` : ''}: ${t.text}`;

/** The reply to an accepted request: addresses and ports swapped, SYN-ACK or echo reply, through the reply chain. */
function replyPacket(packet: Packet, out: Packet, chain: FirewallFlow['chain'], env: ReturnType<typeof envOf>): Packet {
  const { family, proto } = packet;
  const icmp = proto === 1 || proto === 58;
  const rchain = REPLY_CHAIN[chain];
  return {
    family,
    proto,
    src: out.dst,
    dst: packet.src!,
    sport: out.dport,
    dport: packet.sport,
    icmpType: icmp ? (family === 4 ? 0 : 129) : null,
    icmpCode: icmp ? 0 : null,
    tcpFlags: proto === 6 ? TCP.SYN | TCP.ACK : 0,
    iif: rchain === 'OUTPUT' ? '' : chain === 'OUTPUT' ? (out.oif === 'lo' || env.isLocal(out.dst) ? 'lo' : out.oif) : out.oif,
    oif: rchain === 'INPUT' ? '' : rchain === 'OUTPUT' ? (packet.src && env.isLocal(packet.src) ? 'lo' : (packet.iif ?? null)) : packet.iif,
    hook: HOOKS[rchain][0]!,
    ct: null,
    notrack: false,
    mark: 0,
    ctmark: out.ctmark,
    length: null,
  };
}

/** The rules whose match could not be decided and that would change the verdict. */
function unknownEntries(result: Outcome): FirewallCheck['unknown'] {
  return result.decisive.map((u) => ({
    backend: u.entry.backend,
    table: u.entry.table,
    chain: u.entry.chain,
    rule: u.entry.rule,
    ...(u.entry.handle !== undefined ? { handle: u.entry.handle } : {}),
    ...(u.entry.line !== undefined ? { line: u.entry.line } : {}),
    why: u.why,
    probabilistic: u.probabilistic,
  }));
}

/** One sentence: who decided, in which direction, and whether unreadable lines could have mattered. */
function verdictReason(result: Outcome, direction: 'request' | 'reply', rs: ReturnType<typeof rulesetsOf>): string {
  const dirText = direction === 'reply' ? 'the reply (ESTABLISHED) ' : '';
  let reason: string;
  if (result.verdict === 'UNKNOWN') reason = result.decisive.length === 0 && result.decided ? `unknown: ${result.why ?? 'not understood'} (${ruleWhere(result.decided)})` : (result.why ?? 'unknown');
  else if (result.decided) reason = `${dirText}${result.verdict === 'ACCEPT' ? 'accepted' : result.verdict === 'DROP' ? 'dropped' : `rejected (${result.rejectWith})`} by ${ruleWhere(result.decided)}`;
  else reason = 'no rule drops it: every chain accepts';
  if (rs.problems.length > 0 && result.verdict !== 'UNKNOWN') {
    const lines = rs.problems
      .filter((p) => p.line !== undefined)
      .slice(0, 3)
      .map((p) => p.line);
    reason += `; ${rs.problems.length} unreadable line(s)${lines.length ? ` (line ${lines.join(', ')})` : ''} did not change it`;
  }
  return reason;
}

/** The packet the flow sends first: a SYN (or an ACK for an ESTABLISHED flow), an echo request, or a datagram. */
function requestPacket(flow: FirewallFlow, p: { family: 4 | 6; proto: number; src: Addr | null; dst: Addr; iif: string | null; oif: string | null; mark: number; state: string }): Packet {
  const icmp = p.proto === 1 || p.proto === 58;
  return {
    family: p.family,
    proto: p.proto,
    src: p.src,
    dst: p.dst,
    sport: icmp ? null : (flow.sport ?? null),
    dport: icmp ? null : flow.dport,
    icmpType: icmp ? (p.family === 4 ? 8 : 128) : null,
    icmpCode: icmp ? 0 : null,
    tcpFlags: p.proto === 6 ? (p.state === 'NEW' ? TCP.SYN : TCP.ACK) : 0,
    iif: p.iif,
    oif: p.oif,
    hook: HOOKS[flow.chain][0]!,
    ct: null,
    notrack: false,
    mark: p.mark,
    ctmark: null,
    length: null,
  };
}

/** Evaluates the flow; the full answer with the trace. */
export function checkFirewall(s: Snapshot, flow: FirewallFlow): FirewallCheck {
  const rs = rulesetsOf(s);
  const env = envOf(s);
  const derived: string[] = [];
  const dst = parseAddr(flow.dst);
  const family: 4 | 6 = dst?.family ?? (flow.dst.includes(':') ? 6 : 4);
  const emptyFlow = { family, src: flow.src, dst: flow.dst, sport: flow.sport ?? null, dport: flow.dport, iif: flow.iif ?? null, oif: flow.oif ?? null, derived };
  const base = {
    direction: 'request' as const,
    decided: null,
    accepted: null,
    trace: [],
    nat: [],
    unknown: [],
    probabilistic: false,
    problems: rs.problems,
    missing: rs.missing,
    flow: emptyFlow,
    runs: 0,
  };
  if (!dst) return { ...base, verdict: 'UNKNOWN', reason: `${flow.dst} is not an IP address` };
  if (rs.list.length === 0) return { ...base, verdict: 'UNKNOWN', reason: `no firewall rules in the snapshot (${rs.missing.join('; ')})` };
  let src = flow.src !== null ? parseAddr(flow.src) : null;
  if (flow.src !== null && (!src || src.family !== family)) return { ...base, verdict: 'UNKNOWN', reason: `source ${flow.src} is not an IPv${family} address` };
  const proto = flow.proto === 'icmp' && family === 6 ? 58 : flow.proto === 'icmpv6' && family === 4 ? 1 : PROTO[flow.proto];
  const mark = (flow.mark ?? 0) >>> 0;
  let iif: string | null = flow.iif ?? null;
  let oif: string | null = flow.oif ?? null;
  if (flow.chain === 'OUTPUT') {
    iif = '';
    if (oif === null || src === null) {
      const out = routeOut(s, dst, mark);
      if (oif === null && env.isLocal(dst)) oif = 'lo';
      if (oif === null && out.dev) {
        oif = out.dev;
        derived.push(`output device ${oif} (from the route)`);
      }
      if (src === null && out.src) {
        src = out.src;
        derived.push(`source ${formatAddr(src)} (the address the kernel would pick)`);
      }
    }
  } else {
    if (flow.chain === 'INPUT') oif = '';
    if (oif === null && flow.chain === 'FORWARD') {
      oif = routeOut(s, dst, mark).dev;
      if (oif) derived.push(`output device ${oif} (from the route)`);
    }
    if (iif === null && src) {
      iif = env.isLocal(src) ? 'lo' : routeOut(s, src, 0).dev;
      if (iif) derived.push(`input device ${iif} (the route back to the source)`);
    }
  }
  const state = flow.state ?? 'NEW';
  const packet = requestPacket(flow, { family, proto, src, dst, iif, oif, mark, state });
  const bases = basesFor(rs, family);
  const req = evaluate({ rulesets: rs.list, packet, hooks: HOOKS[flow.chain], direction: 'request', env, state, bases });
  const trace: TraceEntry[] = [...req.trace];
  const nat = [...req.nat];
  let result = outcome(req);
  let direction: 'request' | 'reply' = 'request';
  let runs = req.runs;
  if (req.verdict === 'ACCEPT' && flow.replies !== false && packet.src === null) derived.push('the reply was not checked: the source address is not known');
  if (req.verdict === 'ACCEPT' && flow.replies !== false && packet.src !== null) {
    const rchain = REPLY_CHAIN[flow.chain];
    const reply = replyPacket(packet, req.packet, flow.chain, env);
    const rep = evaluate({ rulesets: rs.list, packet: reply, hooks: HOOKS[rchain], direction: 'reply', env, state: 'ESTABLISHED', bases });
    trace.push(...rep.trace);
    runs += rep.runs;
    if (rep.verdict !== 'ACCEPT') {
      result = outcome(rep);
      direction = 'reply';
    }
  }
  const unknown = unknownEntries(result);
  const reason = verdictReason(result, direction, rs);
  return {
    verdict: result.verdict,
    ...(result.rejectWith !== undefined ? { rejectWith: result.rejectWith } : {}),
    direction,
    decided: result.decided,
    accepted: result.accepted,
    reason,
    trace,
    nat,
    unknown,
    probabilistic: result.probabilistic,
    ...(result.likely ? { likely: result.likely } : {}),
    problems: rs.problems,
    missing: rs.missing,
    flow: { family, src: src ? formatAddr(src) : null, dst: formatAddr(dst), sport: packet.sport, dport: packet.dport, iif, oif, derived },
    runs,
  };
}

/**
 * The engine's view: the verdict and the deciding rule (with its 1-based number or nft handle).
 * Null when the snapshot did not collect the firewall at all (nothing to judge, nothing to say);
 * UNKNOWN with the reason when it tried and could not read it (permission denied, no tool).
 */
export function firewallVerdict(s: Snapshot, flow: FirewallFlow): ObservationData['firewall.verdict'] | null {
  const fw = s.firewall;
  const notCollected = (c: { ok: boolean; unavailable?: string } | undefined): boolean => !c || (!c.ok && c.unavailable === 'not collected');
  if (!fw || (notCollected(fw.iptables) && notCollected(fw.ip6tables) && notCollected(fw.nft))) return null;
  const c = checkFirewall(s, flow);
  const d = c.verdict === 'ACCEPT' ? c.accepted : c.decided;
  const chain: FirewallFlow['chain'] = c.direction === 'reply' ? REPLY_CHAIN[flow.chain] : flow.chain;
  let rule: ObservationData['firewall.verdict']['rule'] = null;
  // An iptables filter-table policy stays null: the rule of NET-006 then inserts an ACCEPT at the top of the chain.
  if (d && !(d.rule === null && d.backend !== 'nft' && d.table === 'filter')) {
    rule = { backend: d.backend, table: d.table, chain: d.chain, number: d.rule, text: d.text };
    if (d.handle !== undefined) rule.handle = d.handle;
    if (d.backend === 'nft') rule.family = d.family;
  }
  // UNKNOWN: the rule the verdict depends on (the first undecidable one that changes it), so a
  // report can name it.
  const u = c.verdict === 'UNKNOWN' && !rule ? c.unknown[0] : undefined;
  const ut = u ? c.trace.find((e) => e.backend === u.backend && e.table === u.table && e.chain === u.chain && e.rule === u.rule) : undefined;
  if (u && ut && (ut.backend === 'iptables' || ut.backend === 'ip6tables' || ut.backend === 'nft')) rule = { backend: ut.backend, table: ut.table, chain: ut.chain, number: ut.rule, text: ut.text };
  return {
    chain,
    proto: flow.proto,
    src: flow.src ?? c.flow.src,
    dst: flow.dst,
    dport: flow.dport,
    verdict: c.verdict,
    rule,
    ...(c.rejectWith !== undefined ? { rejectWith: c.rejectWith } : {}),
    reason: c.reason,
  };
}
