/** Test builders for trace.path observations (lab addresses): a healthy 5-hop path by default. */
import { observation, type Observation, type ObservationData, type TraceHop } from '../model/observation.js';

export const TRACE_TARGET = '203.0.113.10';
export const routerAddr = (ttl: number): string => `198.51.100.${4 * (ttl - 1) + 2}`;

/** One hop; `over` replaces fields. Lossless, 1 ms per hop, by default. */
export function hop(ttl: number, over: Partial<TraceHop> = {}): TraceHop {
  const target = over.target ?? false;
  const sent = over.sent ?? 10;
  const recv = over.recv ?? sent;
  const avg = over.rtt?.avg ?? ttl;
  return {
    ttl,
    addr: target ? TRACE_TARGET : routerAddr(ttl),
    addrs: [target ? TRACE_TARGET : routerAddr(ttl)],
    sent,
    recv,
    lossPct: Math.round(((sent - recv) / sent) * 1000) / 10,
    rtt: recv > 0 ? { min: avg * 0.9, avg, max: avg * 1.2, stddev: avg * 0.05 } : null,
    rateLimited: false,
    target,
    ...over,
  };
}

/** A path of `n` hops, the last one the target; `hops` overrides by ttl. */
export function path(n = 5, over: Record<number, Partial<TraceHop>> = {}): TraceHop[] {
  return Array.from({ length: n }, (_, i) => hop(i + 1, { target: i === n - 1, ...over[i + 1] }));
}

export function trace(hops: TraceHop[] = path(), over: Partial<ObservationData['trace.path']> = {}): Observation<'trace.path'> {
  const reached = hops.some((h) => h.target && h.recv > 0);
  return observation('trace.path', { target: TRACE_TARGET, proto: 'icmp', port: null, method: 'raw', skipped: [], count: 10, reached, paths: [{ flow: 'icmp ident 1', reached, hops }], ...over });
}
