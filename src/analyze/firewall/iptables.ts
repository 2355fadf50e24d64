/**
 * `iptables-save` / `ip6tables-save` text (with or without `-c` counters) → a Ruleset. Parses what
 * it can; a line it cannot read becomes a problem with its line number, a rule with an unknown
 * module or target stays in its chain (it keeps the numbering right) and answers "unknown", and
 * a table without COMMIT (a truncated dump) ends every chain with an unknown rule. Never throws.
 */
import { maskBits, parsePrefix } from '../ip.js';
import { globalMatch, MODULES, type ModuleCtx, type Opt } from './iptables-modules.js';
import { hex, markOp, match, natStatement, parseNatTo, protoNumber, unknownMatch, valueMask } from './common.js';
import type { IpsetStore } from './ipset.js';
import { chainKey, type FwChain, type FwRule, type Hook, type Item, type Problem, type Ruleset, type Statement, type Verdict, type VerdictItem } from './types.js';

/** Built-in chains of each table and their hook priorities (netfilter's NF_IP_PRI_*). */
export const BUILTIN: Record<string, Partial<Record<Hook, number>>> = {
  raw: { PREROUTING: -300, OUTPUT: -300 },
  mangle: { PREROUTING: -150, INPUT: -150, FORWARD: -150, OUTPUT: -150, POSTROUTING: -150 },
  nat: { PREROUTING: -100, OUTPUT: -100, INPUT: 100, POSTROUTING: 100 },
  filter: { INPUT: 0, FORWARD: 0, OUTPUT: 0 },
  security: { INPUT: 50, FORWARD: 50, OUTPUT: 50 },
};

interface Tok {
  t: string;
  q: boolean;
}

/** Splits a rule line like a shell would for iptables-save's quoting ("…" with \" and \\). */
export function tokenize(s: string): Tok[] | string {
  const out: Tok[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    // the common case: a plain word, taken as one slice (no per-character concatenation)
    let j = i;
    while (j < n && (c = s.charCodeAt(j)) !== 32 && c !== 9 && c !== 34 && c !== 39) j++;
    if (j === n || c === 32 || c === 9) {
      out.push({ t: s.slice(i, j), q: false });
      i = j;
      continue;
    }
    // a word with quotes in it
    let t = s.slice(i, j);
    i = j;
    while (i < n && s[i] !== ' ' && s[i] !== '\t') {
      const ch = s[i]!;
      if (ch === '"' || ch === "'") {
        i++;
        let closed = false;
        let from = i;
        while (i < n) {
          const d = s[i]!;
          if (d === '\\' && ch === '"' && i + 1 < n) {
            t += s.slice(from, i) + s[i + 1];
            i += 2;
            from = i;
            continue;
          }
          if (d === ch) {
            t += s.slice(from, i);
            closed = true;
            i++;
            break;
          }
          i++;
        }
        if (!closed) return 'unterminated quote';
      } else {
        t += ch;
        i++;
      }
    }
    out.push({ t, q: true });
  }
  return out;
}

const LONG: Record<string, string> = {
  '--protocol': '-p',
  '--source': '-s',
  '--src': '-s',
  '--destination': '-d',
  '--dst': '-d',
  '--in-interface': '-i',
  '--out-interface': '-o',
  '--jump': '-j',
  '--goto': '-g',
  '--match': '-m',
  '--fragment': '-f',
  '--set-counters': '-c',
  '--append': '-A',
  '--insert': '-I',
};
const GLOBAL_ARG = new Set(['-p', '-s', '-d', '-i', '-o']);
const isOpt = (k: Tok): boolean => !k.q && k.t.startsWith('-') && k.t.length > 1 && !/^-\d/.test(k.t);

interface RawRule {
  chain: string;
  globals: Opt[];
  modules: Array<{ name: string; opts: Opt[] }>;
  target: { name: string; goto: boolean; opts: Opt[] } | null;
  counters: number | null;
  insertAt: number | null;
}

