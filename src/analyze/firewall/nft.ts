/**
 * `nft -j list ruleset` → a Ruleset: tables of family ip/ip6/inet, their base chains (hook,
 * priority, type, policy), rules as ordered statements, named sets and verdict maps resolved
 * from the ruleset itself. An expression it does not understand (iptables-nft `xt` compat, raw
 * payloads, socket, osf …) answers "unknown"; garbage input gives an empty ruleset with problems.
 */
import { hex, natStatement, parseNatTo, probabilistic, unknownMatch, match } from './common.js';
import { ABSENT, UNKNOWN, constant, element, getter, isObj, render, type Getter, type Pred, type Value } from './nft-values.js';
import { chainKey, type FwChain, type FwRule, type Hook, type Item, type Problem, type Ruleset, type Statement, type Tri, type Verdict, type VerdictItem } from './types.js';

const HOOKS: Record<string, Hook> = { prerouting: 'PREROUTING', input: 'INPUT', forward: 'FORWARD', output: 'OUTPUT', postrouting: 'POSTROUTING' };
const PRIO_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

interface NftSet {
  name: string;
  elems: unknown[];
  map: boolean;
}

interface Ctx {
  family: string;
  table: string;
  sets: Map<string, NftSet>;
}

const verdictItem = (text: string, v: Verdict): VerdictItem => ({ kind: 'verdict', text, resolve: () => v, constant: v, ...(v.kind === 'unknown' ? { why: v.why } : {}) });
const stmt = (text: string, apply: Statement['apply']): Statement => ({ kind: 'stmt', text, apply });

/** Membership predicate over a set reference or literal; a string when it cannot be read. */
function membership(right: unknown, g: Getter, c: Ctx): Pred | string {
  let elems: unknown[] | null = null;
  if (typeof right === 'string' && right.startsWith('@')) {
    const s = c.sets.get(right.slice(1));
    if (!s) return `depends on set ${right.slice(1)}, which is not in the ruleset`;
    elems = s.elems;
  } else if (isObj(right) && Array.isArray(right.set)) elems = right.set;
  if (elems === null) {
    const p = element(right, g);
    return p ?? `value ${render(right)} not understood`;
  }
  const preds: Pred[] = [];
  for (const e of elems) {
    const p = element(Array.isArray(e) ? e[0] : e, g);
    if (!p) return `element ${render(e)} of ${typeof right === 'string' ? right : 'the set'} not understood`;
    preds.push(p);
  }
  return (v) => preds.some((p) => p(v));
}

const tri = (b: boolean): Tri => (b ? 1 : 0);

function compileMatch(m: Record<string, unknown>, c: Ctx): Item {
  const op = typeof m.op === 'string' ? m.op : '==';
  const g = getter(m.left);
  const text = `${g.text} ${op === '==' || op === 'in' ? '' : `${op} `}${render(m.right)}`;
  const isSet = (typeof m.right === 'string' && m.right.startsWith('@')) || (isObj(m.right) && Array.isArray(m.right.set));
  let test: (v: Value) => boolean;
  if (isSet || (!Array.isArray(m.right) && g.kind !== 'bits') || (g.kind === 'bits' && !Array.isArray(m.right) && op !== 'in')) {
    if (op === '<' || op === '>' || op === '<=' || op === '>=') {
      const k = constant(m.right, g);
      if (!k || k.k !== 'num') return unknownMatch(text, `cannot compare with ${render(m.right)}`);
      test = (v) => v.k === 'num' && (op === '<' ? v.n < k.n : op === '>' ? v.n > k.n : op === '<=' ? v.n <= k.n : v.n >= k.n);
    } else {
      const pred = membership(m.right, g, c);
      if (typeof pred === 'string') return match(text, (p, env) => (g.get(p, env) === ABSENT ? 0 : 2), { why: pred });
      test = op === '!=' ? (v) => !pred(v) : pred;
    }
  } else {
    // flag lists: bitwise (`ct state established,related`, `tcp flags syn`)
    const k = constant(m.right, g);
    if (!k || k.k !== 'num') return unknownMatch(text, `value ${render(m.right)} not understood`);
    test = op === '==' ? (v) => v.k === 'num' && v.n === k.n : op === '!=' ? (v) => v.k === 'num' && (v.n & k.n) === 0 : (v) => v.k === 'num' && (v.n & k.n) !== 0;
  }
  return match(
    text,
    (p, env) => {
      const v = g.get(p, env);
      if (v === ABSENT) return 0;
      if (v === UNKNOWN) return 2;
      return tri(test(v));
    },
    { ...(g.why ? { why: g.why } : {}), ...(g.probabilistic ? { probabilistic: true } : {}) },
  );
}

