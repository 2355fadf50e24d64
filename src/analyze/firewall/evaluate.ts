/**
 * The netfilter walk: for each hook the packet passes, every base chain of every backend in
 * priority order (iptables tables at their fixed priorities, nft chains at theirs), conntrack at
 * -200, NAT chains for the first packet of a connection only; inside a chain rules in order with
 * jump/goto/return and the policy at the end. A match the snapshot cannot decide (unknown module,
 * unresolved set, statistic/limit) is a fork: the walk is re-run with it matching, and if any
 * branch ends differently the verdict is UNKNOWN and names the rule it depends on.
 */
import type { Env, FwChain, FwRule, Hook, NatChange, Packet, Ruleset, TraceEntry, Verdict } from './types.js';

export type FinalVerdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'UNKNOWN';

export interface Uncertain {
  entry: TraceEntry;
  why: string;
  probabilistic: boolean;
}

export interface WalkResult {
  verdict: FinalVerdict;
  rejectWith?: string;
  /** The trace entry that decided (a rule or a policy), null when all chains accepted by falling through. */
  decided: TraceEntry | null;
  /** The last rule that accepted (for ACCEPT verdicts), when one did. */
  accepted: TraceEntry | null;
  trace: TraceEntry[];
  nat: Array<NatChange & { table: string; chain: string; rule: number | null }>;
  /** Undecidable matches met on this walk, in order. */
  uncertain: Uncertain[];
  /** Why the verdict is UNKNOWN when an unknown target or missing rules decided it. */
  why?: string;
  packet: Packet;
}

const CT_PRIORITY = -200;
const MAX_DEPTH = 64;

/**
 * Where NAT chains really run: netfilter's NAT core registers once per hook at NF_IP_PRI_NAT_DST
 * (-100, PREROUTING/OUTPUT) or NF_IP_PRI_NAT_SRC (100, INPUT/POSTROUTING) and calls the nat-type
 * chains of every backend from there, in their own priority order, until one sets up a binding.
 */
const NAT_PRIORITY: Record<Hook, number> = { PREROUTING: -100, OUTPUT: -100, INPUT: 100, POSTROUTING: 100, FORWARD: 0 };

const effective = (c: FwChain): number => (c.base!.type === 'nat' ? NAT_PRIORITY[c.base!.hook] : c.base!.priority);

/**
 * Base chains per hook and family, across backends, in the order the kernel calls them. At equal
 * priority the kernel calls the chain registered last first (nf_hook_entries_grow inserts before
 * an equal priority); registration order is taken as the listing order, iptables before nft.
 */
export function baseChains(rulesets: readonly Ruleset[], hook: Hook, family: 4 | 6): FwChain[] {
  const fam = family === 4 ? 'ip' : 'ip6';
  const out: Array<{ c: FwChain; seq: number }> = [];
  let seq = 0;
  for (const rs of rulesets) for (const c of rs.chains.values()) if (c.base && c.base.hook === hook && (c.family === fam || c.family === 'inet')) out.push({ c, seq: seq++ });
  return out.sort((a, b) => effective(a.c) - effective(b.c) || a.c.base!.priority - b.c.base!.priority || b.seq - a.seq).map((x) => x.c);
}

class Chooser {
  readonly points: Uncertain[] = [];
  constructor(private readonly prefix: readonly boolean[]) {}
  pick(u: Uncertain): boolean {
    const i = this.points.length;
    this.points.push(u);
    return i < this.prefix.length ? this.prefix[i]! : false;
  }
}

export interface WalkInput {
  rulesets: readonly Ruleset[];
  packet: Packet;
  hooks: Hook[];
  direction: 'request' | 'reply';
  env: Env;
  /** Conntrack state to attach at -200 ('NEW' for a first packet, 'ESTABLISHED' for replies). */
  state: 'NEW' | 'ESTABLISHED';
  /** Cached base chains (optional, for speed). */
  bases?: Map<Hook, FwChain[]>;
  /** Whether the kernel tracks connections here (some rule needs it); default: any ruleset says so. */
  conntrack?: boolean;
}

