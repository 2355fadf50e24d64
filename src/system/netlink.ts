/**
 * rtnetlink, the kernel's own interface to its routing tables, spoken in-process: the requests
 * are built and the answers decoded here (pure functions over bytes), and a `NetlinkFn` carries
 * them (the raw-socket addon's `netlink`, given by the caller: src/probes/route.ts). A route
 * lookup this way costs microseconds where `ip route get` costs a fork and an exec (~30 ms of a
 * diagnosis on a 2-vCPU machine). The answers are read into the same RouteGetResult that
 * `ip -j route get` gives, field by field as iproute2 6.1 prints them (proven against it in
 * route-get-netlink.netns.test.ts).
 *
 * Everything read from the kernel is checked against its own lengths: a malformed answer is a
 * ParseError naming what was wrong, never an out-of-bounds read.
 */
import ipaddr from 'ipaddr.js';
import { ParseError } from '../model/errors.js';
import { ipFamily } from '../model/prefix.js';
import { ipName } from './iproute-names.js';
import type { RouteGetResult } from '../model/snapshot.js';

/** Sends one request and returns the kernel's whole answer, or the errno name of the failed system call. */
export type NetlinkFn = (request: Buffer) => Buffer | string;

const INPUT = 'rtnetlink answer';

/** linux/netlink.h and linux/socket.h: the message types, request flags and address families both readers use. */
export const NL = { MSG_ERROR: 2, MSG_DONE: 3, F_REQUEST: 1, F_DUMP: 0x300, AF_UNSPEC: 0, AF_INET: 2, AF_INET6: 10 } as const;
const { MSG_ERROR: NLMSG_ERROR, MSG_DONE: NLMSG_DONE, AF_INET, AF_INET6 } = NL;

// linux/rtnetlink.h, linux/if_link.h
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const RTM_F_LOOKUP_TABLE = 0x1000;
const RTM_F_CLONED = 0x200;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_EXT_MASK = 29;
/** RTM_NEWLINK's nested link information, and the kind inside it ('wireguard', 'tun', 'vxlan' …). */
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
const RTEXT_FILTER_SKIP_STATS = 8;
const RTA = { DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15, MARK: 16, VIA: 18 } as const;
/** rtm_type → the route type as `ip` names it. */
export const ROUTE_TYPES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];
/** rtm_flags (and a nexthop's flags) as `ip` names them: the nexthop flags and RTM_F_NOTIFY. */
const FLAGS: Array<[number, string]> = [
  [1, 'dead'],
  [4, 'onlink'],
  [2, 'pervasive'],
  [8, 'offload'],
  [64, 'trap'],
  [0x100, 'notify'],
  [16, 'linkdown'],
  [32, 'unresolved'],
];
/** The route cache's flags (the high 16 bits of rtm_flags) in iproute2's order. */
const CACHE_FLAGS: Array<[number, string]> = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'mc'],
  [0x10000000, 'brd'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'tproxy'],
];

/** The C library's words for the errors a route lookup answers (what `ip` prints after "RTNETLINK answers:"). */
const ERRNO_TEXT: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EACCES: 'Permission denied',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EOPNOTSUPP: 'Operation not supported',
  ENOBUFS: 'No buffer space available',
};

/** An errno number's text, as strerror gives it for the errors above; else its name ("EXDEV"), else the number. */
export function errnoText(errno: number, names: Readonly<Record<string, number>>): string {
  const name = Object.keys(names).find((k) => names[k] === errno);
  return name ? (ERRNO_TEXT[name] ?? name) : `error ${errno}`;
}

// ── requests ─────────────────────────────────────────────────────────────