/** Parses the tokens after the counters into a rule; a string is why it cannot. */
export function parseRuleTokens(toks: Tok[]): RawRule | string {
  let i = 0;
  const first = toks[0];
  if (!first) return 'empty rule';
  const cmd = LONG[first.t] ?? first.t;
  if (cmd !== '-A' && cmd !== '-I') return `expected -A, got "${first.t.slice(0, 40)}"`;
  const chain = toks[1]?.t;
  if (!chain || isOpt(toks[1]!)) return 'no chain name';
  i = 2;
  let insertAt: number | null = null;
  if (cmd === '-I') {
    insertAt = 1;
    if (toks[2] && /^\d+$/.test(toks[2].t)) {
      insertAt = Number(toks[2].t);
      i = 3;
    }
  }
  const r: RawRule = { chain, globals: [], modules: [], target: null, counters: null, insertAt };
  let negate = false;
  let current: Opt[] | null = null; // options of the current module or target
  let implicit: string | null = null;
  while (i < toks.length) {
    const k = toks[i]!;
    if (!k.q && k.t === '!') {
      negate = true;
      i++;
      continue;
    }
    if (!isOpt(k)) return `unexpected "${k.t.slice(0, 40)}"`;
    const name = LONG[k.t] ?? k.t;
    i++;
    if (GLOBAL_ARG.has(name)) {
      let n = negate;
      if (toks[i] && !toks[i]!.q && toks[i]!.t === '!') {
        n = true;
        i++;
      }
      const v = toks[i];
      if (!v) return `${name} needs a value`;
      i++;
      r.globals.push({ name, neg: n, args: [v.t] });
      if (name === '-p' && !n) implicit = v.t === 'ipv6-icmp' || v.t === 'icmpv6' ? 'icmp6' : v.t;
      negate = false;
      continue;
    }
    if (name === '-f') {
      r.globals.push({ name, neg: negate, args: [] });
      negate = false;
      continue;
    }
    if (name === '-c') {
      const p = toks[i]?.t;
      i += 2;
      if (p === undefined || !/^\d+$/.test(p)) return '-c needs two numbers';
      r.counters = Number(p);
      continue;
    }
    if (name === '-m') {
      const v = toks[i];
      if (!v) return '-m needs a module name';
      i++;
      const mod = { name: v.t, opts: [] as Opt[] };
      r.modules.push(mod);
      current = mod.opts;
      negate = false;
      continue;
    }
    if (name === '-j' || name === '-g') {
      const v = toks[i];
      if (!v) return `${name} needs a target`;
      i++;
      r.target = { name: v.t, goto: name === '-g', opts: [] };
      current = r.target.opts;
      negate = false;
      continue;
    }
    // an option of the current module or target (or of the protocol's implicit module)
    if (current === null) {
      if (!implicit) return `option ${name} outside any module`;
      const mod = { name: implicit, opts: [] as Opt[] };
      r.modules.push(mod);
      current = mod.opts;
    }
    const opt: Opt = { name, neg: negate, args: [] };
    negate = false;
    if (toks[i] && !toks[i]!.q && toks[i]!.t === '!' && toks[i + 1] && !isOpt(toks[i + 1]!)) {
      opt.neg = true; // old style: --dport ! 80
      i++;
    }
    while (i < toks.length && !isOpt(toks[i]!) && !(toks[i]!.t === '!' && !toks[i]!.q)) {
      opt.args.push(toks[i]!.t);
      i++;
    }
    current.push(opt);
  }
  if (negate) return 'a "!" with nothing after it';
  return r;
}

const REJECT_DEFAULT: Record<4 | 6, string> = { 4: 'icmp-port-unreachable', 6: 'icmp6-port-unreachable' };
const REJECT_TYPES = new Set([
  'icmp-net-unreachable',
  'icmp-host-unreachable',
  'icmp-port-unreachable',
  'icmp-proto-unreachable',
  'icmp-net-prohibited',
  'icmp-host-prohibited',
  'icmp-admin-prohibited',
  'tcp-reset',
  'icmp6-no-route',
  'no-route',
  'icmp6-adm-prohibited',
  'adm-prohibited',
  'icmp6-addr-unreachable',
  'addr-unreach',
  'icmp6-port-unreachable',
  'port-unreach',
  'icmp6-policy-fail',
  'policy-fail',
  'icmp6-reject-route',
  'reject-route',
]);

/** Targets that only change the packet's metadata or log: the rule falls through. */
const PASS_TARGETS = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'TRACE',
  'AUDIT',
  'TCPMSS',
  'TOS',
  'DSCP',
  'TTL',
  'HL',
  'CLASSIFY',
  'SECMARK',
  'CONNSECMARK',
  'CHECKSUM',
  'IDLETIMER',
  'LED',
  'SET',
  'TEE',
  'RATEEST',
  'TCPOPTSTRIP',
  'ECN',
  'NFACCT',
]);