/** Field by field (a spread with an overridden key leaves V8 a slow dictionary object, and this one is read per rule). */
function clonePacket(p: Packet): Packet {
  const ct = p.ct ? { state: p.ct.state, reply: p.ct.reply, snat: p.ct.snat, dnat: p.ct.dnat, orig: { src: p.ct.orig.src, dst: p.ct.orig.dst, sport: p.ct.orig.sport, dport: p.ct.orig.dport } } : null;
  return {
    family: p.family,
    proto: p.proto,
    src: p.src,
    dst: p.dst,
    sport: p.sport,
    dport: p.dport,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    tcpFlags: p.tcpFlags,
    iif: p.iif,
    oif: p.oif,
    hook: p.hook,
    ct,
    notrack: p.notrack,
    mark: p.mark,
    ctmark: p.ctmark,
    length: p.length,
  };
}

const verdictText = (v: Verdict): string => {
  switch (v.kind) {
    case 'accept':
      return 'ACCEPT';
    case 'drop':
      return 'DROP';
    case 'reject':
      return `REJECT (${v.with})`;
    case 'return':
      return 'RETURN';
    case 'jump':
      return `jump ${v.chain}`;
    case 'goto':
      return `goto ${v.chain}`;
    case 'continue':
      return 'continue';
    case 'unknown':
      return 'UNKNOWN';
  }
};

/** Whether a rule, matched or not, ends the same way: nothing but a fall-through verdict. */
const harmlessCache = new WeakMap<FwRule, boolean>();
function harmless(r: FwRule): boolean {
  let h = harmlessCache.get(r);
  if (h === undefined) {
    h = r.items.every((it) => it.kind === 'match' || (it.kind === 'verdict' && it.constant?.kind === 'continue'));
    harmlessCache.set(r, h);
  }
  return h;
}

function attachCt(p: Packet, state: 'NEW' | 'ESTABLISHED', reply: boolean): void {
  if (p.notrack || p.ct) return;
  p.ct = { state, reply, snat: false, dnat: false, orig: { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport } };
  if (state === 'NEW') p.ctmark = p.ctmark ?? 0;
}