function verdictOf(x: Record<string, unknown>, family: string): Verdict | null {
  if ('accept' in x) return { kind: 'accept' };
  if ('drop' in x) return { kind: 'drop' };
  if ('continue' in x) return { kind: 'continue' };
  if ('return' in x) return { kind: 'return' };
  if (isObj(x.jump) && typeof x.jump.target === 'string') return { kind: 'jump', chain: x.jump.target };
  if (isObj(x.goto) && typeof x.goto.target === 'string') return { kind: 'goto', chain: x.goto.target };
  if ('reject' in x) {
    const r = x.reject;
    if (!isObj(r)) return { kind: 'reject', with: family === 'ip6' ? 'icmpv6 port-unreachable' : family === 'inet' ? 'icmpx port-unreachable' : 'icmp port-unreachable' };
    const type = typeof r.type === 'string' ? r.type : 'icmpx';
    return { kind: 'reject', with: type === 'tcp reset' ? 'tcp-reset' : `${type} ${typeof r.expr === 'string' ? r.expr : 'port-unreachable'}` };
  }
  if ('queue' in x) return { kind: 'unknown', why: 'a userspace program decides the verdict (queue)' };
  return null;
}

function natOf(x: Record<string, unknown>, tableFam: 4 | 6, key: 'snat' | 'dnat' | 'masquerade' | 'redirect'): Statement | string {
  const spec = isObj(x[key]) ? x[key] : {};
  const addr = spec.addr;
  const fam: 4 | 6 = spec.family === 'ip6' ? 6 : spec.family === 'ip' ? 4 : typeof addr === 'string' && addr.includes(':') ? 6 : tableFam;
  const port = spec.port;
  const text = `${key}${addr !== undefined ? ` to ${render(addr)}` : ''}${port !== undefined ? `${addr !== undefined ? ':' : ' to :'}${render(port)}` : ''}`;
  if ((addr !== undefined && typeof addr !== 'string') || (port !== undefined && typeof port !== 'number' && !(isObj(port) && Array.isArray(port.range)))) return `${text}: a mapped NAT target`;
  const portText = typeof port === 'number' ? String(port) : isObj(port) && Array.isArray(port.range) ? `${String(port.range[0])}-${String(port.range[1])}` : null;
  const to = parseNatTo(`${addr !== undefined ? (fam === 6 && portText ? `[${addr}]` : String(addr)) : ''}${portText ? `:${portText}` : ''}`, fam);
  if ((addr !== undefined || portText) && !to) return `${text}: address not understood`;
  const kind = key === 'snat' ? 'SNAT' : key === 'dnat' ? 'DNAT' : key === 'masquerade' ? 'MASQUERADE' : 'REDIRECT';
  return natStatement(text, kind, to ?? { lo: null, hi: null, portLo: null, portHi: null });
}

