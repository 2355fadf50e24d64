/** NativeApi.icmpEcho: one ICMP echo with TTL, size and DF control. */
import type { RawAddon } from './addon.js';
import type { NativeEchoResult } from './api.js';
import { sendProbe } from './probe.js';
import { familyOf, nextId16, routeSource } from './sockets.js';

export interface EchoOptions {
  address: string;
  timeoutMs: number;
  ttl?: number;
  /** Total IP packet size in bytes (default 84 for IPv4, 104 for IPv6: ping's 56 data bytes). */
  size?: number;
  df?: boolean;
  ident?: number;
  seq?: number;
  /** Firewall mark (SO_MARK) of the echo, for the route and firewall rules that match on it. */
  mark?: number;
  signal?: AbortSignal;
}

export async function icmpEcho(addon: RawAddon, o: EchoOptions): Promise<NativeEchoResult> {
  const family = familyOf(o.address);
  let src: string | null;
  try {
    src = routeSource(addon, o.address, o.mark ?? 0);
  } catch (err) {
    return { outcome: 'error', from: null, rttMs: null, icmp: null, errno: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
  if (!src) return { outcome: 'error', from: null, rttMs: null, icmp: null, errno: 'ENETUNREACH' };
  const r = await sendProbe(addon, {
    proto: 'icmp',
    dst: o.address,
    src,
    ttl: o.ttl ?? 64,
    timeoutMs: o.timeoutMs,
    size: o.size ?? (family === 4 ? 84 : 104),
    ...(o.df !== undefined ? { df: o.df } : {}),
    flow: o.ident ?? nextId16(),
    id: o.seq ?? 1,
    ...(o.mark ? { mark: o.mark } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { outcome: r.outcome, from: r.from, rttMs: r.rttMs, icmp: r.icmp, errno: r.errno };
}