function walkOnce(inp: WalkInput, chooser: Chooser): WalkResult {
  const p = clonePacket(inp.packet);
  const tracking = inp.conntrack ?? inp.rulesets.some((rs) => rs.usesConntrack === true);
  const trace: TraceEntry[] = [];
  const nat: WalkResult['nat'] = [];
  let accepted: TraceEntry | null = null;
  const end = (verdict: FinalVerdict, decided: TraceEntry | null, extra: Partial<WalkResult> = {}): WalkResult => ({
    verdict,
    decided,
    accepted,
    trace,
    nat,
    uncertain: chooser.points,
    packet: p,
    ...extra,
  });
  let hooks = inp.hooks;
  for (let h = 0; h < hooks.length; h++) {
    const hook = hooks[h]!;
    p.hook = hook;
    const needCt = hook === 'PREROUTING' || hook === 'OUTPUT';
    const chains = inp.bases?.get(hook) ?? baseChains(inp.rulesets, hook, p.family);
    const dstBefore = p.dst;
    const markBefore = p.mark;
    let bound: string | null = null;
    for (const c of chains) {
      const base = c.base!;
      if (tracking && needCt && base.priority > CT_PRIORITY) attachCt(p, inp.state, inp.direction === 'reply');
      const entryBase: EntryBase = { backend: c.backend, family: c.family, table: c.table, hook, priority: base.priority, direction: inp.direction };
      if (base.type === 'nat' && (p.notrack || !p.ct || p.ct.state !== 'NEW' || bound)) {
        const note = !tracking
          ? 'no rule uses connection tracking, so the kernel does not track and NAT chains are not called'
          : p.notrack
            ? 'untracked packets skip NAT'
            : bound
              ? `the NAT binding is already set (${bound}): later NAT chains are not called`
              : 'NAT chains see only the first packet of a connection';
        const skipped = entryOf(entryBase, c.name, null, `${c.table} ${c.name}`, 'skipped');
        skipped.note = note;
        trace.push(skipped);
        continue;
      }
      const natBefore = nat.length;
      const r = runChain(c, p, inp.env, chooser, trace, entryBase, nat);
      if (base.type === 'nat' && nat.length > natBefore) bound = `${c.backend} ${c.table}/${c.name}`;
      if (r.kind === 'accept') {
        if (r.entry && r.entry.rule !== null) accepted = r.entry;
        continue;
      }
      if (r.kind === 'drop') return end('DROP', r.entry);
      if (r.kind === 'reject') return end('REJECT', r.entry, { rejectWith: r.with });
      if (r.kind === 'unknown') return end('UNKNOWN', r.entry, { why: r.why });
    }
    if (tracking && needCt) attachCt(p, inp.state, inp.direction === 'reply');
    // A changed destination or mark on the way out re-routes the packet (ip_route_me_harder).
    if (hook === 'OUTPUT' && (p.dst !== dstBefore || p.mark !== markBefore)) {
      const dev = inp.env.routeDev(p.dst, p.mark);
      if (dev !== null && dev !== p.oif) {
        trace.push({
          backend: 'iptables',
          family: p.family === 4 ? 'ip' : 'ip6',
          table: '-',
          chain: '-',
          hook,
          priority: 0,
          direction: inp.direction,
          rule: null,
          text: 'reroute',
          result: 'skipped',
          note: `re-routed after ${p.dst !== dstBefore ? 'DNAT' : 'a mark change'}: output device ${p.oif ?? '?'} → ${dev}`,
        });
        p.oif = dev;
      }
    }
    // DNAT in PREROUTING to a foreign address: the packet is forwarded, not delivered.
    if (hook === 'PREROUTING' && p.dst !== dstBefore && hooks[h + 1] === 'INPUT' && !inp.env.isLocal(p.dst)) {
      trace.push({
        backend: 'iptables',
        family: p.family === 4 ? 'ip' : 'ip6',
        table: '-',
        chain: '-',
        hook,
        priority: 0,
        direction: inp.direction,
        rule: null,
        text: 'routing decision',
        result: 'skipped',
        note: 'after DNAT the destination is not local: the packet is forwarded',
      });
      hooks = [...hooks.slice(0, h + 1), 'FORWARD', 'POSTROUTING'];
      p.oif = inp.env.routeDev(p.dst, p.mark);
    }
  }
  return end('ACCEPT', null);
}

type EntryBase = Pick<TraceEntry, 'backend' | 'family' | 'table' | 'hook' | 'priority' | 'direction'>;

/**
 * One trace step. A walk over ten thousand rules makes ten thousand of these, so they are small:
 * the hook/table/backend part is shared (`eb`) and read through getters; JSON gets the flat form.
 */
class Step implements TraceEntry {
  action: string | undefined = undefined;
  note: string | undefined = undefined;
  constructor(
    private readonly eb: EntryBase,
    public chain: string,
    public rule: number | null,
    public text: string,
    public result: TraceEntry['result'],
    public handle: number | undefined,
    public line: number | undefined,
  ) {}
  get backend(): TraceEntry['backend'] {
    return this.eb.backend;
  }
  get family(): string {
    return this.eb.family;
  }
  get table(): string {
    return this.eb.table;
  }
  get hook(): Hook {
    return this.eb.hook;
  }
  get priority(): number {
    return this.eb.priority;
  }
  get direction(): TraceEntry['direction'] {
    return this.eb.direction;
  }
  toJSON(): TraceEntry {
    const o: TraceEntry = {
      backend: this.backend,
      family: this.family,
      table: this.table,
      chain: this.chain,
      hook: this.hook,
      priority: this.priority,
      direction: this.direction,
      rule: this.rule,
      text: this.text,
      result: this.result,
    };
    if (this.handle !== undefined) o.handle = this.handle;
    if (this.line !== undefined) o.line = this.line;
    if (this.action !== undefined) o.action = this.action;
    if (this.note !== undefined) o.note = this.note;
    return o;
  }
}

function entryOf(eb: EntryBase, chain: string, rule: number | null, text: string, result: TraceEntry['result'], handle?: number, line?: number): TraceEntry {
  return new Step(eb, chain, rule, text, result, handle, line);
}