/** One statement → items; `why` when it is not understood. */
function compileStatement(x: unknown, c: Ctx): { items: Item[]; text: string; why?: string } {
  if (!isObj(x)) return { items: [unknownMatch('?', 'statement not understood')], text: '?', why: 'statement not understood' };
  const fam: 4 | 6 = c.family === 'ip6' ? 6 : 4;
  if (isObj(x.match)) {
    const it = compileMatch(x.match, c);
    return { items: [it], text: it.text };
  }
  const v = verdictOf(x, c.family);
  if (v) {
    const text = v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind === 'reject' ? `reject with ${v.with}` : v.kind === 'unknown' ? 'queue' : v.kind;
    return { items: [verdictItem(text, v)], text, ...(v.kind === 'unknown' ? { why: v.why } : {}) };
  }
  if ('counter' in x) return { items: [], text: 'counter' };
  if ('log' in x) return { items: [], text: 'log' };
  if ('limit' in x) {
    const l = isObj(x.limit) ? x.limit : {};
    const text = `limit rate ${l.inv ? 'over ' : ''}${String(l.rate ?? '?')}/${String(l.per ?? '?')}`;
    return { items: [probabilistic(text, 'matches while under the rate limit')], text };
  }
  if ('quota' in x) return { items: [probabilistic('quota', 'matches until the quota is used up')], text: 'quota' };
  if ('notrack' in x)
    return {
      items: [
        stmt('notrack', (p) => {
          p.notrack = true;
          return { note: 'not tracked: conntrack and NAT skip this packet' };
        }),
      ],
      text: 'notrack',
    };
  for (const k of ['snat', 'dnat', 'masquerade', 'redirect'] as const) {
    if (k in x) {
      const s = natOf(x, fam, k);
      if (typeof s === 'string') return { items: [verdictItem(k, { kind: 'unknown', why: s })], text: k, why: s };
      return { items: [s], text: s.text };
    }
  }
  if (isObj(x.mangle)) {
    const key = x.mangle.key;
    const target = isObj(key) && isObj(key.meta) && key.meta.key === 'mark' ? 'mark' : isObj(key) && isObj(key.ct) && key.ct.key === 'mark' ? 'ctmark' : null;
    const text = `${render(key)} set ${render(x.mangle.value)}`;
    if (!target) return { items: [], text };
    const val = x.mangle.value;
    const g = isObj(val) ? getter(val) : null;
    const k = g ? null : constant(val, { kind: 'num' });
    return {
      items: [
        stmt(text, (p, env) => {
          let n: number | null = null;
          if (k && k.k === 'num') n = k.n;
          else if (g) {
            const r = g.get(p, env);
            n = r !== ABSENT && r !== UNKNOWN && r.k === 'num' ? r.n : null;
          }
          if (target === 'mark') p.mark = n;
          else p.ctmark = n;
          return { note: `${target} = ${n === null ? '?' : hex(n)}` };
        }),
      ],
      text,
    };
  }
  if (isObj(x.vmap)) return vmap(x.vmap, c);
  if (isObj(x.xt)) {
    const name = typeof x.xt.name === 'string' ? x.xt.name : '?';
    const text = `xt ${String(x.xt.type)} ${name}`;
    if (x.xt.type === 'match' && name === 'comment') return { items: [], text };
    const why = `iptables-nft compat ${String(x.xt.type)} "${name}" (read it from iptables-save instead)`;
    return x.xt.type === 'target' ? { items: [verdictItem(text, { kind: 'unknown', why })], text, why } : { items: [unknownMatch(text, why)], text, why };
  }
  for (const k of ['set', 'map', 'dup', 'secmark', 'flow', 'ct helper', 'ct timeout', 'ct expectation', 'last', 'meter'])
    if (k in x) return { items: [], text: k === 'flow' ? 'flow add (offload: later packets may bypass the chains)' : k };
  for (const k of ['fwd', 'tproxy', 'synproxy'])
    if (k in x) return { items: [verdictItem(k, { kind: 'unknown', why: `${k} decides outside the rules` })], text: k, why: `${k} decides outside the rules` };
  const k = Object.keys(x)[0] ?? '?';
  const why = `statement "${k}" not understood`;
  return { items: [unknownMatch(k, why)], text: k, why };
}