const verdictItem = (text: string, v: Verdict): VerdictItem => ({ kind: 'verdict', text, resolve: () => v, constant: v, ...(v.kind === 'unknown' ? { why: v.why } : {}) });
const stmt = (text: string, apply: Statement['apply']): Statement => ({ kind: 'stmt', text, apply });
const optArg = (opts: Opt[], ...names: string[]): string | undefined => opts.find((o) => names.includes(o.name))?.args[0];

/** The items a target contributes (statements, then the verdict); `why` set when it is not understood. */
function targetItems(t: RawRule['target'], family: 4 | 6, chainExists: (n: string) => boolean): { items: Item[]; why?: string } {
  if (!t) return { items: [] };
  const text = `-${t.goto ? 'g' : 'j'} ${t.name}${t.opts.length ? ` ${t.opts.map((o) => `${o.neg ? '! ' : ''}${o.name} ${o.args.join(' ')}`.trim()).join(' ')}` : ''}`;
  const unknown = (why: string) => ({ items: [verdictItem(text, { kind: 'unknown', why })], why });
  if (t.goto) return chainExists(t.name) ? { items: [verdictItem(text, { kind: 'goto', chain: t.name })] } : unknown(`goto to chain ${t.name}, which does not exist`);
  switch (t.name) {
    case 'ACCEPT':
      return { items: [verdictItem(text, { kind: 'accept' })] };
    case 'DROP':
      return { items: [verdictItem(text, { kind: 'drop' })] };
    case 'RETURN':
      return { items: [verdictItem(text, { kind: 'return' })] };
    case 'REJECT': {
      const w = optArg(t.opts, '--reject-with') ?? REJECT_DEFAULT[family];
      if (!REJECT_TYPES.has(w)) return unknown(`REJECT --reject-with ${w} is not understood`);
      return { items: [verdictItem(text, { kind: 'reject', with: w })] };
    }
    case 'QUEUE':
    case 'NFQUEUE':
      return unknown('a userspace program decides the verdict (NFQUEUE)');
    case 'TPROXY':
    case 'SYNPROXY':
      return unknown(`${t.name} decides outside the rules`);
    case 'MARK':
    case 'CONNMARK': {
      const ct = t.name === 'CONNMARK';
      const o = t.opts[0];
      if (!o) return unknown(`${t.name} without an operation`);
      if (ct && (o.name === '--save-mark' || o.name === '--restore-mark')) {
        const nf = valueMask(optArg(t.opts, '--nfmask', '--mask') ?? '0xffffffff')?.[0] ?? 0xffffffff;
        const ctm = valueMask(optArg(t.opts, '--ctmask', '--mask') ?? '0xffffffff')?.[0] ?? 0xffffffff;
        const save = o.name === '--save-mark';
        return {
          items: [
            stmt(text, (p) => {
              if (save) p.ctmark = p.ctmark === null || p.mark === null ? null : ((p.ctmark & ~ctm) ^ (p.mark & nf)) >>> 0;
              else p.mark = p.mark === null || p.ctmark === null ? null : ((p.mark & ~nf) ^ (p.ctmark & ctm)) >>> 0;
              return { note: save ? `ctmark ← mark (${p.ctmark === null ? '?' : hex(p.ctmark)})` : `mark ← ctmark (${p.mark === null ? '?' : hex(p.mark)})` };
            }),
            verdictItem(text, { kind: 'continue' }),
          ],
        };
      }
      const ops: Record<string, 'set' | 'xset' | 'and' | 'or' | 'xor'> = { '--set-mark': 'set', '--set-xmark': 'xset', '--and-mark': 'and', '--or-mark': 'or', '--xor-mark': 'xor' };
      const kind = ops[o.name];
      const vm = valueMask(o.args[0]);
      if (!kind || !vm) return unknown(`${t.name} ${o.name} is not understood`);
      const f = markOp(kind, vm[0], vm[1]);
      return {
        items: [
          stmt(text, (p) => {
            if (ct) p.ctmark = p.ctmark === null ? null : f(p.ctmark);
            else p.mark = p.mark === null ? null : f(p.mark);
            const v = ct ? p.ctmark : p.mark;
            return { note: `${ct ? 'ctmark' : 'mark'} = ${v === null ? '?' : hex(v)}` };
          }),
          verdictItem(text, { kind: 'continue' }),
        ],
      };
    }
    case 'NOTRACK':
    case 'CT': {
      const notrack = t.name === 'NOTRACK' || t.opts.some((o) => o.name === '--notrack');
      if (!notrack) return { items: [verdictItem(text, { kind: 'continue' })] };
      return {
        items: [
          stmt(text, (p) => {
            p.notrack = true;
            return { note: 'not tracked: conntrack and NAT skip this packet' };
          }),
          verdictItem(text, { kind: 'continue' }),
        ],
      };
    }
    case 'DNAT':
    case 'SNAT': {
      const v = optArg(t.opts, t.name === 'DNAT' ? '--to-destination' : '--to-source', '--to');
      const to = v === undefined ? null : parseNatTo(v, family);
      if (!to) return unknown(`${t.name} target address not understood`);
      return { items: [natStatement(text, t.name, to)] };
    }
    case 'MASQUERADE':
    case 'REDIRECT': {
      const v = optArg(t.opts, '--to-ports', '--to-port');
      const to = v === undefined ? null : parseNatTo(`:${v.replace('-', ':').split(':')[0]}`, family);
      return { items: [natStatement(text, t.name, to ?? { lo: null, hi: null, portLo: null, portHi: null })] };
    }
    case 'NETMAP': {
      const v = optArg(t.opts, '--to');
      const pfx = v === undefined ? null : parsePrefix(v, family);
      if (!pfx) return unknown('NETMAP --to not understood');
      return { items: [natStatement(text, 'NETMAP', null, { netmap: pfx })] };
    }
    default:
      if (PASS_TARGETS.has(t.name)) return { items: [verdictItem(text, { kind: 'continue' })] };
      if (chainExists(t.name)) return { items: [verdictItem(text, { kind: 'jump', chain: t.name })] };
      if (/^[A-Z0-9_]+$/.test(t.name) && !chainExists(t.name)) return unknown(`unknown target ${t.name} (not a chain of this table; a newer iptables extension?)`);
      return unknown(`jump to chain ${t.name}, which does not exist`);
  }
}