type ChainOutcome = { kind: 'accept' | 'drop'; entry: TraceEntry | null } | { kind: 'reject'; with: string; entry: TraceEntry } | { kind: 'unknown'; why: string; entry: TraceEntry | null };

/** A chain's rules in packed columns for the header pre-check (built on first use). */
interface Cols {
  proto: Int16Array;
  flags: Uint8Array; // 1: has header, 2: proto negated, 4: has src, 8: src negated, 16: has dst, 32: dst negated
  srcNet: Uint32Array;
  srcMask: Uint32Array;
  dstNet: Uint32Array;
  dstMask: Uint32Array;
  /** Rule texts and dump lines, so a rejected rule's trace entry needs no visit to the rule object. */
  text: string[];
  line: Int32Array;
}
const colsCache = new WeakMap<FwChain, Cols | null>();

function colsOf(c: FwChain): Cols | null {
  let cols = colsCache.get(c);
  if (cols !== undefined) return cols;
  const n = c.rules.length;
  cols = null;
  if (n >= 8 && c.rules.some((r) => r.pre)) {
    cols = {
      proto: new Int16Array(n),
      flags: new Uint8Array(n),
      srcNet: new Uint32Array(n),
      srcMask: new Uint32Array(n),
      dstNet: new Uint32Array(n),
      dstMask: new Uint32Array(n),
      text: c.rules.map((r) => r.text),
      line: Int32Array.from(c.rules, (r) => r.line ?? -1),
    };
    for (let i = 0; i < n; i++) {
      if (c.rules[i]!.number !== i + 1) {
        colsCache.set(c, null);
        return null;
      }
      const pre = c.rules[i]!.pre;
      if (!pre) continue;
      let f = 1;
      cols.proto[i] = pre.proto;
      if (pre.protoNeg) f |= 2;
      if (pre.src) {
        f |= 4 | (pre.src.neg ? 8 : 0);
        cols.srcNet[i] = pre.src.net;
        cols.srcMask[i] = pre.src.mask;
      }
      if (pre.dst) {
        f |= 16 | (pre.dst.neg ? 32 : 0);
        cols.dstNet[i] = pre.dst.net;
        cols.dstMask[i] = pre.dst.mask;
      }
      cols.flags[i] = f;
    }
  }
  colsCache.set(c, cols);
  return cols;
}

/** Whether the packed header rules the rule out for this IPv4 packet (false: evaluate it fully). */
function headerRejects(cols: Cols, i: number, p: Packet): boolean {
  const f = cols.flags[i]!;
  if (f === 0) return false;
  const pr = cols.proto[i]!;
  if (pr >= 0 && (pr === 0 || p.proto === pr) === ((f & 2) !== 0)) return true;
  if (f & 4 && p.src !== null && ((p.src.w[0]! & cols.srcMask[i]!) >>> 0 === cols.srcNet[i]) === ((f & 8) !== 0)) return true;
  if (f & 16 && ((p.dst.w[0]! & cols.dstMask[i]!) >>> 0 === cols.dstNet[i]) === ((f & 32) !== 0)) return true;
  return false;
}

/** Runs one rule's matches and statements on the packet: whether it matched, its verdict (null: none), notes for the trace. */
function applyRule(
  rule: FwRule,
  entry: TraceEntry,
  p: Packet,
  env: Env,
  chooser: Chooser,
  nat: WalkResult['nat'],
  cur: FwChain,
): { matched: boolean; verdict: Verdict | null; notes: string[] | null } {
  let verdict: Verdict | null = null;
  let matched = true;
  let notes: string[] | null = null;
  const note = (n: string): void => {
    (notes ??= []).push(n);
  };
  for (let k = 0; k < rule.items.length && matched && verdict === null; k++) {
    const it = rule.items[k]!;
    if (it.kind === 'match') {
      const t = it.test(p, env);
      if (t === 1) continue;
      if (t === 0) {
        matched = false;
        break;
      }
      const prob = it.probabilistic === true;
      entry.result = prob ? 'probabilistic' : 'unknown';
      const why = it.why ?? `cannot tell whether ${it.text} matches`;
      if (harmless(rule)) {
        note(`${why} (harmless: the rule does not decide)`);
        matched = false;
        break;
      }
      if (!chooser.pick({ entry, why, probabilistic: prob })) {
        note(`${why}; assumed not to match`);
        matched = false;
        break;
      }
      note(`${why}; assumed to match`);
    } else if (it.kind === 'stmt') {
      const r = it.apply(p, env);
      if (r.note) note(r.note);
      if (r.nat) nat.push({ ...r.nat, table: cur.table, chain: cur.name, rule: rule.number });
      if (r.verdict) verdict = r.verdict;
    } else {
      const v = it.resolve(p, env);
      if (v === 'unknown') {
        entry.result = 'unknown';
        verdict = { kind: 'unknown', why: it.why ?? 'verdict map entry unknown' };
      } else if (v !== null) verdict = v;
    }
  }
  return { matched, verdict, notes };
}

