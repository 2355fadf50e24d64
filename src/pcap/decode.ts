/**
 * Packet decoders, link layer to transport, into ONE reused `Decoded` object (no allocation per
 * packet): Ethernet (802.1Q / 802.1ad tags), Linux cooked SLL and SLL2, raw IP, loopback/null;
 * ARP; IPv4 (fragments), IPv6 (extension headers, fragment header); TCP (options on SYNs), UDP,
 * ICMP and ICMPv6 with the quoted packet inside errors. Addresses are numbers: IPv4 in `src3`/`dst3`,
 * IPv6 as four 32-bit words. Every read is bounds-checked against the captured length: a cut or
 * lying header leaves the fields it could not reach at their "absent" values, never throws.
 */

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, SLL: 113, IPV4: 228, IPV6: 229, SLL2: 276, RAW_BSD: 12, RAW_OPENBSD: 14 } as const;

export const SUPPORTED_LINKTYPES = new Set<number>([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

export const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL (loopback)',
  1: 'EN10MB (Ethernet)',
  12: 'RAW',
  14: 'RAW',
  101: 'RAW (IP)',
  108: 'LOOP',
  113: 'LINUX_SLL',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_RST = 4;
export const TCP_PSH = 8;
export const TCP_ACK = 16;

export class Decoded {
  /** Link: Ethernet MACs as 48-bit numbers (-1: none). */
  ethSrc = -1;
  ethDst = -1;
  ethType = 0;
  vlan = -1;
  /** ARP (ethType 0x0806): op, sender/target protocol address (IPv4 as number), sender MAC. */
  arpOp = 0;
  arpSpa = 0;
  arpTpa = 0;
  arpSha = -1;
  /** 0: no IP; 4 or 6. */
  ipVer = 0;
  ipOff = 0;
  ipHdrLen = 0;
  /** Length of the IP packet on the wire as its header says (IPv6: header + payload). */
  ipLen = 0;
  ttl = 0;
  ipId = 0;
  df = false;
  /** Fragment: offset in bytes and more-fragments flag; `fragment` true for every fragment. */
  fragment = false;
  fragOffset = 0;
  moreFrags = false;
  /** Upper-layer protocol (after IPv6 extension headers). */
  proto = -1;
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** Transport: offset of its header, ports (-1: none). */
  l4Off = 0;
  sport = -1;
  dport = -1;
  flags = 0;
  seq = 0;
  ack = 0;
  win = 0;
  /** TCP options seen on this segment (-1: absent). */
  mss = -1;
  wscale = -1;
  sackPermitted = false;
  /** Payload: offset, length on the wire (from IP lengths), and bytes actually captured. */
  payOff = 0;
  payLen = 0;
  payCap = 0;
  /** ICMP/ICMPv6 type/code (-1: none), frag-needed / packet-too-big MTU. */
  icmpType = -1;
  icmpCode = -1;
  icmpId = -1;
  icmpSeq = -1;
  icmpMtu = 0;
  /** The packet an ICMP error quotes (qVer 0: none). */
  qVer = 0;
  qProto = -1;
  qSrc0 = 0;
  qSrc1 = 0;
  qSrc2 = 0;
  qSrc3 = 0;
  qDst0 = 0;
  qDst1 = 0;
  qDst2 = 0;
  qDst3 = 0;
  qSport = -1;
  qDport = -1;
  qSeq = 0;
  /** Why decoding stopped early (0: decoded as far as the packet goes). */
  truncated = false;

  reset(): void {
    this.ethSrc = -1;
    this.ethDst = -1;
    this.ethType = 0;
    this.vlan = -1;
    this.arpOp = 0;
    this.ipVer = 0;
    this.proto = -1;
    this.fragment = false;
    this.fragOffset = 0;
    this.moreFrags = false;
    this.df = false;
    this.sport = -1;
    this.dport = -1;
    this.flags = 0;
    this.mss = -1;
    this.wscale = -1;
    this.sackPermitted = false;
    this.payLen = 0;
    this.payCap = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = -1;
    this.icmpSeq = -1;
    this.icmpMtu = 0;
    this.qVer = 0;
    this.qProto = -1;
    this.qSport = -1;
    this.qDport = -1;
    this.truncated = false;
    this.src0 = this.src1 = this.src2 = this.src3 = 0;
    this.dst0 = this.dst1 = this.dst2 = this.dst3 = 0;
  }
}

const mac = (b: Buffer, o: number): number => ((b[o]! << 8) | b[o + 1]!) * 4294967296 + u32(b, o + 2);
/** Big-endian reads without Buffer's bounds-check wrappers (callers check bounds). */
const u16 = (b: Buffer, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Buffer, o: number): number => ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

/** Decodes one packet of `linktype` at b[off, off+caplen) into d. Returns false for an unknown link type. */
export function decode(d: Decoded, linktype: number, b: Buffer, off: number, caplen: number): boolean {
  d.reset();
  const end = off + caplen;
  let o = off;
  let etype: number;
  switch (linktype) {
    case 1: {
      if (caplen < 14) return trunc(d);
      d.ethDst = mac(b, o);
      d.ethSrc = mac(b, o + 6);
      etype = u16(b, o + 12);
      o += 14;
      // 802.1Q / 802.1ad / QinQ tags.
      while ((etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) && o + 4 <= end) {
        if (d.vlan < 0) d.vlan = u16(b, o) & 0x0fff;
        etype = u16(b, o + 2);
        o += 4;
      }
      break;
    }
    case 113: {
      // Linux cooked v1: pkttype(2) hatype(2) halen(2) addr(8) protocol(2).
      if (caplen < 16) return trunc(d);
      const halen = u16(b, o + 4);
      if (halen === 6) d.ethSrc = mac(b, o + 6);
      etype = u16(b, o + 14);
      o += 16;
      break;
    }
    case 276: {
      // Linux cooked v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8).
      if (caplen < 20) return trunc(d);
      etype = u16(b, o);
      if (b[o + 11] === 6) d.ethSrc = mac(b, o + 12);
      o += 20;
      break;
    }
    case 0:
    case 108: {
      if (caplen < 4) return trunc(d);
      // NULL: AF in host byte order (of the capturing machine); LOOP: network order.
      let af = linktype === 108 ? u32(b, o) : b.readUInt32LE(o);
      if (linktype === 0 && af > 0xffff) af = u32(b, o);
      etype = af === 2 ? 0x0800 : af === 24 || af === 28 || af === 30 || af === 10 ? 0x86dd : 0;
      o += 4;
      break;
    }
    case 101:
    case 12:
    case 14: {
      if (caplen < 1) return trunc(d);
      const v = b[o]! >> 4;
      etype = v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0;
      break;
    }
    case 228:
      etype = 0x0800;
      break;
    case 229:
      etype = 0x86dd;
      break;
    default:
      return false;
  }
  d.ethType = etype;
  if (etype === 0x0800) ipv4(d, b, o, end);
  else if (etype === 0x86dd) ipv6(d, b, o, end);
  else if (etype === 0x0806) arp(d, b, o, end);
  return true;
}

function trunc(d: Decoded): boolean {
  d.truncated = true;
  return true;
}

function arp(d: Decoded, b: Buffer, o: number, end: number): void {
  // Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (end - o < 28) return void (d.truncated = true);
  if (u16(b, o + 2) !== 0x0800 || b[o + 4] !== 6 || b[o + 5] !== 4) return;
  d.arpOp = u16(b, o + 6);
  d.arpSha = mac(b, o + 8);
  d.arpSpa = u32(b, o + 14);
  d.arpTpa = u32(b, o + 24);
}

function ipv4(d: Decoded, b: Buffer, o: number, end: number): void {
  if (end - o < 20) return void (d.truncated = true);
  const vihl = b[o]!;
  if (vihl >> 4 !== 4) return;
  const ihl = (vihl & 15) * 4;
  if (ihl < 20) return;
  d.ipVer = 4;
  d.ipOff = o;
  d.ipHdrLen = ihl;
  const total = u16(b, o + 2);
  d.ipLen = total;
  d.ipId = u16(b, o + 4);
  const ff = u16(b, o + 6);
  d.df = (ff & 0x4000) !== 0;
  d.moreFrags = (ff & 0x2000) !== 0;
  d.fragOffset = (ff & 0x1fff) * 8;
  d.fragment = d.moreFrags || d.fragOffset > 0;
  d.ttl = b[o + 8]!;
  d.proto = b[o + 9]!;
  d.src3 = b[o + 12]! * 16777216 + ((b[o + 12 + 1]! << 16) | (b[o + 12 + 2]! << 8) | b[o + 12 + 3]!);
  d.dst3 = b[o + 16]! * 16777216 + ((b[o + 16 + 1]! << 16) | (b[o + 16 + 2]! << 8) | b[o + 16 + 3]!);
  if (end - o < ihl) return void (d.truncated = true);
  // Non-first fragments carry no transport header.
  if (d.fragOffset > 0) return;
  // The wire length: the header's total (TSO captures may say 0: then what was captured).
  const wireEnd = total >= ihl ? o + total : end;
  transport(d, b, o + ihl, Math.min(end, wireEnd), wireEnd, d.proto, false);
}

function ipv6(d: Decoded, b: Buffer, o: number, end: number): void {
  if (end - o < 40) return void (d.truncated = true);
  if (b[o]! >> 4 !== 6) return;
  d.ipVer = 6;
  d.ipOff = o;
  const plen = u16(b, o + 4);
  d.ipLen = 40 + plen;
  d.ttl = b[o + 7]!;
  d.src0 = u32(b, o + 8);
  d.src1 = u32(b, o + 12);
  d.src2 = u32(b, o + 16);
  d.src3 = u32(b, o + 20);
  d.dst0 = u32(b, o + 24);
  d.dst1 = u32(b, o + 28);
  d.dst2 = u32(b, o + 32);
  d.dst3 = u32(b, o + 36);
  const wireEnd = plen > 0 ? o + 40 + plen : end;
  let nh = b[o + 6]!;
  let p = o + 40;
  // Extension headers: hop-by-hop 0, routing 43, fragment 44, destination 60, AH 51, mobility 135.
  for (let i = 0; i < 16; i++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 51) {
      if (end - p < 8) return void ((d.proto = nh), (d.truncated = true));
      const next = b[p]!;
      const len = nh === 51 ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
      nh = next;
      p += len;
    } else if (nh === 44) {
      if (end - p < 8) return void ((d.proto = nh), (d.truncated = true));
      const next = b[p]!;
      const fo = u16(b, p + 2);
      d.fragOffset = fo & 0xfff8;
      d.moreFrags = (fo & 1) !== 0;
      d.fragment = true;
      d.ipId = u32(b, p + 4);
      nh = next;
      p += 8;
      if (d.fragOffset > 0) {
        d.proto = nh;
        return;
      }
    } else break;
  }
  d.proto = nh;
  d.ipHdrLen = p - o;
  if (p > end) return void (d.truncated = true);
  transport(d, b, p, Math.min(end, wireEnd), wireEnd, nh, false);
}

/** Transport header at b[o, end) (captured) of a segment that ends on the wire at wireEnd. */
function transport(d: Decoded, b: Buffer, o: number, end: number, wireEnd: number, proto: number, _quoted: boolean): void {
  d.l4Off = o;
  if (proto === 6) {
    if (end - o < 20) return void (d.truncated = true);
    d.sport = u16(b, o);
    d.dport = u16(b, o + 2);
    d.seq = b[o + 4]! * 16777216 + ((b[o + 4 + 1]! << 16) | (b[o + 4 + 2]! << 8) | b[o + 4 + 3]!);
    d.ack = b[o + 8]! * 16777216 + ((b[o + 8 + 1]! << 16) | (b[o + 8 + 2]! << 8) | b[o + 8 + 3]!);
    const doff = (b[o + 12]! >> 4) * 4;
    d.flags = b[o + 13]!;
    d.win = u16(b, o + 14);
    if (doff < 20) return void (d.truncated = true);
    const hEnd = o + doff;
    if ((d.flags & TCP_SYN) !== 0) tcpOptions(d, b, o + 20, Math.min(hEnd, end));
    d.payOff = hEnd;
    d.payLen = Math.max(0, wireEnd - hEnd);
    d.payCap = Math.max(0, Math.min(end, wireEnd) - hEnd);
  } else if (proto === 17) {
    if (end - o < 8) return void (d.truncated = true);
    d.sport = u16(b, o);
    d.dport = u16(b, o + 2);
    d.payOff = o + 8;
    d.payLen = Math.max(0, wireEnd - o - 8);
    d.payCap = Math.max(0, end - o - 8);
  } else if (proto === 1 || proto === 58) {
    if (end - o < 8) return void (d.truncated = true);
    const type = b[o]!;
    d.icmpType = type;
    d.icmpCode = b[o + 1]!;
    const isErr = proto === 1 ? type === 3 || type === 11 || type === 12 || type === 4 || type === 5 : type < 128;
    if (!isErr) {
      d.icmpId = u16(b, o + 4);
      d.icmpSeq = u16(b, o + 6);
      d.payOff = o + 8;
      d.payLen = Math.max(0, wireEnd - o - 8);
      d.payCap = Math.max(0, end - o - 8);
      return;
    }
    if (proto === 1 && type === 3 && d.icmpCode === 4) d.icmpMtu = u16(b, o + 6);
    if (proto === 58 && type === 2) d.icmpMtu = u32(b, o + 4);
    quoted(d, b, o + 8, end);
  }
}

/** The header an ICMP error quotes: addresses, protocol, ports and sequence of the offending packet. */
function quoted(d: Decoded, b: Buffer, o: number, end: number): void {
  if (end - o < 1) return;
  const v = b[o]! >> 4;
  let p: number;
  if (v === 4) {
    if (end - o < 20) return;
    const ihl = (b[o]! & 15) * 4;
    if (ihl < 20) return;
    d.qVer = 4;
    d.qProto = b[o + 9]!;
    d.qSrc3 = u32(b, o + 12);
    d.qDst3 = u32(b, o + 16);
    d.qSrc0 = d.qSrc1 = d.qSrc2 = d.qDst0 = d.qDst1 = d.qDst2 = 0;
    p = o + ihl;
  } else if (v === 6) {
    if (end - o < 40) return;
    d.qVer = 6;
    d.qSrc0 = u32(b, o + 8);
    d.qSrc1 = u32(b, o + 12);
    d.qSrc2 = u32(b, o + 16);
    d.qSrc3 = u32(b, o + 20);
    d.qDst0 = u32(b, o + 24);
    d.qDst1 = u32(b, o + 28);
    d.qDst2 = u32(b, o + 32);
    d.qDst3 = u32(b, o + 36);
    let nh = b[o + 6]!;
    p = o + 40;
    for (let i = 0; i < 8 && (nh === 0 || nh === 43 || nh === 60 || nh === 44) && end - p >= 8; i++) {
      const next = b[p]!;
      p += nh === 44 ? 8 : (b[p + 1]! + 1) * 8;
      nh = next;
    }
    d.qProto = nh;
  } else return;
  if ((d.qProto === 6 || d.qProto === 17) && end - p >= 4) {
    d.qSport = u16(b, p);
    d.qDport = u16(b, p + 2);
    if (d.qProto === 6 && end - p >= 8) d.qSeq = u32(b, p + 4);
  }
}

function tcpOptions(d: Decoded, b: Buffer, o: number, end: number): void {
  while (o < end) {
    const kind = b[o]!;
    if (kind === 0) return;
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 1 >= end) return;
    const len = b[o + 1]!;
    if (len < 2 || o + len > end) return;
    if (kind === 2 && len === 4) d.mss = u16(b, o + 2);
    else if (kind === 3 && len === 3) d.wscale = b[o + 2]!;
    else if (kind === 4) d.sackPermitted = true;
    o += len;
  }
}