/** One attribute: length, type, payload, padded to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
};

/** A request: the 16-byte header (NLM_F_REQUEST and `flags`) and its body. */
export function message(type: number, seq: number, body: Buffer[], flags = 0): Buffer {
  const payload = Buffer.concat(body);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(NL.F_REQUEST | flags, 6);
  h.writeUInt32LE(seq >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** An IP literal's bytes (network order); null when it is not one (a zone is not part of the address). */
export function addressBytes(a: string): Buffer | null {
  const family = ipFamily(a);
  if (family === null || a.includes('%')) return null;
  try {
    return Buffer.from(ipaddr.parse(a).toByteArray());
  } catch {
    return null;
  }
}

export interface RouteGetQuery {
  dst: string;
  from?: string;
  /** fwmark as a number. */
  mark?: number;
  /** Input interface index (RTM_GETLINK by name first: linkIndexRequest). */
  iifIndex?: number;
}

/** RTM_GETROUTE for one destination, as `ip route get` asks it (IPv4 with RTM_F_LOOKUP_TABLE, so the answering table is named). */
export function routeGetRequest(q: RouteGetQuery, seq: number): Buffer {
  const dst = addressBytes(q.dst);
  if (!dst) throw new TypeError(`not an IP address: ${q.dst}`);
  const family = dst.length === 4 ? AF_INET : AF_INET6;
  const from = q.from !== undefined ? addressBytes(q.from) : null;
  if (q.from !== undefined && (!from || from.length !== dst.length)) throw new TypeError(`not an IPv${family === AF_INET ? 4 : 6} address: ${q.from}`);
  const rtm = Buffer.alloc(12);
  rtm.writeUInt8(family, 0);
  rtm.writeUInt8(dst.length * 8, 1);
  rtm.writeUInt8(from ? from.length * 8 : 0, 2);
  rtm.writeUInt32LE(family === AF_INET ? RTM_F_LOOKUP_TABLE : 0, 8);
  const attrs = [attr(RTA.DST, dst)];
  if (from) attrs.push(attr(RTA.SRC, from));
  if (q.iifIndex !== undefined) attrs.push(attr(RTA.IIF, u32(q.iifIndex)));
  if (q.mark !== undefined) attrs.push(attr(RTA.MARK, u32(q.mark)));
  return message(RTM_GETROUTE, seq, [rtm, ...attrs]);
}

/** IFLA_EXT_MASK asking RTM_GETLINK to leave the interface statistics out of its answer. */
export const skipStats = (): Buffer => attr(IFLA_EXT_MASK, u32(RTEXT_FILTER_SKIP_STATS));

/** RTM_GETLINK for one interface, by index or by name (no statistics in the answer). */
export function linkRequest(which: { index: number } | { name: string }, seq: number): Buffer {
  const ifi = Buffer.alloc(16);
  const attrs = [skipStats()];
  if ('index' in which) ifi.writeInt32LE(which.index, 4);
  else attrs.push(attr(IFLA_IFNAME, Buffer.from(`${which.name}\0`)));
  return message(RTM_GETLINK, seq, [ifi, ...attrs]);
}

// ── answers ──────────────────────────────────────────────────────────────

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  /** The message's payload (after the 16-byte header). */
  body: Buffer;
}

/** The messages of an answer, each checked against the buffer's length. */
export function decodeMessages(buf: Buffer): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) throw new ParseError(INPUT, `message at byte ${off} claims ${len} bytes, ${buf.length - off} left`);
    out.push({ type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), body: buf.subarray(off + 16, off + len) });
    off += (len + 3) & ~3;
  }
  if (off < buf.length) throw new ParseError(INPUT, `${buf.length - off} stray bytes after the last message`);
  return out;
}

