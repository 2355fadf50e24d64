/**
 * Fast IP address arithmetic for the analyzers: an address is its 32-bit words (one for IPv4,
 * four for IPv6), a prefix is words plus a length. No allocation beyond the word array, no
 * exceptions: a string that is not an address parses to null.
 */

export interface Addr {
  family: 4 | 6;
  /** Big-endian 32-bit words: length 1 (IPv4) or 4 (IPv6). */
  w: number[];
}

export interface Prefix {
  family: 4 | 6;
  w: number[];
  len: number;
}

/** Parses dotted-quad IPv4 to an unsigned 32-bit number; null when it is not one. */
export function parseV4(s: string): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return null;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return n * 256 + part;
}

/** Parses IPv6 text (with ::, an embedded IPv4 tail, a %zone ignored) to 4 words; null when not IPv6. */
export function parseV6(input: string): number[] | null {
  let s = input;
  const pct = s.indexOf('%');
  if (pct !== -1) s = s.slice(0, pct);
  if (s.length < 2 || s.length > 45) return null;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
    if (s.length === 2) return [0, 0, 0, 0];
  } else if (s.startsWith(':')) return null;
  while (i < s.length) {
    let j = i;
    let v = 0;
    while (j < s.length && j - i < 5) {
      const c = s.charCodeAt(j);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
      j++;
    }
    if (j < s.length && s.charCodeAt(j) === 46) {
      // IPv4 tail
      const v4 = parseV4(s.slice(i));
      if (v4 === null || groups.length > 6) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = s.length;
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(v);
    if (j === s.length) {
      i = j;
      break;
    }
    if (s.charCodeAt(j) !== 58) return null;
    if (s.charCodeAt(j + 1) === 58) {
      if (gap !== -1) return null;
      gap = groups.length;
      i = j + 2;
      if (i === s.length) break;
    } else {
      i = j + 1;
      if (i === s.length) return null;
    }
  }
  if (groups.length > 8 || (gap === -1 && groups.length !== 8) || (gap !== -1 && groups.length > 7)) return null;
  const full = gap === -1 ? groups : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
  return [full[0]! * 65536 + full[1]!, full[2]! * 65536 + full[3]!, full[4]! * 65536 + full[5]!, full[6]! * 65536 + full[7]!];
}

/** An IP literal (IPv4-mapped IPv6 stays IPv6); null when it is not one. */
export function parseAddr(s: string): Addr | null {
  const v4 = parseV4(s);
  if (v4 !== null) return { family: 4, w: [v4] };
  const v6 = parseV6(s);
  return v6 ? { family: 6, w: v6 } : null;
}

/** The 32-bit mask of `bits` leading ones (0…32). */
export function maskBits(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** A prefix 'a.b.c.d/len', 'x::/len', a bare address (host prefix) or 'default'; null when not one. */
export function parsePrefix(s: string, family?: 4 | 6): Prefix | null {
  if (s === 'default' || s === 'any' || s === 'all') return family ? { family, w: family === 4 ? [0] : [0, 0, 0, 0], len: 0 } : null;
  const slash = s.indexOf('/');
  const a = parseAddr(slash === -1 ? s : s.slice(0, slash));
  if (!a || (family && a.family !== family)) return null;
  const max = a.family === 4 ? 32 : 128;
  let len = max;
  if (slash !== -1) {
    const t = s.slice(slash + 1);
    if (/^\d{1,3}$/.test(t)) len = Number(t);
    else if (a.family === 4) {
      // dotted netmask (iptables prints a non-contiguous mask that way)
      const m = parseV4(t);
      if (m === null) return null;
      len = contiguousLen(m);
      if (len < 0) return null;
    } else return null;
    if (len > max) return null;
  }
  return { family: a.family, w: applyMask(a.w, len), len };
}

/** Length of a contiguous netmask, -1 when it is not contiguous. */
function contiguousLen(m: number): number {
  for (let l = 0; l <= 32; l++) if (maskBits(l) === m) return l;
  return -1;
}

/** The words with all bits after `len` cleared. */
export function applyMask(w: number[], len: number): number[] {
  return w.map((x, i) => (x & maskBits(len - 32 * i)) >>> 0);
}

/** Whether `p` covers `a` (same family, leading `p.len` bits equal). */
export function prefixHas(p: Prefix, a: Addr): boolean {
  if (p.family !== a.family) return false;
  for (let i = 0; i < p.w.length; i++) {
    const m = maskBits(p.len - 32 * i);
    if (m === 0) return true;
    if ((a.w[i]! & m) >>> 0 !== p.w[i]) return false;
  }
  return true;
}

/** Unsigned comparison of two addresses of one family: -1, 0, 1. */
export function compareAddr(a: Addr, b: Addr): number {
  for (let i = 0; i < a.w.length; i++) {
    const x = a.w[i]!;
    const y = b.w[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function formatV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Canonical text (RFC 5952 for IPv6). */
export function formatAddr(a: Addr): string {
  if (a.family === 4) return formatV4(a.w[0]!);
  const g: number[] = [];
  for (const x of a.w) g.push(Math.floor(x / 65536), x % 65536);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr({ family: p.family, w: p.w })}/${p.len}`;
}

/** IPv4 multicast 224/4 or IPv6 ff00::/8. */
export function isMulticast(a: Addr): boolean {
  return a.family === 4 ? a.w[0]! >>> 28 === 14 : a.w[0]! >>> 24 === 0xff;
}
