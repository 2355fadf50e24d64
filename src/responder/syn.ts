/**
 * The SYN as the server received it (TCP_SAVED_SYN: its IP + TCP headers), parsed into what a
 * middlebox may have changed: source address and port (NAT), TTL / hop limit (hops travelled),
 * the TCP options (MSS clamping, window scale, SACK, timestamps). Pure, bounded, never throws.
 */

import type { SynView } from '../model/responder.js';
export type { SynView };

const OPT: Record<number, string> = { 0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sack-ok', 5: 'sack', 8: 'ts', 30: 'mptcp', 34: 'tfo' };

/** The usual initial TTLs; the sender's is the smallest one not below what arrived. */
export function hopsFromTtl(ttl: number): number {
  for (const init of [32, 64, 128, 255]) if (ttl <= init) return init - ttl;
  return 0;
}

function ipv6(b: Uint8Array, at: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[at + i]! << 8) | b[at + i + 1]!).toString(16));
  // Longest run of zero groups → '::' (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

/** Parses a saved SYN; null when the bytes are not an IPv4/IPv6 + TCP SYN header. */
export function parseSavedSyn(b: Uint8Array): SynView | null {
  if (b.length < 20) return null;
  const version = b[0]! >> 4;
  let family: 4 | 6;
  let tcp: number;
  let src: string;
  let dst: string;
  let ttl: number;
  if (version === 4) {
    const ihl = (b[0]! & 0x0f) * 4;
    if (ihl < 20 || b.length < ihl + 20 || b[9] !== 6) return null;
    family = 4;
    tcp = ihl;
    ttl = b[8]!;
    src = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    dst = `${b[16]}.${b[17]}.${b[18]}.${b[19]}`;
  } else if (version === 6) {
    if (b.length < 60) return null;
    // Extension headers are not followed: a SYN with them is reported as not parsable.
    if (b[6] !== 6) return null;
    family = 6;
    tcp = 40;
    ttl = b[7]!;
    src = ipv6(b, 8);
    dst = ipv6(b, 24);
  } else return null;
  const off = ((b[tcp + 12]! >> 4) & 0x0f) * 4;
  if (off < 20 || b.length < tcp + off) return null;
  const flags = b[tcp + 13]!;
  if ((flags & 0x02) === 0) return null; // not a SYN
  const view: SynView = {
    family,
    src,
    dst,
    srcPort: (b[tcp]! << 8) | b[tcp + 1]!,
    dstPort: (b[tcp + 2]! << 8) | b[tcp + 3]!,
    ttl,
    hops: hopsFromTtl(ttl),
    window: (b[tcp + 14]! << 8) | b[tcp + 15]!,
    mss: null,
    wscale: null,
    sackOk: false,
    timestamps: false,
    options: [],
  };
  for (let i = tcp + 20; i < tcp + off;) {
    const kind = b[i]!;
    view.options.push(OPT[kind] ?? `opt-${kind}`);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || len < 2 || i + len > tcp + off) break; // malformed: stop, keep what was read
    if (kind === 2 && len === 4) view.mss = (b[i + 2]! << 8) | b[i + 3]!;
    else if (kind === 3 && len === 3) view.wscale = b[i + 2]!;
    else if (kind === 4) view.sackOk = true;
    else if (kind === 8) view.timestamps = true;
    i += len;
  }
  return view;
}
