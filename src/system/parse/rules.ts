/** `ip -4|-6 -j rule` → PolicyRule[] (selectors as prefixes, the action, and the line as ip prints it). */
import { ParseError } from '../../model/errors.js';
import type { PolicyRule } from '../../model/snapshot.js';
import { asArray, asObject, Fields, parseJson } from './json.js';
import { normalizePrefix } from '../../model/prefix.js';

const ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit']);

/** 'all' → null; 'a.b.c.d' + len → prefix (for the struct) and the text ip prints. */
function selector(input: string, f: Fields, key: 'src' | 'dst', family: 4 | 6): { prefix: string | null; text: string | null } {
  const addr = f.optStr(key);
  if (addr === null || addr === 'all') return { prefix: null, text: addr };
  const len = f.optNum(`${key}len`);
  const text = len === null ? addr : `${addr}/${len}`;
  const prefix = normalizePrefix(text, family);
  if (prefix === null) throw new ParseError(input, `${f.where}: expected "${key}" to be an IPv${family} prefix, got "${text.slice(0, 60)}"`);
  return { prefix, text };
}

function portRange(f: Fields, key: 'sport' | 'dport'): string | null {
  const one = f.optNum(key);
  if (one !== null) return String(one);
  const start = f.optNum(`${key}_start`);
  const end = f.optNum(`${key}_end`);
  return start !== null ? (end !== null && end !== start ? `${start}-${end}` : String(start)) : null;
}

function parseRule(input: string, raw: unknown, i: number, family: 4 | 6): PolicyRule {
  const where = `rule #${i}`;
  const f = new Fields(input, asObject(input, raw, where), where);
  const priority = f.num('priority');
  const not = f.flag('not');
  const src = selector(input, f, 'src', family);
  const dst = selector(input, f, 'dst', family);
  const fwmarkRaw = f.optStrOrNum('fwmark');
  const fwmask = f.optStrOrNum('fwmask');
  const fwmark = fwmarkRaw === null ? null : fwmask === null ? fwmarkRaw : `${fwmarkRaw}/${fwmask}`;
  const iif = f.optStr('iif');
  const oif = f.optStr('oif');
  const table = f.optStrOrNum('table');
  const gotoTarget = f.optNum('goto');
  const rawAction = f.optStr('action');
  let action: string;
  if (rawAction !== null) action = rawAction;
  else if (gotoTarget !== null) action = 'goto';
  else if (f.has('nop')) action = 'nop';
  else if (table !== null) action = 'to_tbl';
  else action = 'nop';

  const other: string[] = [];
  const tos = f.optStrOrNum('tos') ?? f.optStrOrNum('dsfield');
  if (tos !== null) other.push(`tos ${tos}`);
  if (f.flag('l3mdev')) other.push('lookup l3mdev');
  const uidStart = f.optNum('uid_start');
  if (uidStart !== null) other.push(`uidrange ${uidStart}-${f.optNum('uid_end') ?? uidStart}`);
  const ipproto = f.optStrOrNum('ipproto');
  if (ipproto !== null) other.push(`ipproto ${ipproto}`);
  const sport = portRange(f, 'sport');
  if (sport !== null) other.push(`sport ${sport}`);
  const dport = portRange(f, 'dport');
  if (dport !== null) other.push(`dport ${dport}`);
  const tunId = f.optStrOrNum('tun_id');
  if (tunId !== null) other.push(`tun_id ${tunId}`);

  // The order of `ip rule` (iproute2 print_rule).
  const t: string[] = [];
  if (not) t.push('not');
  t.push('from', src.text ?? 'all');
  if (dst.text !== null) t.push('to', dst.text);
  if (tos !== null) t.push('tos', tos);
  if (fwmark !== null) t.push('fwmark', fwmark);
  if (iif !== null) t.push('iif', iif);
  if (oif !== null) t.push('oif', oif);
  for (const o of other) if (!o.startsWith('tos ')) t.push(o);
  if (table !== null && !f.flag('l3mdev')) t.push('lookup', table);
  const suppress = f.optNum('suppress_prefixlen');
  if (suppress !== null) t.push('suppress_prefixlength', String(suppress));
  if (gotoTarget !== null) t.push('goto', String(gotoTarget));
  if (action === 'nop' && f.has('nop')) t.push('nop');
  if (ACTIONS.has(action)) t.push(action);

  const rule: PolicyRule = { family, priority, src: src.prefix, dst: dst.prefix, action, table, fwmark, iif, oif, not, text: t.join(' ') };
  if (gotoTarget !== null) rule.goto = gotoTarget;
  if (suppress !== null) rule.suppressPrefixlen = suppress;
  if (other.length > 0) rule.other = other;
  return rule;
}

export function parsePolicyRules(json: string, family: 4 | 6): PolicyRule[] {
  const input = `ip -${family} -j rule`;
  return asArray(input, parseJson(input, json), 'the output').map((r, i) => parseRule(input, r, i, family));
}
