/**
 * Parsers of `ip -j` output (iproute2 JSON). Untrusted text in, typed data out, or a ParseError
 * naming the input and what was expected. Unknown extra fields are ignored; missing optional
 * fields become null.
 */
import ipaddr from 'ipaddr.js';
import { ParseError } from '../model/errors.js';
import type { Address, Link, Neighbor, Nexthop, PolicyRule, Route } from './types.js';

type J = Record<string, unknown>;

function parseJsonArray(text: string, input: string): J[] {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    throw new ParseError(input, `expected JSON from iproute2 (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(v)) throw new ParseError(input, 'expected a JSON array');
  return v.map((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ParseError(input, `entry ${i + 1} is not an object`);
    return e as J;
  });
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Normalizes a destination as ip prints it ('default', 'a.b.c.d', 'x/len') to a prefix. */
export function normalizePrefix(dst: string | null, family: 4 | 6): string {
  if (!dst || dst === 'default') return family === 4 ? '0.0.0.0/0' : '::/0';
  if (dst.includes('/')) {
    const [a, l] = dst.split('/') as [string, string];
    if (ipaddr.isValid(a)) return `${ipaddr.parse(a).toString()}/${l}`;
    return dst;
  }
  if (ipaddr.isValid(dst)) return `${ipaddr.parse(dst).toString()}/${family === 4 ? 32 : 128}`;
  return dst;
}

function familyOf(text: string | null, fallback: 4 | 6): 4 | 6 {
  if (!text) return fallback;
  const a = text.split('/')[0]!;
  if (ipaddr.IPv4.isValid(a) && !a.includes(':')) return 4;
  if (a.includes(':')) return 6;
  return fallback;
}

/** `ip -j -d link` and `ip -j addr` merged by interface index (addr output alone is enough). */
export function parseIpAddr(addrJson: string, linkJson?: string): Link[] {
  const addrs = parseJsonArray(addrJson, 'ip -j addr');
  const links = linkJson ? parseJsonArray(linkJson, 'ip -j -d link') : [];
  const byIndex = new Map<number, J>();
  for (const l of links) {
    const i = num(l.ifindex);
    if (i !== null) byIndex.set(i, l);
  }
  const out: Link[] = [];
  const seen = new Set<number>();
  for (const e of [...addrs, ...links]) {
    const index = num(e.ifindex);
    const name = str(e.ifname);
    if (index === null || name === null) throw new ParseError('ip -j addr', 'an interface entry has no ifindex/ifname');
    if (seen.has(index)) continue;
    seen.add(index);
    const det = byIndex.get(index) ?? e;
    const flags = strs(e.flags);
    const linkinfo = (det.linkinfo ?? e.linkinfo) as J | undefined;
    const loopback = flags.includes('LOOPBACK') || e.link_type === 'loopback';
    const addresses: Address[] = [];
    const ai = Array.isArray(e.addr_info) ? (e.addr_info as J[]) : [];
    for (const a of ai) {
      const local = str(a.local);
      const fam = a.family === 'inet6' ? 6 : a.family === 'inet' ? 4 : null;
      if (!local || fam === null) continue;
      addresses.push({ family: fam, address: local, prefixlen: num(a.prefixlen) ?? (fam === 4 ? 32 : 128), scope: str(a.scope) ?? 'global', ...(a.dynamic === true ? { dynamic: true } : {}) });
    }
    out.push({
      name,
      index,
      up: flags.includes('UP'),
      carrier: flags.length > 0 ? flags.includes('LOWER_UP') : null,
      operstate: str(e.operstate) ?? 'UNKNOWN',
      mtu: num(e.mtu),
      kind: loopback ? 'loopback' : (str(linkinfo?.info_kind) ?? (e.link_type === 'none' ? 'tun' : null)),
      loopback,
      mac: str(e.address),
      master: str(e.master),
      addresses,
    });
  }
  return out;
}

function nexthops(v: unknown): Nexthop[] {
  if (!Array.isArray(v)) return [];
  return (v as J[]).map((n) => ({ gateway: str(n.gateway), dev: str(n.dev), weight: num(n.weight) }));
}

/** Reconstructs the route as `ip route` prints it, usable in `ip route del …`. */
export function routeText(r: Omit<Route, 'text'>): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  const dflt = r.dst === '0.0.0.0/0' || r.dst === '::/0';
  parts.push(dflt ? 'default' : r.dst.replace(/\/(32|128)$/, (m, l: string) => ((r.family === 4 && l === '32') || (r.family === 6 && l === '128') ? '' : m)));
  if (r.gateway) parts.push('via', r.gateway);
  if (r.dev) parts.push('dev', r.dev);
  if (r.table !== 'main') parts.push('table', r.table);
  if (r.protocol && r.protocol !== 'boot' && r.protocol !== 'static') parts.push('proto', r.protocol);
  if (r.scope && r.scope !== 'global' && r.type === 'unicast') parts.push('scope', r.scope);
  if (r.src) parts.push('src', r.src);
  if (r.metric !== null) parts.push('metric', String(r.metric));
  for (const n of r.nexthops) {
    parts.push('nexthop');
    if (n.gateway) parts.push('via', n.gateway);
    if (n.dev) parts.push('dev', n.dev);
    if (n.weight !== null) parts.push('weight', String(n.weight));
  }
  return parts.join(' ');
}

/** `ip -j [-4|-6] route show table all`; `family` is the family asked for. */
export function parseIpRoute(json: string, family: 4 | 6): Route[] {
  return parseJsonArray(json, `ip -j -${family} route`).map((e) => {
    const dstRaw = str(e.dst);
    const fam = familyOf(dstRaw === 'default' ? null : dstRaw, family);
    const tableRaw = e.table;
    const r: Omit<Route, 'text'> = {
      family: fam,
      table: typeof tableRaw === 'number' ? String(tableRaw) : (str(tableRaw) ?? 'main'),
      type: str(e.type) ?? 'unicast',
      dst: normalizePrefix(dstRaw, fam),
      gateway: str(e.gateway),
      dev: str(e.dev),
      src: str(e.prefsrc),
      metric: num(e.metric),
      protocol: str(e.protocol),
      scope: str(e.scope),
      nexthops: nexthops(e.nexthops),
    };
    return { ...r, text: routeText(r) };
  });
}

/** `ip -j rule` (IPv4 or IPv6). */
export function parseIpRule(json: string, family: 4 | 6): PolicyRule[] {
  return parseJsonArray(json, `ip -j -${family} rule`).map((e) => {
    const prio = num(e.priority);
    if (prio === null) throw new ParseError(`ip -j -${family} rule`, 'a rule has no priority');
    const src = str(e.src);
    const dst = str(e.dst);
    const pfx = (a: string | null, len: unknown): string | null => (!a || a === 'all' ? null : num(len) !== null ? `${a}/${num(len)}` : normalizePrefix(a, family));
    const fwmark = str(e.fwmark) ?? (num(e.fwmark) !== null ? `0x${num(e.fwmark)!.toString(16)}` : null);
    const mask = str(e.fwmask);
    const table = e.table === undefined ? null : typeof e.table === 'number' ? String(e.table) : str(e.table);
    const action = str(e.action) ?? (table ? 'to_tbl' : 'nop');
    const r: Omit<PolicyRule, 'text'> = {
      family,
      priority: prio,
      src: pfx(src, e.srclen),
      dst: pfx(dst, e.dstlen),
      action,
      table,
      fwmark: fwmark ? (mask && mask !== '0xffffffff' ? `${fwmark}/${mask}` : fwmark) : null,
      iif: str(e.iif),
      oif: str(e.oif),
      not: e.not === true || e.not === null,
    };
    const t: string[] = [`${r.priority}:`];
    if (r.not) t.push('not');
    t.push('from', r.src ?? 'all');
    if (r.dst) t.push('to', r.dst);
    if (r.fwmark) t.push('fwmark', r.fwmark);
    if (r.iif) t.push('iif', r.iif);
    if (r.oif) t.push('oif', r.oif);
    t.push(r.action === 'to_tbl' ? `lookup ${r.table}` : r.action);
    return { ...r, text: t.join(' ') };
  });
}

/** `ip -j neigh` (`dev` fills the field ip omits when the listing was filtered by device). */
export function parseIpNeigh(json: string, filteredDev?: string): Neighbor[] {
  return parseJsonArray(json, 'ip -j neigh').flatMap((e) => {
    const address = str(e.dst);
    const dev = str(e.dev) ?? filteredDev ?? null;
    if (!address || !dev) return [];
    return [{ family: address.includes(':') ? (6 as const) : (4 as const), address, dev, lladdr: str(e.lladdr), state: strs(e.state), router: e.router === null || e.router === true }];
  });
}

export interface RouteGet {
  dst: string;
  type: string;
  gateway: string | null;
  dev: string | null;
  src: string | null;
  table: string | null;
}

/** `ip -j route get DST` (one entry). */
export function parseRouteGet(json: string): RouteGet {
  const arr = parseJsonArray(json, 'ip -j route get');
  const e = arr[0];
  if (!e) throw new ParseError('ip -j route get', 'expected one route');
  const dst = str(e.dst);
  if (!dst) throw new ParseError('ip -j route get', 'the route has no dst');
  return {
    dst,
    type: str(e.type) ?? 'unicast',
    gateway: str(e.gateway),
    dev: str(e.dev),
    src: str(e.prefsrc),
    table: e.table === undefined ? null : typeof e.table === 'number' ? String(e.table) : str(e.table),
  };
}