function runChain(start: FwChain, p: Packet, env: Env, chooser: Chooser, trace: TraceEntry[], eb: EntryBase, nat: WalkResult['nat']): ChainOutcome {
  const stack: Array<{ chain: FwChain; idx: number }> = [];
  let cur = start;
  let idx = 0;
  for (;;) {
    if (idx >= cur.rules.length) {
      const top = stack.pop();
      if (top) {
        const back = entryOf(eb, cur.name, null, `end of ${cur.name}`, 'return');
        back.note = `back to ${top.chain.name}`;
        trace.push(back);
        cur = top.chain;
        idx = top.idx;
        continue;
      }
      return policy(start, trace, eb);
    }
    if (p.family === 4) {
      const cols = colsOf(cur);
      if (cols !== null && headerRejects(cols, idx, p)) {
        const ln = cols.line[idx]!;
        trace.push(entryOf(eb, cur.name, idx + 1, cols.text[idx]!, 'no-match', undefined, ln < 0 ? undefined : ln));
        idx++;
        continue;
      }
    }
    const rule = cur.rules[idx++]!;
    const entry = entryOf(eb, cur.name, rule.number, rule.text, 'match', rule.handle, rule.line);
    trace.push(entry);
    const m = applyRule(rule, entry, p, env, chooser, nat, cur);
    const { matched, notes } = m;
    let verdict = m.verdict;
    if (!matched) {
      if (entry.result === 'match') entry.result = 'no-match';
      if (notes) entry.note = (notes as string[]).join('; ');
      continue;
    }
    if (notes) entry.note = (notes as string[]).join('; ');
    if (verdict === null) verdict = { kind: 'continue' };
    entry.action = verdictText(verdict);
    switch (verdict.kind) {
      case 'continue':
        continue;
      case 'accept':
        return { kind: 'accept', entry };
      case 'drop':
        return { kind: 'drop', entry };
      case 'reject':
        return { kind: 'reject', with: verdict.with, entry };
      case 'unknown':
        return { kind: 'unknown', why: verdict.why, entry };
      case 'return': {
        const top = stack.pop();
        if (!top) return policy(start, trace, eb);
        cur = top.chain;
        idx = top.idx;
        continue;
      }
      case 'jump':
      case 'goto': {
        const target = findChain(start, cur, verdict.chain);
        if (!target) return { kind: 'unknown', why: `chain ${verdict.chain} does not exist`, entry };
        if (verdict.kind === 'jump') {
          if (stack.length >= MAX_DEPTH) return { kind: 'unknown', why: `jumps nest deeper than ${MAX_DEPTH} (a loop?)`, entry };
          stack.push({ chain: cur, idx });
        }
        cur = target;
        idx = 0;
        continue;
      }
    }
  }
}

/** Chains of one table are looked up through a registry filled by `linkChains`. */
const registry = new WeakMap<FwChain, Map<string, FwChain>>();

/** Lets jumps find the chains of the same table (call once per ruleset). */
export function linkChains(rs: Ruleset): void {
  const byTable = new Map<string, Map<string, FwChain>>();
  for (const c of rs.chains.values()) {
    const k = `${c.family}/${c.table}`;
    let m = byTable.get(k);
    if (!m) byTable.set(k, (m = new Map()));
    m.set(c.name, c);
  }
  for (const c of rs.chains.values()) registry.set(c, byTable.get(`${c.family}/${c.table}`)!);
}