/** Matches and targets that make the kernel track connections (they call nf_ct_netns_get). */
const CT_MODULES = new Set(['conntrack', 'state', 'connmark', 'connlimit', 'helper', 'connbytes', 'connlabel', 'cluster', 'ipvs']);
const CT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CONNMARK', 'CONNSECMARK']);

function needsConntrack(r: RawRule): boolean {
  if (r.modules.some((m) => CT_MODULES.has(m.name))) return true;
  const t = r.target;
  if (!t) return false;
  return CT_TARGETS.has(t.name) || (t.name === 'CT' && !t.opts.some((o) => o.name === '--notrack'));
}

interface PendingRule {
  raw: RawRule | null;
  error: string | null;
  text: string;
  line: number;
  packets: number | null;
  chain: string;
}

function compileRule(pr: PendingRule, family: 4 | 6, ipsets: IpsetStore | null, chainExists: (n: string) => boolean): Omit<FwRule, 'number'> {
  const base = { line: pr.line, text: pr.text, ...(pr.packets !== null ? { packets: pr.packets } : {}) };
  if (!pr.raw) {
    const why = `line ${pr.line}: ${pr.error ?? 'not understood'}`;
    return { ...base, items: [unknownMatch(pr.text, why), verdictItem(pr.text, { kind: 'unknown', why })], unknown: why };
  }
  const r = pr.raw;
  const items: Item[] = [];
  const whys: string[] = [];
  for (const g of r.globals) {
    const m = globalMatch(g, family);
    if (m) items.push(m);
    else {
      const why = `cannot read ${g.name} ${g.args.join(' ')}`;
      whys.push(why);
      items.push(unknownMatch(`${g.name} ${g.args.join(' ')}`, `line ${pr.line}: ${why}`));
    }
  }
  const proto = r.globals.find((g) => g.name === '-p' && !g.neg);
  const pre = family === 4 ? headerOf(r) : undefined;
  const ctx: ModuleCtx = { family, proto: proto ? protoNumber(proto.args[0] ?? '') : null, ipsets };
  for (const m of r.modules) {
    const compile = MODULES[m.name];
    if (!compile) {
      const why = `unknown match module "${m.name}"`;
      whys.push(why);
      items.push(unknownMatch(`-m ${m.name}`, `line ${pr.line}: ${why}`));
      continue;
    }
    for (const it of compile(m.opts, ctx)) {
      if (it.kind === 'match' && it.why && !it.probabilistic) {
        if (/not understood|cannot read/.test(it.why)) whys.push(it.why);
        items.push(match(it.text, it.test, { why: `line ${pr.line}: ${it.why}` }));
      } else items.push(it);
    }
  }
  const t = targetItems(r.target, family, chainExists);
  if (t.why) whys.push(t.why);
  for (const it of t.items) items.push(it.kind === 'verdict' && it.constant?.kind === 'unknown' ? verdictItem(it.text, { kind: 'unknown', why: `line ${pr.line}: ${it.constant.why}` }) : it);
  if (!r.target) items.push(verdictItem('(no target)', { kind: 'continue' }));
  return { ...base, items, ...(pre ? { pre } : {}), ...(whys.length ? { unknown: `line ${pr.line}: ${whys.join('; ')}` } : {}) };
}

