/**
 * Flow spread: N TCP SYNs to the service port at once, each from its own source port. Routers
 * that balance per flow (ECMP hashed on the 5-tuple, link aggregation, a load balancer's
 * members) send each SYN its own way; when one way is broken, some source ports get a SYN-ACK
 * or RST and others nothing. One kernel connect sees only its own flow: this sees the spread.
 *
 * Raw sockets only (the client kernel answers each SYN-ACK with a RST, so no connection stays);
 * without them the result says what was skipped.
 */
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { loadNative, nativeUnavailable } from '../native/index.js';
import type { ProbeContext } from './types.js';

export interface SpreadQuery {
  address: string;
  port: number;
  /** Flows (source ports) to try; default 12 (all on one branch of a two-way balance: 1 in 2048). */
  flows?: number;
}

type Spread = ObservationData['tcp.spread'];
export const SPREAD_DEFAULT = 12;
/** After the first answer, how long the other SYNs still get (at least; 10 round trips if longer). */
const GRACE_MS = 250;

/** Distinct source ports from the ephemeral range, spread out so that hashes differ. */
export function spreadPorts(n: number, seed = Math.floor(Math.random() * 27_000)): number[] {
  return Array.from({ length: n }, (_, i) => 33_500 + ((seed + i * 3371) % 27_000));
}

export async function run(q: SpreadQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const n = Math.max(2, Math.min(32, q.flows ?? SPREAD_DEFAULT));
  const base: Spread = { address: q.address, port: q.port, method: 'unavailable', flows: [], answered: 0, lost: 0 };
  const nat = process.env['NETDX_NO_NATIVE'] === '1' ? null : loadNative();
  if (!nat) return [observation('tcp.spread', { ...base, reason: `raw sockets: ${nativeUnavailable() ?? 'disabled (NETDX_NO_NATIVE=1)'}` }, performance.now() - t0)];
  const src = nat.routeSource(q.address);
  if (!src) return [observation('tcp.spread', { ...base, method: 'raw', reason: `no route to ${q.address}` }, performance.now() - t0)];
  const timeoutMs = Math.max(50, ctx.budgetMs - 20);
  // Once one SYN is answered (or refused by an ICMP error), the others have had their chance after a
  // few of its round trips: a SYN sent raw is never retransmitted, so waiting longer shows nothing.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  setMaxListeners(0, signal);
  let deadline: NodeJS.Timeout | undefined;
  const answered = (rttMs: number | null): void => {
    if (deadline) return;
    deadline = setTimeout(() => stop.abort(), Math.max(GRACE_MS, 10 * (rttMs ?? 0)));
  };
  const flows = await Promise.all(
    spreadPorts(n).map(async (sport) => {
      const r = await nat.probe({ proto: 'tcp', dst: q.address, src, ttl: 64, timeoutMs, flow: sport, port: q.port, id: Math.floor(Math.random() * 2 ** 31), signal });
      if (r.outcome === 'reply' || r.outcome === 'icmp-error') answered(r.rttMs);
      const outcome: Spread['flows'][number]['outcome'] = r.outcome === 'reply' ? 'answered' : r.outcome === 'icmp-error' ? 'icmp' : r.outcome === 'timeout' ? 'lost' : 'error';
      return { sport, outcome, ms: r.rttMs, ...(r.icmp ? { icmp: r.icmp } : {}) };
    }),
  );
  clearTimeout(deadline);
  const data: Spread = { ...base, method: 'raw', flows, answered: flows.filter((f) => f.outcome === 'answered').length, lost: flows.filter((f) => f.outcome === 'lost').length };
  return [observation('tcp.spread', data, performance.now() - t0)];
}
