/**
 * The snapshot's interfaces, addresses, routes, policy rules and neighbours read from the kernel
 * in-process (rtnetlink dumps through the addon's `netlink` call), as the JSON `ip -j` prints:
 * the same parsers (parse/links.ts, routes.ts, rules.ts, neigh.ts) then read either, so the
 * snapshot is the same whichever way it was read (proven field by field against iproute2 6.1 in
 * netlink-dump.netns.test.ts). Six fewer processes per snapshot, and no dependence on the
 * iproute2 version (`ip -j` needs 4.13 or later).
 *
 * Only what the parsers read is produced, in the conditions iproute2's printers use.
 */
import { ParseError } from '../model/errors.js';
import { addressText, attrString, attrU32, decodeAttrs, decodeMessages, IFLA_INFO_KIND, IFLA_LINKINFO, message, NL, ROUTE_TYPES, routeFlagNames, skipStats, type NetlinkFn } from './netlink.js';
import { ipName } from './iproute-names.js';

type Json = Record<string, unknown>;
type Attrs = Map<number, Buffer>;

const INPUT = 'rtnetlink dump';
const { MSG_ERROR: NLMSG_ERROR, MSG_DONE: NLMSG_DONE, F_DUMP, AF_UNSPEC, AF_INET, AF_INET6 } = NL;
const RTM = { NEWLINK: 16, GETLINK: 18, NEWADDR: 20, GETADDR: 22, NEWROUTE: 24, GETROUTE: 26, NEWNEIGH: 28, GETNEIGH: 30, NEWRULE: 32, GETRULE: 34 } as const;

/** One dump: every message of `want`, or the errno name when netlink could not be asked (then `ip` answers). */
function dump(nl: NetlinkFn, type: number, want: number, header: Buffer, seq: number, attrs: Buffer[] = []): Array<{ body: Buffer }> | string {
  const answer = nl(message(type, seq, [header, ...attrs], F_DUMP));
  if (typeof answer === 'string') return answer;
  const out: Array<{ body: Buffer }> = [];
  for (const m of decodeMessages(answer)) {
    if (m.type === NLMSG_DONE) break;
    if (m.type === NLMSG_ERROR) {
      if (m.body.length < 4) throw new ParseError(INPUT, 'an error message without its error code');
      const errno = -m.body.readInt32LE(0);
      if (errno !== 0) return `errno ${errno}`;
      continue;
    }
    if (m.type === want) out.push(m);
  }
  return out;
}

const familyHeader = (size: number, family: number): Buffer => {
  const b = Buffer.alloc(size);
  b.writeUInt8(family, 0);
  return b;
};

const u32 = (a: Attrs, t: number): number | null => attrU32(a.get(t), `attribute ${t}`);
const str = (a: Attrs, t: number): string | null => attrString(a.get(t));
const addr = (a: Attrs, t: number, what: string): string | null => {
  const b = a.get(t);
  return b ? addressText(b, what) : null;
};
const hex = (n: number): string => `0x${n.toString(16)}`;
const mac = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

// ── links and addresses (`ip -j -d addr`) ────────────────────────────────