function vmap(v: Record<string, unknown>, c: Ctx): { items: Item[]; text: string; why?: string } {
  const g = getter(v.key);
  const text = `${g.text} vmap ${render(v.data)}`;
  let entries: unknown[] | null = null;
  if (typeof v.data === 'string' && v.data.startsWith('@')) entries = c.sets.get(v.data.slice(1))?.elems ?? null;
  else if (isObj(v.data) && Array.isArray(v.data.set)) entries = v.data.set;
  if (!entries) return { items: [verdictItem(text, { kind: 'unknown', why: `verdict map ${render(v.data)} not found` })], text, why: 'verdict map not found' };
  const table: Array<{ pred: Pred; verdict: Verdict }> = [];
  for (const e of entries) {
    if (!Array.isArray(e) || e.length !== 2) continue;
    const pred = element(e[0], g);
    const verdict = isObj(e[1]) ? verdictOf(e[1], c.family) : null;
    if (!pred || !verdict) return { items: [verdictItem(text, { kind: 'unknown', why: `map element ${render(e)} not understood` })], text, why: 'map element not understood' };
    table.push({ pred, verdict });
  }
  const item: VerdictItem = {
    kind: 'verdict',
    text,
    resolve: (p, env) => {
      const val = g.get(p, env);
      if (val === ABSENT) return null;
      if (val === UNKNOWN) return 'unknown';
      return table.find((t) => t.pred(val))?.verdict ?? null;
    },
    why: g.why ?? `${g.text} of the packet is not known`,
  };
  return { items: [item], text };
}

export interface NftOptions {
  /** Tables (`family/name`) to leave out: the iptables-nft tables already read from iptables-save. */
  skip?: Set<string>;
}

/** Parses the JSON of `nft -j list ruleset` (already parsed, or text). */
export function parseNftRuleset(input: unknown, opts: NftOptions = {}): Ruleset {
  const rs: Ruleset = { backend: 'nft', chains: new Map(), problems: [], tables: new Set() };
  const problems: Problem[] = rs.problems;
  let doc = input;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc) as unknown;
    } catch {
      problems.push({ text: String(input).slice(0, 80), reason: 'not JSON' });
      return rs;
    }
  }
  const list = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : null;
  if (!list) {
    problems.push({ text: JSON.stringify(doc)?.slice(0, 80) ?? '?', reason: 'not the output of nft -j list ruleset (no "nftables" array)' });
    return rs;
  }
  const sets = new Map<string, Map<string, NftSet>>();
  const setsOf = (fam: string, table: string): Map<string, NftSet> => {
    const k = `${fam}/${table}`;
    let m = sets.get(k);
    if (!m) sets.set(k, (m = new Map()));
    return m;
  };
  const wanted = (fam: unknown, table: unknown): fam is string =>
    typeof fam === 'string' && typeof table === 'string' && (fam === 'ip' || fam === 'ip6' || fam === 'inet') && !opts.skip?.has(`${fam}/${table}`);
  // first pass: tables, chains, sets
  list.forEach((obj, i) => {
    if (!isObj(obj)) return problems.push({ text: `item ${i}`, reason: 'not an object' });
    if (isObj(obj.table)) {
      const t = obj.table;
      if (typeof t.family === 'string' && typeof t.name === 'string') {
        if (wanted(t.family, t.name)) rs.tables.add(`${t.family}/${t.name}`);
        else if (!opts.skip?.has(`${t.family}/${t.name}`)) problems.push({ text: `table ${t.family} ${t.name}`, reason: `family ${t.family} is not evaluated (only ip, ip6, inet)` });
      }
    } else if (isObj(obj.set) || isObj(obj.map)) {
      const s = (isObj(obj.set) ? obj.set : obj.map) as Record<string, unknown>;
      if (!wanted(s.family, s.table) || typeof s.name !== 'string') return;
      setsOf(s.family, s.table as string).set(s.name, { name: s.name, elems: Array.isArray(s.elem) ? s.elem : [], map: isObj(obj.map) });
    } else if (isObj(obj.chain)) {
      const ch = obj.chain;
      if (!wanted(ch.family, ch.table) || typeof ch.name !== 'string') return;
      const hook = typeof ch.hook === 'string' ? HOOKS[ch.hook] : undefined;
      const prio = typeof ch.prio === 'number' ? ch.prio : typeof ch.prio === 'string' ? (PRIO_NAMES[ch.prio] ?? 0) : 0;
      const type = ch.type === 'nat' ? 'nat' : ch.type === 'route' ? 'route' : 'filter';
      if (typeof ch.hook === 'string' && !hook) problems.push({ text: `chain ${ch.family} ${String(ch.table)} ${ch.name}`, reason: `hook ${ch.hook} is not evaluated` });
      const c: FwChain = {
        backend: 'nft',
        family: ch.family,
        table: ch.table as string,
        name: ch.name,
        rules: [],
        base: hook ? { hook, priority: prio, type, policy: ch.policy === 'drop' ? 'drop' : 'accept' } : null,
        ...(typeof ch.handle === 'number' ? { handle: ch.handle } : {}),
      };
      rs.chains.set(chainKey(ch.family, ch.table as string, ch.name), c);
    }
  });
  // second pass: rules
  list.forEach((obj) => {
    if (!isObj(obj) || !isObj(obj.rule)) return;
    const r = obj.rule;
    if (!wanted(r.family, r.table) || typeof r.chain !== 'string') return;
    const c = rs.chains.get(chainKey(r.family, r.table as string, r.chain));
    const handle = typeof r.handle === 'number' ? r.handle : undefined;
    if (!c) {
      problems.push({ text: `rule ${handle ?? '?'} of ${r.family} ${String(r.table)} ${r.chain}`, reason: 'its chain is not in the ruleset' });
      return;
    }
    if (usesConntrack(r.expr)) rs.usesConntrack = true;
    const rule = compileRule(r, { family: r.family, table: r.table as string, sets: setsOf(r.family, r.table as string) }, c.rules.length + 1, handle);
    if (rule.unknown) problems.push({ text: rule.text.slice(0, 200), reason: rule.unknown });
    c.rules.push(rule);
  });
  return rs;
}