function findChain(start: FwChain, cur: FwChain, name: string): FwChain | undefined {
  return (registry.get(cur) ?? registry.get(start))?.get(name);
}

function policy(c: FwChain, trace: TraceEntry[], eb: EntryBase): ChainOutcome {
  const pol = c.base?.policy ?? 'accept';
  const entry = entryOf(eb, c.name, null, c.backend === 'nft' ? `policy ${pol}` : `-P ${c.name} ${pol.toUpperCase()}`, 'policy');
  entry.action = pol.toUpperCase();
  trace.push(entry);
  return { kind: pol === 'drop' ? 'drop' : 'accept', entry };
}

export interface Evaluation extends WalkResult {
  /** Branches explored (1 when nothing was undecidable). */
  runs: number;
  /** Undecidable matches whose answer changes the verdict. */
  decisive: Uncertain[];
  probabilistic: boolean;
  /** With an UNKNOWN verdict: what happens when the undecidable rules do not match. */
  likely?: FinalVerdict;
}

const MAX_RUNS = 256;

/** Walks the packet through the hooks, exploring undecidable matches; the primary walk assumes they do not match. */
export function evaluate(inp: WalkInput): Evaluation {
  const primary = walkOnce(inp, new Chooser([]));
  const same = (r: WalkResult): boolean => r.verdict === primary.verdict && (r.rejectWith ?? '') === (primary.rejectWith ?? '');
  const decisive: Uncertain[] = [];
  const seen = new Set<TraceEntry>();
  let runs = 1;
  let overflow = false;
  // Prefixes are built from the primary path's shape: each run's choices are its prefix plus falses.
  const pending: Array<{ choices: boolean[] }> = [];
  for (let j = primary.uncertain.length - 1; j >= 0; j--) pending.push({ choices: [...new Array<boolean>(j).fill(false), true] });
  while (pending.length > 0) {
    if (runs >= MAX_RUNS) {
      overflow = true;
      break;
    }
    const { choices } = pending.pop()!;
    const ch = new Chooser(choices);
    const r = walkOnce(inp, ch);
    runs++;
    if (!same(r)) {
      // the first point where this branch chose "match" is the one it depends on
      const at = choices.lastIndexOf(true);
      const u = r.uncertain[at];
      const origin =
        primary.uncertain.find((x) => u && x.entry.rule === u.entry.rule && x.entry.chain === u.entry.chain && x.entry.table === u.entry.table && x.entry.backend === u.entry.backend) ?? u;
      if (origin && !seen.has(origin.entry)) {
        seen.add(origin.entry);
        decisive.push(origin);
      }
    }
    for (let j = r.uncertain.length - 1; j >= choices.length; j--) pending.push({ choices: [...choices, ...new Array<boolean>(j - choices.length).fill(false), true] });
  }
  if (overflow) {
    return { ...primary, verdict: 'UNKNOWN', why: `more than ${MAX_RUNS} combinations of undecidable rules`, runs, decisive, probabilistic: false };
  }
  if (decisive.length === 0) return { ...primary, runs, decisive, probabilistic: false };
  const probabilistic = decisive.every((d) => d.probabilistic);
  const first = decisive[0]!;
  const where = `${first.entry.backend} ${first.entry.table}/${first.entry.chain} rule ${first.entry.rule ?? '?'}${first.entry.handle !== undefined ? ` (handle ${first.entry.handle})` : ''}`;
  const why = probabilistic
    ? `probabilistic: ${primary.verdict} unless ${where} matches (${first.why})`
    : `unknown, depends on ${where}: ${first.why}${decisive.length > 1 ? ` (and ${decisive.length - 1} more)` : ''}`;
  return { ...primary, verdict: 'UNKNOWN', why, runs, decisive, probabilistic, ...(primary.verdict !== 'UNKNOWN' ? { likely: primary.verdict } : {}) };
}
