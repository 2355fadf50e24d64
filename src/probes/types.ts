/**
 * One signature for every probe: run(target, ctx) → Promise<Observation[]>.
 * A probe never throws for a network outcome (timeout, refused, reset are observations);
 * it throws only for a bug. It stops when ctx.signal aborts.
 */
import { setMaxListeners } from 'node:events';
import { debuglog } from 'node:util';
import type { Observation } from '../model/observation.js';

export interface ProbeContext {
  /** Aborts when the probe's budget is spent. */
  signal: AbortSignal;
  /** Budget for this probe in ms (also reflected by signal). */
  budgetMs: number;
  /** Debug log (util.debuglog('netdx')), never console. */
  log: (msg: string) => void;
}

const log = debuglog('netdx');
/**
 * The debug log: `NODE_DEBUG=netdx` prints it on stderr ("NETDX <pid>: +T ms …", T counted from
 * the process' start, so that a line places itself on the run's timeline); otherwise a no-op.
 */
export const debug = (msg: string): void => {
  if (log.enabled) log(`+${Math.round(performance.now())} ms ${msg}`);
};

export type Probe<T> = (target: T, ctx: ProbeContext) => Promise<Observation[]>;

/**
 * A probe's context: its signal aborts when `budgetMs` is spent or `parent` aborts.
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), parent])`: Node holds a timeout signal only
 * weakly, and a composite does not keep its sources alive, so a garbage collection before the
 * deadline loses the timeout and the probe runs on until the parent's deadline (nodejs/node#57736;
 * seen as a 1.5 s HTTP budget that lasted the whole 10 s diagnosis). Here the timer's closure
 * holds the controller strongly. The timer is unref'd like AbortSignal.timeout's: a deadline alone
 * does not keep the process alive.
 */
export function probeContext(budgetMs: number, parent?: AbortSignal, log: (m: string) => void = debug): ProbeContext {
  const ac = new AbortController();
  const signal = ac.signal;
  // Probes fan out (a PMTU search round, a trace's TTLs): each waiter listens on this signal and
  // removes itself when it finishes, so many listeners at once are expected, not a leak.
  setMaxListeners(0, signal);
  const timer = setTimeout(() => ac.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), Math.max(1, Math.round(budgetMs)));
  timer.unref();
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  if (parent) {
    if (parent.aborted) ac.abort(parent.reason);
    else {
      setMaxListeners(0, parent);
      // removed again when this context ends first, so the parent's listeners are only the live contexts'
      parent.addEventListener('abort', () => ac.abort(parent.reason), { once: true, signal });
    }
  }
  return { signal, budgetMs, log };
}