const CT_KEYS = new Set(['ct', 'snat', 'dnat', 'masquerade', 'redirect', 'ct helper', 'ct timeout', 'ct expectation', 'ct count']);

/** Whether an expression uses connection tracking (a ct expression, a NAT statement …). */
export function usesConntrack(x: unknown, depth = 0): boolean {
  if (depth > 20 || typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) return x.some((y) => usesConntrack(y, depth + 1));
  return Object.entries(x).some(([k, v]) => CT_KEYS.has(k) || usesConntrack(v, depth + 1));
}

function compileRule(r: Record<string, unknown>, c: Ctx, number: number, handle: number | undefined): FwRule {
  const items: Item[] = [];
  const texts: string[] = [];
  const whys: string[] = [];
  let packets: number | undefined;
  const exprs = Array.isArray(r.expr) ? r.expr : [];
  for (const x of exprs) {
    try {
      const s = compileStatement(x, c);
      items.push(...s.items);
      texts.push(s.text);
      if (s.why && !/depends on set/.test(s.why)) whys.push(s.why);
      if (isObj(x) && isObj(x.counter) && typeof x.counter.packets === 'number') packets = x.counter.packets;
    } catch (err) {
      const why = `statement not understood (${err instanceof Error ? err.message : 'error'})`;
      whys.push(why);
      items.push(unknownMatch('?', why));
    }
  }
  if (!exprs.length) whys.push('rule without expressions');
  if (!items.some((it) => it.kind === 'verdict')) items.push(verdictItem('(no verdict)', { kind: 'continue' }));
  const comment = typeof r.comment === 'string' ? ` comment "${r.comment}"` : '';
  const where = `handle ${handle ?? '?'}`;
  return {
    number,
    ...(handle !== undefined ? { handle } : {}),
    text: `${texts.filter((t) => t !== '').join(' ')}${comment}`,
    items: items.map((it) =>
      it.kind === 'match' && it.why && !it.why.startsWith('handle')
        ? match(it.text, it.test, { why: `${where}: ${it.why}`, ...(it.probabilistic ? { probabilistic: true } : {}) })
        : it.kind === 'verdict' && it.why && !it.why.startsWith('handle')
          ? { ...it, why: `${where}: ${it.why}` }
          : it,
    ),
    ...(whys.length ? { unknown: `${where}: ${whys.join('; ')}` } : {}),
    ...(packets !== undefined ? { packets } : {}),
  };
}
