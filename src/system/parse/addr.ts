/** Address helpers for the parsers: validation and prefix normalization (no DNS, no I/O). */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** 4 or 6 for an IP literal, null for anything else. */
export function ipFamily(s: string): 4 | 6 | null {
  const f = isIP(s);
  return f === 4 ? 4 : f === 6 ? 6 : null;
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