/** The -p/-s/-d part of an IPv4 rule in packed form (see FwRule.pre); undefined when it has none or they are unusual. */
function headerOf(r: RawRule): FwRule['pre'] {
  let proto = -1;
  let protoNeg = false;
  let src: { net: number; mask: number; neg: boolean } | null = null;
  let dst: { net: number; mask: number; neg: boolean } | null = null;
  for (const g of r.globals) {
    const v = g.args[0] ?? '';
    if (g.name === '-p') {
      const n = protoNumber(v);
      if (n === null) return undefined;
      proto = n;
      protoNeg = g.neg;
    } else if (g.name === '-s' || g.name === '-d') {
      if (v.includes(',')) return undefined;
      const p = parsePrefix(v, 4);
      if (!p) return undefined;
      const h = { net: p.w[0]!, mask: maskBits(p.len), neg: g.neg };
      if (g.name === '-s') src = h;
      else dst = h;
    }
  }
  return proto === -1 && !src && !dst ? undefined : { proto, protoNeg, src, dst };
}

/** A `:CHAIN POLICY [packets:bytes]` line: a built-in chain with its policy, or a user chain. */
function declareChain(line: string, lineNo: number, table: string, who: { backend: Ruleset['backend']; fam: 'ip' | 'ip6' }, chains: Map<string, FwChain>, problems: Problem[]): void {
  const { backend, fam } = who;
  const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/.exec(line);
  if (!m) {
    problems.push({ line: lineNo, text: line.slice(0, 200), reason: 'chain declaration not understood' });
    return;
  }
  const name = m[1]!;
  const policy = m[2]!;
  const prio = BUILTIN[table]?.[name as Hook];
  if (prio !== undefined) {
    if (policy !== 'ACCEPT' && policy !== 'DROP') problems.push({ line: lineNo, text: line, reason: `policy ${policy} of built-in chain ${name} not understood (ACCEPT assumed)` });
    chains.set(name, {
      backend,
      family: fam,
      table,
      name,
      rules: [],
      line: lineNo,
      base: {
        hook: name as Hook,
        priority: prio,
        type: table === 'nat' ? 'nat' : table === 'mangle' && name === 'OUTPUT' ? 'route' : 'filter',
        policy: policy === 'DROP' ? 'drop' : 'accept',
        ...(m[3] !== undefined ? { packets: Number(m[3]) } : {}),
      },
    });
  } else chains.set(name, { backend, family: fam, table, name, rules: [], base: null, line: lineNo });
}

/** A rule line (`[p:b] -A CHAIN …`), tokenized and parsed; what cannot be read is a problem and a pending rule that says so. */
function pendingRuleOf(line: string, lineNo: number, problems: Problem[]): PendingRule | null {
  let body = line;
  let packets: number | null = null;
  const cm = /^\[(\d+):(\d+)\]\s*/.exec(body);
  if (cm) {
    packets = Number(cm[1]);
    body = body.slice(cm[0].length);
  }
  if (!/^(-A|-I|--append|--insert)\s/.test(body)) {
    problems.push({ line: lineNo, text: line.slice(0, 200), reason: 'not an iptables-save line' });
    return null;
  }
  const toks = tokenize(body);
  const chain = /^\S+\s+(\S+)/.exec(body)?.[1] ?? '?';
  if (typeof toks === 'string') {
    problems.push({ line: lineNo, text: line.slice(0, 200), reason: toks });
    return { raw: null, error: toks, text: body, line: lineNo, packets, chain };
  }
  const raw = parseRuleTokens(toks);
  if (typeof raw === 'string') {
    problems.push({ line: lineNo, text: line.slice(0, 200), reason: raw });
    return { raw: null, error: raw, text: body, line: lineNo, packets, chain };
  }
  if (raw.counters !== null && packets === null) packets = raw.counters;
  return { raw, error: null, text: body.replace(/\s+-c\s+\d+\s+\d+/, ''), line: lineNo, packets, chain: raw.chain };
}

