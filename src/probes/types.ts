/**
 * One signature for every probe: run(target, ctx) → Promise<Observation[]>.
 * A probe never throws for a network outcome (timeout, refused, reset are observations);
 * it throws only for a bug. It stops when ctx.signal aborts.
 */
import { setMaxListeners } from 'node:events';
import type { Observation } from '../model/observation.js';

export interface ProbeContext {
  /** Aborts when the probe's budget is spent. */
  signal: AbortSignal;
  /** Budget for this probe in ms (also reflected by signal). */
  budgetMs: number;
  /** Debug log (util.debuglog('netdx')), never console. */
  log: (msg: string) => void;
}

export type Probe<T> = (target: T, ctx: ProbeContext) => Promise<Observation[]>;

export function probeContext(budgetMs: number, parent?: AbortSignal, log: (m: string) => void = () => {}): ProbeContext {
  const signals = [AbortSignal.timeout(Math.max(1, Math.round(budgetMs)))];
  if (parent) signals.push(parent);
  const signal = AbortSignal.any(signals);
  // Probes fan out (a PMTU search round, a trace's TTLs): each waiter listens on this signal and
  // removes itself when it finishes, so many listeners at once are expected, not a leak.
  setMaxListeners(0, signal);
  return { signal, budgetMs, log };
}
