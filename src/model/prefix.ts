/** Address and prefix arithmetic (pure, no DNS, no I/O): validate, normalize, cover, overlap. Used by collectors, analyzers, rules and the engine. */
import ipaddr from 'ipaddr.js';

/**
 * 4 or 6 for an IP literal (as node's net.isIP judges it: dotted-quad IPv4 without leading zeros,
 * IPv6 with an optional zone), null for anything else. Not net.isIP itself: its first IPv6 call
 * compiles a regular expression that costs ~8 ms of a CLI run's start-up.
 */
export function ipFamily(s: string): 4 | 6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return 4;
  // The zone as node allows it (letters, digits, '-', '.', ':'); ipaddr.js is stricter there.
  const pct = s.indexOf('%');
  if (pct !== -1 && !/^[0-9a-zA-Z.:-]+$/.test(s.slice(pct + 1))) return null;
  const addr = pct === -1 ? s : s.slice(0, pct);
  if (!addr.includes(':') || !ipaddr.IPv6.isValid(addr)) return null;
  // An embedded IPv4 tail is held to the same strict form (ipaddr.js accepts '::ffff:01.2.3.4').
  const tail = addr.slice(addr.lastIndexOf(':') + 1);
  return tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail) ? null : 6;
}

/**
 * A prefix as `ip` prints it ('default', '10.0.0.0/8', '10.0.0.1', 'fe80::/64') normalized to
 * 'a.b.c.d/len' / 'x::/len'; null when it is not a prefix of the given family.
 */
export function normalizePrefix(s: string, family: 4 | 6): string | null {
  if (s === 'default' || s === 'any' || s === 'all') return family === 4 ? '0.0.0.0/0' : '::/0';
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  if (ipFamily(addr) !== family) return null;
  const max = family === 4 ? 32 : 128;
  if (slash === -1) return `${addr}/${max}`;
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const len = Number(lenText);
  return len <= max ? `${addr}/${len}` : null;
}

/** Whether `prefix` ('a.b.c.d/len', '::/0') covers `address`; false across families or on bad input. */
export function prefixCovers(prefix: string, address: string): boolean {
  try {
    const [net, len] = ipaddr.parseCIDR(prefix);
    const a = ipaddr.parse(address);
    return a.kind() === net.kind() && a.match(net, len);
  } catch {
    return false;
  }
}

/** 'a.b.c.d/len' with the host bits cleared ('100.96.0.2/24' → '100.96.0.0/24'); null when not a prefix. */
export function networkOf(text: string): string | null {
  const addr = text.split('/')[0] ?? '';
  const fam = ipFamily(addr);
  if (!fam) return null;
  const p = normalizePrefix(text, fam);
  if (!p) return null;
  try {
    const [net, len] = ipaddr.parseCIDR(p);
    const bytes = net.toByteArray();
    for (let i = 0; i < bytes.length; i++) {
      const keep = Math.max(0, Math.min(8, len - i * 8));
      bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
    }
    return `${ipaddr.fromByteArray(bytes).toString()}/${len}`;
  } catch {
    return null;
  }
}

export function prefixLength(prefix: string): number {
  const n = Number(prefix.split('/')[1]);
  return Number.isInteger(n) ? n : -1;
}

/** Link-local prefixes (fe80::/10, 169.254/16) say nothing about an overlay's networks. */
export const isLinkLocal = (p: string): boolean => prefixCovers('fe80::/10', p.split('/')[0] ?? '') || prefixCovers('169.254.0.0/16', p.split('/')[0] ?? '');

/**
 * A prefix that says which addresses a tunnel carries: not a default or a split default
 * (0.0.0.0/1, 2000::/3 …: a full tunnel carries everything only by its route), not link-local.
 */
export const isOverlayNetwork = (p: string): boolean => !isLinkLocal(p) && prefixLength(p) >= (p.includes(':') ? 16 : 8);

/** Whether two prefixes share any address (one contains the other). */
export function prefixesOverlap(a: string, b: string): boolean {
  const na = networkOf(a);
  const nb = networkOf(b);
  if (!na || !nb) return false;
  const [aa, la] = na.split('/') as [string, string];
  const [bb, lb] = nb.split('/') as [string, string];
  return Number(la) <= Number(lb) ? prefixCovers(na, bb) : prefixCovers(nb, aa);
}

/** The most specific of `prefixes` that covers `address`, or null. */
export function bestCover(prefixes: readonly string[], address: string): string | null {
  let best: string | null = null;
  for (const p of prefixes) if (prefixCovers(p, address) && (best === null || prefixLength(p) > prefixLength(best))) best = p;
  return best;
}

/** 'host:port', '[v6]:port' → parts; null when not that shape. */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:\s]+):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!, port };
}
