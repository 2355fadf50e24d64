/** Small helpers every probe shares: abort hooks and rounded milliseconds. */

/** Calls `fn` once when `signal` aborts (at once if it already has); returns the detach function. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    queueMicrotask(fn);
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** Milliseconds with one decimal, as observations carry them. */
export const round1 = (ms: number): number => Math.round(ms * 10) / 10;

/** The first line of an error message, capped (errors from the network stack can be long). */
export function firstLine(err: unknown, max = 300): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').slice(0, max);
}

/** The errno-style code of an error ('ECONNREFUSED', 'ERR_SSL_…'), or null. */
export function errCode(err: unknown): string | null {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : null;
}
