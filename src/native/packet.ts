/**
 * Packet building and parsing for the probes: ICMP(v6) echo, UDP and TCP SYN headers with their
 * checksums, and incoming ICMP messages with the packet they quote. Pure functions over Buffers;
 * the parsers accept any bytes (they return null for what they cannot read, never throw).
 */
import { isIPv4, isIPv6 } from 'node:net';

// ── checksums (RFC 1071 ones'-complement arithmetic) ──────────────────

/** Ones'-complement sum of 16-bit big-endian words (an odd last byte is padded), folded to 16 bits. */
export function onesSum(buf: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = buf.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (buf.length & 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export const onesAdd = (a: number, b: number): number => {
  const s = a + b;
  return (s & 0xffff) + (s >>> 16);
};

/** The Internet checksum of a buffer (plus a pseudo-header sum). */
export function checksum(buf: Uint8Array, initial = 0): number {
  return ~onesSum(buf, initial) & 0xffff;
}

/** Bytes of an IPv4/IPv6 literal; throws for anything else (a bug: callers pass literals). */
export function addrBytes(addr: string): Buffer {
  if (isIPv4(addr)) return Buffer.from(addr.split('.').map(Number));
  if (!isIPv6(addr)) throw new Error(`not an IP literal: ${addr}`);
  let a = addr;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4tail) {
    const b = v4tail[1]!.split('.').map(Number);
    a = a.slice(0, -v4tail[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

export function bytesToAddr(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  // compress the longest run of zero groups (RFC 5952)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Sum of the TCP/UDP pseudo-header (RFC 768 / RFC 8200 §8.1). */
export function pseudoSum(src: string, dst: string, proto: number, length: number): number {
  const s = addrBytes(src);
  const d = addrBytes(dst);
  const tail = Buffer.alloc(s.length === 4 ? 4 : 8);
  if (s.length === 4) {
    tail[1] = proto;
    tail.writeUInt16BE(length, 2);
  } else {
    tail.writeUInt32BE(length, 0);
    tail[7] = proto;
  }
  return onesSum(Buffer.concat([s, d, tail]));
}

// ── builders ──────────────────────────────────────────────────────────

export interface EchoSpec {
  family: 4 | 6;
  ident: number;
  seq: number;
  /** Total ICMP message size (header + payload), at least 12. */
  size: number;
  /** Keep the checksum the same for every seq (Paris traceroute): a payload word compensates the seq. */
  constantChecksum?: boolean;
}

/**
 * An ICMP echo request (type 8) or ICMPv6 echo request (type 128). For IPv4 the checksum is filled
 * in; for IPv6 the kernel computes it (pseudo-header), and constantChecksum still holds because the
 * compensated words cancel out in any ones'-complement sum.
 */
export function buildEcho(spec: EchoSpec): Buffer {
  const size = Math.max(12, Math.min(65_000, Math.floor(spec.size)));
  const b = Buffer.alloc(size);
  b[0] = spec.family === 4 ? 8 : 128;
  b[1] = 0;
  b.writeUInt16BE(spec.ident & 0xffff, 4);
  b.writeUInt16BE(spec.seq & 0xffff, 6);
  // The payload: a recognisable pattern, then (Paris) the seq compensation word at bytes 8-9.
  for (let i = 10; i < size; i++) b[i] = 0x40 + (i % 32);
  b.writeUInt16BE(spec.constantChecksum ? ~spec.seq & 0xffff : 0x6e64, 8); // 'nd'
  if (spec.family === 4) b.writeUInt16BE(checksum(b), 2);
  return b;
}

export interface UdpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** Total UDP length (header + payload), at least 10. */
  size: number;
  /** The UDP checksum to produce (identifies the probe; the payload compensates): 1…0xfffe (see udpChecksumId). */
  checksum: number;
}

/** Maps any probe number to a UDP checksum value buildUdp can produce (0 means none, 0xffff is its alias). */
export const udpChecksumId = (n: number): number => (Math.abs(Math.floor(n)) % 0xfffe) + 1;

/** A UDP datagram (header + payload) whose checksum equals spec.checksum (Paris traceroute's probe id). */
export function buildUdp(spec: UdpSpec): Buffer {
  const size = Math.max(10, Math.min(65_000, Math.floor(spec.size)));
  const b = Buffer.alloc(size);
  b.writeUInt16BE(spec.sport, 0);
  b.writeUInt16BE(spec.dport, 2);
  b.writeUInt16BE(size, 4);
  for (let i = 10; i < size; i++) b[i] = 0x40 + (i % 32);
  b.writeUInt16BE(0, 8);
  const want = spec.checksum;
  if (!Number.isInteger(want) || want < 1 || want > 0xfffe) throw new Error(`UDP checksum id out of range: ${want}`);
  // final sum must be ~want; the word at 8-9 supplies the difference
  const s0 = onesSum(b, pseudoSum(spec.src, spec.dst, 17, size));
  const w = onesAdd(~want & 0xffff, ~s0 & 0xffff) & 0xffff;
  b.writeUInt16BE(w, 8);
  b.writeUInt16BE(checksum(b, pseudoSum(spec.src, spec.dst, 17, size)), 6);
  return b;
}

export interface SynSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  mss?: number;
}

/** A TCP SYN with an MSS option. */
export function buildSyn(spec: SynSpec): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16BE(spec.sport, 0);
  b.writeUInt16BE(spec.dport, 2);
  b.writeUInt32BE(spec.seq >>> 0, 4);
  b.writeUInt32BE(0, 8);
  b[12] = 6 << 4; // data offset: 6 words
  b[13] = 0x02; // SYN
  b.writeUInt16BE(64240, 14);
  b[20] = 2; // MSS option
  b[21] = 4;
  b.writeUInt16BE(spec.mss ?? 1460, 22);
  b.writeUInt16BE(checksum(b, pseudoSum(spec.src, spec.dst, 6, b.length)), 16);
  return b;
}

// ── parsers ───────────────────────────────────────────────────────────

/** The start of the packet an ICMP error quotes. */
export interface Quote {
  proto: number;
  src: string;
  dst: string;
  /** Transport header bytes as quoted (at least 8). */
  l4: Buffer;
  /** ICMP echo: ident/seq; UDP/TCP: ports; UDP: checksum; TCP: seq. */
  ident?: number;
  seq?: number;
  sport?: number;
  dport?: number;
  udpChecksum?: number;
  tcpSeq?: number;
}

export interface IcmpMessage {
  family: 4 | 6;
  from: string;
  /** TTL/hop limit the message arrived with (-1 unknown). */
  ttl: number;
  type: number;
  code: number;
  /** Echo reply ident/seq. */
  ident?: number;
  seq?: number;
  /** Next-hop MTU (frag-needed) / MTU (packet too big). */
  mtu?: number;
  quote?: Quote;
}

function parseQuote(family: 4 | 6, b: Buffer): Quote | null {
  let proto: number;
  let src: string;
  let dst: string;
  let off: number;
  if (family === 4) {
    if (b.length < 20 || b[0]! >> 4 !== 4) return null;
    off = (b[0]! & 0x0f) * 4;
    if (off < 20 || b.length < off + 8) return null;
    proto = b[9]!;
    src = bytesToAddr(b.subarray(12, 16));
    dst = bytesToAddr(b.subarray(16, 20));
  } else {
    if (b.length < 48 || b[0]! >> 4 !== 6) return null;
    proto = b[6]!;
    src = bytesToAddr(b.subarray(8, 24));
    dst = bytesToAddr(b.subarray(24, 40));
    off = 40;
  }
  const l4 = Buffer.from(b.subarray(off, off + Math.min(64, b.length - off)));
  const q: Quote = { proto, src, dst, l4 };
  if ((family === 4 && proto === 1 && l4[0] === 8) || (family === 6 && proto === 58 && l4[0] === 128)) {
    q.ident = l4.readUInt16BE(4);
    q.seq = l4.readUInt16BE(6);
  } else if (proto === 17) {
    q.sport = l4.readUInt16BE(0);
    q.dport = l4.readUInt16BE(2);
    q.udpChecksum = l4.readUInt16BE(6);
  } else if (proto === 6) {
    q.sport = l4.readUInt16BE(0);
    q.dport = l4.readUInt16BE(2);
    q.tcpSeq = l4.readUInt32BE(4);
  }
  return q;
}

const V4_ERRORS = new Set([3, 11, 12]);
const V6_ERRORS = new Set([1, 2, 3, 4]);

/**
 * An ICMP message as a raw socket receives it: IPv4 with its IP header; IPv6 without
 * (the sender and hop limit come from recvmsg). Null for anything that is not an echo
 * reply or an error quoting a packet.
 */
export function parseIcmp(family: 4 | 6, data: Buffer, from?: string, ttl = -1): IcmpMessage | null {
  let b = data;
  let src = from ?? '';
  let hops = ttl;
  if (family === 4) {
    if (b.length < 20 || b[0]! >> 4 !== 4) return null;
    const ihl = (b[0]! & 0x0f) * 4;
    if (ihl < 20 || b[9] !== 1 || b.length < ihl + 8) return null;
    src = bytesToAddr(b.subarray(12, 16));
    hops = b[8]!;
    b = b.subarray(ihl);
  } else if (b.length < 8 || !src) {
    return null;
  }
  const type = b[0]!;
  const code = b[1]!;
  const msg: IcmpMessage = { family, from: src, ttl: hops, type, code };
  if ((family === 4 && type === 0) || (family === 6 && type === 129)) {
    msg.ident = b.readUInt16BE(4);
    msg.seq = b.readUInt16BE(6);
    return msg;
  }
  if (!(family === 4 ? V4_ERRORS : V6_ERRORS).has(type)) return null;
  if (family === 4 && type === 3 && code === 4) msg.mtu = b.readUInt16BE(6);
  if (family === 6 && type === 2) msg.mtu = b.readUInt32BE(4);
  const q = parseQuote(family, b.subarray(8));
  if (!q) return null;
  msg.quote = q;
  return msg;
}

export interface TcpSegment {
  src: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
}

/** A TCP segment as a raw IPPROTO_TCP socket receives it (IPv4 with IP header; IPv6 without). */
export function parseTcp(family: 4 | 6, data: Buffer, from?: string): TcpSegment | null {
  let b = data;
  let src = from ?? '';
  if (family === 4) {
    if (b.length < 20 || b[0]! >> 4 !== 4) return null;
    const ihl = (b[0]! & 0x0f) * 4;
    if (ihl < 20 || b[9] !== 6 || b.length < ihl + 20) return null;
    src = bytesToAddr(b.subarray(12, 16));
    b = b.subarray(ihl);
  } else if (b.length < 20 || !src) {
    return null;
  }
  return { src, sport: b.readUInt16BE(0), dport: b.readUInt16BE(2), seq: b.readUInt32BE(4), ack: b.readUInt32BE(8), flags: b[13]! };
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, ACK: 0x10 } as const;

/** Human name of an ICMP(v6) type/code, as the observations use them. */
export function icmpName(family: 4 | 6, type: number, code: number): string {
  if (family === 4) {
    if (type === 11) return 'time-exceeded';
    if (type === 12) return 'parameter-problem';
    if (type === 3) {
      const names: Record<number, string> = {
        0: 'net-unreachable',
        1: 'host-unreachable',
        2: 'protocol-unreachable',
        3: 'port-unreachable',
        4: 'frag-needed',
        5: 'source-route-failed',
        6: 'net-unknown',
        7: 'host-unknown',
        9: 'net-prohibited',
        10: 'host-prohibited',
        11: 'net-unreachable-tos',
        12: 'host-unreachable-tos',
        13: 'admin-prohibited',
      };
      return names[code] ?? `unreachable-${code}`;
    }
    return `icmp-${type}-${code}`;
  }
  if (type === 3) return 'time-exceeded';
  if (type === 2) return 'packet-too-big';
  if (type === 4) return 'parameter-problem';
  if (type === 1) {
    const names: Record<number, string> = { 0: 'no-route', 1: 'admin-prohibited', 2: 'beyond-scope', 3: 'address-unreachable', 4: 'port-unreachable', 5: 'source-policy-failed', 6: 'reject-route' };
    return names[code] ?? `unreachable-${code}`;
  }
  return `icmp6-${type}-${code}`;
}
