/**
 * One snapshot shared by many diagnoses in one process: collected once, collected again when it
 * is older than its TTL, when the caller's fingerprint of the machine's state changes (routes,
 * resolv.conf…), or when asked to. Concurrent callers share one collection in flight.
 */
import type { Snapshot } from '../model/snapshot.js';
import type { EngineDeps } from './deps.js';
import { debug } from '../probes/types.js';

export interface SnapshotCacheOptions {
  /** A cached snapshot older than this is collected again (ms; default 5000). */
  ttlMs?: number;
  /** A cheap token of the state the snapshot reads (e.g. the route tables' text); a new token means collect again. */
  fingerprint?: () => Promise<string>;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface SnapshotProvider {
  /** The current snapshot; `maxAgeMs` asks for a fresher one than the TTL would give. */
  get(opts?: { maxAgeMs?: number }): Promise<Snapshot>;
  /** Forget the cached snapshot: the next get() collects. */
  invalidate(): void;
  /** How many times the collector ran. */
  readonly collections: number;
}

export function snapshotCache(collect: () => Promise<Snapshot>, opts: SnapshotCacheOptions = {}): SnapshotProvider {
  const ttl = opts.ttlMs ?? 5000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; print: string | null; snap: Promise<Snapshot> } | null = null;
  let collections = 0;
  const fresh = async (print: string | null): Promise<Snapshot> => {
    collections++;
    debug(`snapshot cache: collecting (${cached ? 'stale, expired or changed' : 'none cached'})`);
    const entry = { at: now(), print, snap: collect() };
    cached = entry;
    // A failed collection is not cached: the next caller tries again.
    entry.snap.catch(() => {
      if (cached === entry) cached = null;
    });
    return entry.snap;
  };
  return {
    async get(o = {}) {
      const print = opts.fingerprint ? await opts.fingerprint().catch(() => null) : null;
      const maxAge = Math.min(ttl, o.maxAgeMs ?? ttl);
      if (cached && now() - cached.at <= maxAge && (print === null || cached.print === print)) return cached.snap;
      return fresh(print);
    },
    invalidate() {
      cached = null;
    },
    get collections() {
      return collections;
    },
  };
}

/** The same deps, with the snapshot taken from the provider instead of collected per diagnosis. */
export function withSnapshot(deps: EngineDeps, provider: SnapshotProvider, opts?: { maxAgeMs?: number }): EngineDeps {
  return { ...deps, snapshot: () => provider.get(opts) };
}
