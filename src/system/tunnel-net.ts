/** Prefix arithmetic for the tunnel layer (pure): normalize, cover, overlap. */
import ipaddr from 'ipaddr.js';
import { ipFamily, normalizePrefix, prefixCovers } from './parse/addr.js';

export { ipFamily, prefixCovers };

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