/** Parses one dump. `family` 4 for iptables-save, 6 for ip6tables-save. */
export function parseIptablesSave(text: string, family: 4 | 6, ipsets: IpsetStore | null = null): Ruleset {
  const backend = family === 4 ? 'iptables' : 'ip6tables';
  const fam = family === 4 ? 'ip' : 'ip6';
  const rs: Ruleset = { backend, chains: new Map(), problems: [], tables: new Set() };
  const problems: Problem[] = rs.problems;
  let table: string | null = null;
  let tableLine = 0;
  let chains = new Map<string, FwChain>();
  let pending: PendingRule[] = [];

  const finish = (committed: boolean): void => {
    if (table === null) return;
    const t = table;
    // built-in chains exist even when the dump does not declare them
    for (const [hook, prio] of Object.entries(BUILTIN[t] ?? {}) as Array<[Hook, number]>) {
      const c = chains.get(hook);
      if (!c)
        chains.set(hook, {
          backend,
          family: fam,
          table: t,
          name: hook,
          rules: [],
          base: { hook, priority: prio!, type: t === 'nat' ? 'nat' : t === 'mangle' && hook === 'OUTPUT' ? 'route' : 'filter', policy: 'accept' },
        });
    }
    const exists = (n: string): boolean => chains.has(n);
    for (const pr of pending) {
      if (pr.raw && needsConntrack(pr.raw)) rs.usesConntrack = true;
      let c = chains.get(pr.chain);
      if (!c) {
        problems.push({ line: pr.line, text: pr.text.slice(0, 200), reason: `chain ${pr.chain} is not declared in table ${t}` });
        c = { backend, family: fam, table: t, name: pr.chain, rules: [], base: null, line: pr.line };
        chains.set(pr.chain, c);
      }
      const rule = compileRule(pr, family, ipsets, exists);
      const ins = pr.raw?.insertAt ?? null;
      const at = ins !== null ? Math.max(0, Math.min(c.rules.length, ins - 1)) : c.rules.length;
      c.rules.splice(at, 0, { ...rule, number: 0 });
    }
    if (!committed) {
      const why = `table ${t} has no COMMIT (the dump is truncated after line ${tableLine}?): rules may be missing`;
      problems.push({ line: tableLine, text: `*${t}`, reason: why });
      for (const c of chains.values()) {
        c.rules.push({ number: 0, text: '(rules missing: truncated dump)', items: [unknownMatch('(missing rules)', why), verdictItem('(missing rules)', { kind: 'unknown', why })], unknown: why });
      }
    }
    for (const c of chains.values()) {
      c.rules.forEach((r, i) => (r.number = i + 1));
      rs.chains.set(chainKey(fam, t, c.name), c);
    }
    rs.tables.add(`${fam}/${t}`);
    table = null;
    chains = new Map();
    pending = [];
  };

  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (lineNo <= 3 && /iptables-save|ip6tables-save/.test(line)) {
        if (/\(nf_tables\)/.test(line)) rs.nftBackend = true;
        else if (/\(legacy\)/.test(line)) rs.nftBackend = false;
      }
      continue;
    }
    if (line.startsWith('*')) {
      if (table !== null) finish(false);
      table = line.slice(1).trim();
      tableLine = lineNo;
      if (!/^[a-z]+$/.test(table)) problems.push({ line: lineNo, text: line.slice(0, 200), reason: `unusual table name ${table}` });
      continue;
    }
    if (line === 'COMMIT') {
      if (table === null) problems.push({ line: lineNo, text: line, reason: 'COMMIT outside a table' });
      finish(true);
      continue;
    }
    if (table === null) {
      problems.push({ line: lineNo, text: line.slice(0, 200), reason: 'line outside a table (no *table before it)' });
      continue;
    }
    if (line.startsWith(':')) {
      declareChain(line, lineNo, table, { backend, fam }, chains, problems);
      continue;
    }
    const pr = pendingRuleOf(line, lineNo, problems);
    if (pr) pending.push(pr);
  }
  if (table !== null) finish(false);
  return rs;
}
