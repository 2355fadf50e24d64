/**
 * `ip -4|-6 -j route show table all` → Route[]. ip's JSON carries no family, so the caller says
 * which one it asked for. 'default' becomes 0.0.0.0/0 or ::/0, host routes get /32 or /128, and
 * `text` is rebuilt the way `ip route` prints the route, on one line, so `ip route del <text>`
 * removes exactly that route.
 */
import { ParseError } from '../../model/errors.js';
import type { Nexthop, Route } from '../../model/snapshot.js';
import { asArray, asObject, Fields, parseJson } from './json.js';
import { ipFamily, normalizePrefix } from '../../model/prefix.js';

/** Route flags that are also `ip route add/del` arguments; the others (linkdown, dead, …) are state. */
const ARG_FLAGS = new Set(['onlink', 'pervasive']);
/** Route metrics printed as plain numbers and accepted back by `ip route`. */
const NUMERIC_METRICS = ['mtu', 'advmss', 'window', 'hoplimit', 'initcwnd', 'initrwnd', 'reordering', 'quickack', 'fastopen_no_cookie'];

function gatewayOf(input: string, f: Fields, where: string): { gateway: string | null; viaFamily: string | null } {
  const gw = f.optStr('gateway');
  if (gw !== null) {
    if (ipFamily(gw) === null) throw new ParseError(input, `${where}: expected "gateway" to be an IP address, got "${gw.slice(0, 60)}"`);
    return { gateway: gw, viaFamily: null };
  }
  const via = f.optObject('via');
  if (via) {
    const v = new Fields(input, via, `${where} via`);
    const host = v.str('host');
    if (ipFamily(host) === null) throw new ParseError(input, `${where}: expected "via.host" to be an IP address`);
    return { gateway: host, viaFamily: v.optStr('family') };
  }
  return { gateway: null, viaFamily: null };
}

function parseNexthop(input: string, raw: unknown, where: string): Nexthop & { flags: string[]; viaFamily: string | null } {
  const f = new Fields(input, asObject(input, raw, where), where);
  const { gateway, viaFamily } = gatewayOf(input, f, where);
  return { gateway, dev: f.optStr('dev'), weight: f.optNum('weight'), flags: f.strArray('flags'), viaFamily };
}

function viaText(gateway: string | null, viaFamily: string | null): string[] {
  if (gateway === null) return [];
  return viaFamily ? ['via', viaFamily, gateway] : ['via', gateway];
}

function metricsText(f: Fields): string[] {
  const out: string[] = [];
  for (const m of f.array('metrics')) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    for (const key of NUMERIC_METRICS) {
      const v = (m as Record<string, unknown>)[key];
      if (typeof v === 'number' && Number.isFinite(v)) out.push(key, String(v));
    }
  }
  return out;
}

function parseRoute(input: string, raw: unknown, i: number, family: 4 | 6): Route {
  const where = `route #${i}`;
  const f = new Fields(input, asObject(input, raw, where), where);
  const rawDst = f.str('dst');
  const dst = normalizePrefix(rawDst, family);
  if (dst === null) throw new ParseError(input, `${where}: expected "dst" to be an IPv${family} prefix or "default", got "${rawDst.slice(0, 60)}"`);
  const type = f.optStr('type') ?? 'unicast';
  const table = f.optStrOrNum('table') ?? 'main';
  const { gateway, viaFamily } = gatewayOf(input, f, where);
  const dev = f.optStr('dev');
  const src = f.optStr('prefsrc');
  const metric = f.optNum('metric');
  const protocol = f.optStrOrNum('protocol');
  const scope = f.optStrOrNum('scope');
  const from = f.optStr('from');
  const tos = f.optStrOrNum('tos');
  const pref = f.optStr('pref');
  const nhid = f.optNum('nhid');
  const flags = f.strArray('flags');
  const hops = f.array('nexthops').map((n, j) => parseNexthop(input, n, `${where} nexthop #${j}`));

  // The order of `ip route` (iproute2 print_route).
  const t: string[] = [];
  if (type !== 'unicast') t.push(type);
  t.push(rawDst);
  if (from !== null) t.push('from', from);
  if (tos !== null) t.push('tos', tos);
  if (nhid !== null) t.push('nhid', String(nhid));
  t.push(...viaText(gateway, viaFamily));
  if (dev !== null) t.push('dev', dev);
  if (table !== 'main') t.push('table', table);
  if (protocol !== null) t.push('proto', protocol);
  if (scope !== null) t.push('scope', scope);
  if (src !== null) t.push('src', src);
  if (metric !== null) t.push('metric', String(metric));
  t.push(...flags.filter((x) => ARG_FLAGS.has(x)));
  if (pref !== null) t.push('pref', pref);
  t.push(...metricsText(f));
  for (const h of hops) {
    t.push('nexthop', ...viaText(h.gateway, h.viaFamily));
    if (h.dev !== null) t.push('dev', h.dev);
    if (h.weight !== null) t.push('weight', String(h.weight));
    t.push(...h.flags.filter((x) => ARG_FLAGS.has(x)));
  }

  const route: Route = {
    family,
    table,
    type,
    dst,
    gateway,
    dev,
    src,
    metric,
    protocol,
    scope,
    nexthops: hops.map(({ gateway: g, dev: d, weight }) => ({ gateway: g, dev: d, weight })),
    text: t.join(' '),
    flags,
  };
  if (from !== null) route.from = normalizePrefix(from, family) ?? from;
  if (tos !== null) route.tos = tos;
  if (pref !== null) route.pref = pref;
  if (nhid !== null) route.nhid = nhid;
  return route;
}

/** Parses `ip -<family> -j route show table all` (or any `ip -j route show` listing). */
export function parseRoutes(json: string, family: 4 | 6): Route[] {
  const input = `ip -${family} -j route`;
  return asArray(input, parseJson(input, json), 'the output').map((r, i) => parseRoute(input, r, i, family));
}