/** Text of an IPv4 address held as a number. */
export function ip4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Text of an IPv6 address held as four words (RFC 5952 compression). */
export function ip6(a: number, b: number, c: number, e: number): string {
  const w = [a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff, e >>> 16, e & 0xffff];
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

export function ipText(ver: number, a: number, b: number, c: number, e: number): string {
  return ver === 6 ? ip6(a, b, c, e) : ip4(e);
}

export function macText(m: number): string {
  if (m < 0) return '';
  const hi = Math.floor(m / 4294967296);
  const lo = m >>> 0;
  const bytes = [hi >>> 8, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Parses an IP literal into [ver, w0, w1, w2, w3]; null when it is not one. */
export function parseIpWords(s: string): [number, number, number, number, number] | null {
  const m4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m4) {
    const p = m4.slice(1).map(Number);
    if (p.some((x) => x > 255)) return null;
    return [4, 0, 0, 0, ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0];
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const part of h.split(':')) {
      if (part.includes('.')) {
        const v4 = parseIpWords(part);
        if (!v4) return null;
        out.push(v4[4] >>> 16, v4[4] & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const a = parse(halves[0]!);
  const c = halves.length === 2 ? parse(halves[1]!) : [];
  if (!a || !c) return null;
  let w: number[];
  if (halves.length === 2) {
    if (a.length + c.length > 7) return null;
    w = [...a, ...new Array<number>(8 - a.length - c.length).fill(0), ...c];
  } else {
    if (a.length !== 8) return null;
    w = a;
  }
  const word = (i: number): number => ((w[i]! << 16) | w[i + 1]!) >>> 0;
  return [6, word(0), word(2), word(4), word(6)];
}
