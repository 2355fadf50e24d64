/**
 * One signature for every probe: run(target, ctx) → Promise<Observation[]>.
 * A probe never throws for a network outcome (timeout, refused, reset are observations);
 * it throws only for a bug. It stops when ctx.signal aborts.
 */
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
  return { signal: AbortSignal.any(signals), budgetMs, log };
}