const IFF: Array<[number, string]> = [
  [0x1, 'UP'],
  [0x2, 'BROADCAST'],
  [0x8, 'LOOPBACK'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'],
  [0x100, 'PROMISC'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x10000, 'LOWER_UP'],
];
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
/** ARPHRD types whose link-layer address iproute2 prints as an IP address. */
const IP_LLADDR = new Set([768, 776, 778, 769, 823]);

/** A link-layer address as `ip` prints it: an IP address for IP tunnels, else hex bytes. */
function lladdr(type: number, b: Buffer): string {
  return IP_LLADDR.has(type) && (b.length === 4 || b.length === 16) ? addressText(b, 'link address') : mac(b);
}

/** RTM_GETLINK dump: index → [name, the link as ip prints it (without addr_info)]. */
function links(nl: NetlinkFn, seq: number): Map<number, Json> | string {
  const msgs = dump(nl, RTM.GETLINK, RTM.NEWLINK, familyHeader(16, AF_UNSPEC), seq, [skipStats()]);
  if (typeof msgs === 'string') return msgs;
  const out = new Map<number, Json>();
  for (const { body } of msgs) {
    const a = decodeAttrs(body, 16);
    const type = body.readUInt16LE(2);
    const index = body.readInt32LE(4);
    const flags = body.readUInt32LE(8);
    const names = IFF.filter(([bit]) => flags & bit).map(([, n]) => n);
    if (flags & 0x1 && !(flags & 0x10000)) names.unshift('NO-CARRIER');
    const link: Json = { ifindex: index, ifname: str(a, 3) ?? `if${index}`, flags: names };
    const mtu = u32(a, 4);
    if (mtu !== null) link['mtu'] = mtu;
    const master = u32(a, 10);
    if (master !== null) link['masterIndex'] = master;
    const op = a.get(16);
    if (op && op.length >= 1) link['operstate'] = OPERSTATES[op[0]!] ?? 'UNKNOWN';
    if (type === 772) link['link_type'] = 'loopback';
    const ll = a.get(1);
    if (ll && ll.length > 0) link['address'] = lladdr(type, ll);
    const info = a.get(IFLA_LINKINFO);
    if (info) {
      const kind = str(decodeAttrs(info, 0), IFLA_INFO_KIND);
      if (kind !== null) link['linkinfo'] = { info_kind: kind };
    }
    out.set(index, link);
  }
  for (const l of out.values()) {
    const m = l['masterIndex'];
    delete l['masterIndex'];
    if (typeof m === 'number') l['master'] = (out.get(m)?.['ifname'] as string | undefined) ?? `if${m}`;
  }
  return out;
}

/** RTM_GETADDR dump, each address appended to its link's addr_info as `ip -j addr` prints it. */
function addresses(nl: NetlinkFn, seq: number, byIndex: Map<number, Json>): string | null {
  const msgs = dump(nl, RTM.GETADDR, RTM.NEWADDR, familyHeader(8, AF_UNSPEC), seq);
  if (typeof msgs === 'string') return msgs;
  for (const { body } of msgs) {
    const a = decodeAttrs(body, 8);
    const family = body.readUInt8(0);
    if (family !== AF_INET && family !== AF_INET6) continue;
    const link = byIndex.get(body.readUInt32LE(4));
    if (!link) continue;
    const flags = u32(a, 8) ?? body.readUInt8(2);
    const local = addr(a, 2, 'local address');
    const address = addr(a, 1, 'address');
    const entry: Json = { family: family === AF_INET ? 'inet' : 'inet6' };
    if (local !== null) {
      entry['local'] = local;
      if (address !== null && address !== local) entry['address'] = address;
    } else if (address !== null) entry['local'] = address;
    entry['prefixlen'] = body.readUInt8(1);
    entry['scope'] = ipName('rt_scopes', body.readUInt8(3));
    if (!(flags & 0x80)) entry['dynamic'] = true;
    ((link['addr_info'] ??= []) as Json[]).push(entry);
  }
  return null;
}

/** The links with their addresses, as `ip -j -d addr` prints them. */
export function linksJson(nl: NetlinkFn): Json[] | string {
  const byIndex = links(nl, 1);
  if (typeof byIndex === 'string') return byIndex;
  const failed = addresses(nl, 2, byIndex);
  if (failed !== null) return failed;
  return [...byIndex.values()].map((l) => ({ ...l, addr_info: l['addr_info'] ?? [] }));
}

/** Interface index → name, for the routes and neighbours. */
export function linkNames(linksList: readonly Json[]): (index: number | null) => string | null {
  const names = new Map(linksList.map((l) => [l['ifindex'] as number, l['ifname'] as string]));
  return (index) => (index === null ? null : (names.get(index) ?? `if${index}`));
}

// ── routes (`ip -j -4|-6 route show table all`) ──────────────────────────

const RTAX = { 2: 'mtu', 3: 'window', 8: 'advmss', 9: 'reordering', 10: 'hoplimit', 11: 'initcwnd', 14: 'initrwnd', 15: 'quickack', 17: 'fastopen_no_cookie' } as Record<number, string>;
const PREFS: Record<number, string> = { 0: 'medium', 1: 'high', 3: 'low' };

const prefixText = (a: string, len: number, family: 4 | 6): string => (len === (family === 4 ? 32 : 128) ? a : `${a}/${len}`);

/** A gateway: RTA_GATEWAY, or RTA_VIA (a gateway of the other family). */
function gatewayJson(a: Attrs, o: Json): void {
  const gw = addr(a, 5, 'gateway');
  if (gw !== null) o['gateway'] = gw;
  const via = a.get(18);
  if (gw === null && via && via.length >= 2) o['via'] = { family: via.readUInt16LE(0) === AF_INET6 ? 'inet6' : 'inet', host: addressText(via.subarray(2), 'via') };
}

/** RTA_MULTIPATH: each rtnexthop {len, flags, hops, ifindex} and its own attributes. */
function nexthops(b: Buffer, name: (i: number | null) => string | null): Json[] {
  const out: Json[] = [];
  let off = 0;
  while (off + 8 <= b.length) {
    const len = b.readUInt16LE(off);
    if (len < 8 || off + len > b.length) throw new ParseError(INPUT, `nexthop at byte ${off} claims ${len} bytes`);
    const hop: Json = {};
    gatewayJson(decodeAttrs(b.subarray(off, off + len), 8), hop);
    const dev = name(b.readInt32LE(off + 4));
    if (dev !== null) hop['dev'] = dev;
    hop['weight'] = b.readUInt8(off + 3) + 1;
    hop['flags'] = routeFlagNames(b.readUInt8(off + 2));
    out.push(hop);
    off += (len + 3) & ~3;
  }
  return out;
}

function routeJson(body: Buffer, family: 4 | 6, name: (i: number | null) => string | null): Json | null {
  const a = decodeAttrs(body, 12);
  const rtmFlags = body.readUInt32LE(8);
  if (rtmFlags & 0x200) return null; // RTM_F_CLONED: a cache entry, not listed by `ip route show`
  const [dstLen, srcLen, tos, , protocol, scope, type] = [body.readUInt8(1), body.readUInt8(2), body.readUInt8(3), 0, body.readUInt8(5), body.readUInt8(6), body.readUInt8(7)];
  const o: Json = {};
  if (type !== 1) o['type'] = ROUTE_TYPES[type] ?? String(type);
  const dst = addr(a, 1, 'destination');
  o['dst'] = dstLen === 0 ? 'default' : prefixText(dst ?? (family === 4 ? '0.0.0.0' : '::'), dstLen, family);
  const src = addr(a, 2, 'source');
  if (src !== null && srcLen > 0) o['from'] = prefixText(src, srcLen, family);
  if (tos) o['tos'] = ipName('rt_dsfield', tos, hex);
  const nhid = u32(a, 30);
  if (nhid !== null) o['nhid'] = nhid;
  gatewayJson(a, o);
  const dev = name(u32(a, 4));
  if (dev !== null) o['dev'] = dev;
  const table = u32(a, 15) ?? body.readUInt8(4);
  if (table !== 254) o['table'] = ipName('rt_tables', table);
  if (protocol !== 3) o['protocol'] = ipName('rt_protos', protocol);
  if (scope !== 0) o['scope'] = ipName('rt_scopes', scope);
  const prefsrc = addr(a, 7, 'preferred source');
  if (prefsrc !== null) o['prefsrc'] = prefsrc;
  const metric = u32(a, 6);
  if (metric !== null) o['metric'] = metric;
  o['flags'] = routeFlagNames(rtmFlags);
  const pref = a.get(20);
  if (pref && pref.length >= 1) o['pref'] = PREFS[pref[0]!] ?? String(pref[0]);
  const mx = a.get(8);
  if (mx) {
    const m: Json = {};
    for (const [t, v] of decodeAttrs(mx, 0)) if (RTAX[t] && v.length >= 4) m[RTAX[t]!] = v.readUInt32LE(0);
    if (Object.keys(m).length > 0) o['metrics'] = [m];
  }
  const mp = a.get(9);
  if (mp) o['nexthops'] = nexthops(mp, name);
  return o;
}

/** Every route of one family in every table, as `ip -j -<family> route show table all` prints them. */
export function routesJson(nl: NetlinkFn, family: 4 | 6, name: (i: number | null) => string | null): Json[] | string {
  const msgs = dump(nl, RTM.GETROUTE, RTM.NEWROUTE, familyHeader(12, family === 4 ? AF_INET : AF_INET6), 3);
  if (typeof msgs === 'string') return msgs;
  return msgs.map(({ body }) => routeJson(body, family, name)).filter((r): r is Json => r !== null);
}

// ── policy rules (`ip -j -4|-6 rule`) ────────────────────────────────────

const FR_ACTIONS: Record<number, string> = { 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };

function portRangeJson(a: Attrs, t: number, key: string, o: Json): void {
  const b = a.get(t);
  if (!b || b.length < 4) return;
  const [start, end] = [b.readUInt16LE(0), b.readUInt16LE(2)];
  if (start === end) o[key] = start;
  else Object.assign(o, { [`${key}_start`]: start, [`${key}_end`]: end });
}

function ruleJson(body: Buffer, family: 4 | 6): Json {
  const a = decodeAttrs(body, 12);
  const [dstLen, srcLen, tos, action] = [body.readUInt8(1), body.readUInt8(2), body.readUInt8(3), body.readUInt8(7)];
  const flags = body.readUInt32LE(8);
  const o: Json = { priority: u32(a, 6) ?? 0 };
  if (flags & 0x2) o['not'] = null;
  const src = addr(a, 2, 'source');
  o['src'] = src ?? 'all';
  if (src !== null && srcLen !== (family === 4 ? 32 : 128)) o['srclen'] = srcLen;
  const dst = addr(a, 1, 'destination');
  if (dst !== null) {
    o['dst'] = dst;
    if (dstLen !== (family === 4 ? 32 : 128)) o['dstlen'] = dstLen;
  }
  if (tos) o['tos'] = ipName('rt_dsfield', tos, hex);
  const mark = u32(a, 10);
  const mask = u32(a, 16);
  if (mark !== null || mask !== null) {
    o['fwmark'] = hex(mark ?? 0);
    if (mask !== null && mask !== 0xffffffff) o['fwmask'] = hex(mask);
  }
  const iif = str(a, 3);
  if (iif !== null) o['iif'] = iif;
  const oif = str(a, 17);
  if (oif !== null) o['oif'] = oif;
  const l3mdev = a.get(19);
  if (l3mdev && l3mdev[0]) o['l3mdev'] = null;
  const uid = a.get(20);
  if (uid && uid.length >= 8) Object.assign(o, { uid_start: uid.readUInt32LE(0), uid_end: uid.readUInt32LE(4) });
  const proto = a.get(22);
  if (proto && proto.length >= 1) o['ipproto'] = ({ 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 132: 'sctp' } as Record<number, string>)[proto[0]!] ?? String(proto[0]);
  portRangeJson(a, 23, 'sport', o);
  portRangeJson(a, 24, 'dport', o);
  const tun = a.get(12);
  if (tun && tun.length >= 8) o['tun_id'] = tun.readBigUInt64BE(0).toString();
  const table = u32(a, 15) ?? body.readUInt8(4);
  if (table && !(l3mdev && l3mdev[0])) o['table'] = ipName('rt_tables', table);
  const suppress = u32(a, 14);
  if (suppress !== null && suppress !== 0xffffffff) o['suppress_prefixlen'] = suppress;
  if (action === 2) o['goto'] = u32(a, 4) ?? 0;
  else if (action === 3) o['nop'] = null;
  else if (FR_ACTIONS[action]) o['action'] = FR_ACTIONS[action];
  return o;
}

/** The policy rules of one family, as `ip -j -<family> rule` prints them. */
export function rulesJson(nl: NetlinkFn, family: 4 | 6): Json[] | string {
  const msgs = dump(nl, RTM.GETRULE, RTM.NEWRULE, familyHeader(12, family === 4 ? AF_INET : AF_INET6), 4);
  if (typeof msgs === 'string') return msgs;
  return msgs.map(({ body }) => ruleJson(body, family));
}

// ── neighbours (`ip -j neigh`) ────────────────────────────────────────────

const NUD: Array<[number, string]> = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];

/** IPv4 and IPv6 neighbours as `ip -j neigh` lists them (it leaves out NOARP and state-less entries). */
export function neighborsJson(nl: NetlinkFn, name: (i: number | null) => string | null): Json[] | string {
  const msgs = dump(nl, RTM.GETNEIGH, RTM.NEWNEIGH, familyHeader(12, AF_UNSPEC), 5);
  if (typeof msgs === 'string') return msgs;
  const out: Json[] = [];
  for (const { body } of msgs) {
    const a = decodeAttrs(body, 12);
    const family = body.readUInt8(0);
    if (family !== AF_INET && family !== AF_INET6) continue;
    const state = body.readUInt16LE(8);
    if (state === 0 || state & 0x40) continue;
    const dst = addr(a, 1, 'neighbour');
    if (dst === null) continue;
    const o: Json = { dst, dev: name(body.readInt32LE(4)) };
    const ll = a.get(2);
    if (ll) o['lladdr'] = mac(ll);
    if (body.readUInt8(10) & 0x80) o['router'] = null;
    o['state'] = NUD.filter(([bit]) => state & bit).map(([, n]) => n);
    out.push(o);
  }
  return out;
}