/** A message's attributes after its fixed header (`skip` bytes), by type (the first of each type). */
export function decodeAttrs(body: Buffer, skip: number): Map<number, Buffer> {
  if (body.length < skip) throw new ParseError(INPUT, `message of ${body.length} bytes, shorter than its ${skip}-byte header`);
  const out = new Map<number, Buffer>();
  let off = skip;
  while (off + 4 <= body.length) {
    const len = body.readUInt16LE(off);
    const type = body.readUInt16LE(off + 2) & 0x3fff;
    if (len < 4 || off + len > body.length) throw new ParseError(INPUT, `attribute ${type} at byte ${off} claims ${len} bytes, ${body.length - off} left`);
    if (!out.has(type)) out.set(type, body.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** The errno of an NLMSG_ERROR (positive), 0 for an acknowledgement. */
function errorOf(m: NetlinkMessage): number {
  if (m.body.length < 4) throw new ParseError(INPUT, 'an error message without its error code');
  return -m.body.readInt32LE(0);
}

/** The one answer to a request: its message, or the kernel's errno. */
function single(buf: Buffer, want: number, what: string): { ok: true; m: NetlinkMessage } | { ok: false; errno: number } {
  const m = decodeMessages(buf).find((x) => x.type !== NLMSG_DONE);
  if (!m) throw new ParseError(INPUT, `no answer to ${what}`);
  if (m.type === NLMSG_ERROR) {
    const errno = errorOf(m);
    if (errno === 0) throw new ParseError(INPUT, `${what} was acknowledged without an answer`);
    return { ok: false, errno };
  }
  if (m.type !== want) throw new ParseError(INPUT, `${what}: expected message type ${want}, got ${m.type}`);
  return { ok: true, m };
}

/** The names of the flags set in rtm_flags or rtnh_flags, in iproute2's order. */
export const routeFlagNames = (flags: number): string[] => FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);

/** A 32-bit attribute's value (host order, as the kernel sends it), null when absent. */
export const attrU32 = (b: Buffer | undefined, what: string): number | null => {
  if (!b) return null;
  if (b.length < 4) throw new ParseError(INPUT, `${what}: expected 4 bytes, got ${b.length}`);
  return b.readUInt32LE(0);
};

/** A string attribute without its terminating NUL, null when absent. */
export const attrString = (b: Buffer | undefined): string | null => {
  if (!b) return null;
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
};

/** An address attribute as text (IPv4 dotted, IPv6 in RFC 5952 form, as iproute2 prints it). */
export function addressText(b: Buffer, what: string): string {
  if (b.length !== 4 && b.length !== 16) throw new ParseError(INPUT, `${what}: expected a 4- or 16-byte address, got ${b.length} bytes`);
  // inet_ntop's dotted tail for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
  const zeros = (n: number): boolean => b.subarray(0, n).every((x) => x === 0);
  if (b.length === 16 && zeros(10) && ((b[10] === 0xff && b[11] === 0xff) || (zeros(12) && (b[12] !== 0 || b[13] !== 0))))
    return `::${b[10] === 0xff ? 'ffff:' : ''}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return ipaddr.fromByteArray([...b]).toString();
}

/** A route lookup's answer before interface names are known: the route, or the kernel's errno. */
export type RawRouteGet = { ok: true; route: Omit<RouteGetResult, 'text'>; oif: number | null; iif: number | null; viaFamily: string | null } | { ok: false; errno: number };

/** RTM_NEWROUTE (or the kernel's error) → the fields of `ip -j route get`; dev and iif are left null (names come from linkName). */
export function decodeRouteGet(buf: Buffer): RawRouteGet {
  const s = single(buf, RTM_NEWROUTE, 'the route lookup');
  if (!s.ok) return s;
  const body = s.m.body;
  const a = decodeAttrs(body, 12);
  const familyByte = body.readUInt8(0);
  if (familyByte !== AF_INET && familyByte !== AF_INET6) throw new ParseError(INPUT, `route of address family ${familyByte}`);
  const family: 4 | 6 = familyByte === AF_INET ? 4 : 6;
  const rtmFlags = body.readUInt32LE(8);
  const dstB = a.get(RTA.DST);
  if (!dstB) throw new ParseError(INPUT, 'the route has no destination');
  const addr = (t: number, what: string): string | null => {
    const b = a.get(t);
    return b ? addressText(b, what) : null;
  };
  let gateway = addr(RTA.GATEWAY, 'gateway');
  let viaFamily: string | null = null;
  const via = a.get(RTA.VIA);
  if (gateway === null && via && via.length >= 2) {
    gateway = addressText(via.subarray(2), 'via');
    viaFamily = via.readUInt16LE(0) === AF_INET6 ? 'inet6' : 'inet';
  }
  const table = attrU32(a.get(RTA.TABLE), 'table') ?? body.readUInt8(4);
  const cloned = (rtmFlags & RTM_F_CLONED) !== 0;
  const protocol = body.readUInt8(5);
  const src = a.get(RTA.SRC);
  return {
    ok: true,
    oif: attrU32(a.get(RTA.OIF), 'oif'),
    iif: attrU32(a.get(RTA.IIF), 'iif'),
    viaFamily,
    route: {
      family,
      type: ROUTE_TYPES[body.readUInt8(7)] ?? String(body.readUInt8(7)),
      dst: addressText(dstB, 'destination'),
      from: src ? addressText(src, 'source') : null,
      gateway,
      dev: null,
      src: addr(RTA.PREFSRC, 'preferred source'),
      table: ipName('rt_tables', table),
      // iproute2 names the protocol of a route that is not a cache entry, unless it is 'boot'.
      protocol: !cloned && protocol !== 3 ? ipName('rt_protos', protocol) : null,
      metric: attrU32(a.get(RTA.PRIORITY), 'metric'),
      mark: attrU32(a.get(RTA.MARK), 'mark'),
      iif: null,
      flags: routeFlagNames(rtmFlags),
      cache: cloned ? CACHE_FLAGS.filter(([bit]) => ((rtmFlags >>> 0) & bit) >>> 0 !== 0).map(([, n]) => n) : [],
    },
  };
}

/** RTM_NEWLINK → the interface's index and name, or the kernel's errno (ENODEV: no such interface). */
export function decodeLink(buf: Buffer): { ok: true; index: number; name: string; kind: string | null; mtu: number | null } | { ok: false; errno: number } {
  const s = single(buf, RTM_NEWLINK, 'the interface lookup');
  if (!s.ok) return s;
  const a = decodeAttrs(s.m.body, 16);
  const name = attrString(a.get(IFLA_IFNAME));
  if (name === null) throw new ParseError(INPUT, 'the interface has no name');
  // IFLA_LINKINFO's IFLA_INFO_KIND: 'wireguard', 'tun', 'vxlan' … (none for a plain NIC).
  const info = a.get(IFLA_LINKINFO);
  const kind = info ? attrString(decodeAttrs(info, 0).get(IFLA_INFO_KIND)) : null;
  return { ok: true, index: s.m.body.readInt32LE(4), name, kind, mtu: attrU32(a.get(IFLA_MTU), 'the interface MTU') };
}
