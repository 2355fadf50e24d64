/**
 * One snapshot of this machine shared by every target's diagnosis, collected again only when
 * something changed: the kernel said so (`ip monitor` on links, addresses, routes, rules), a
 * file under /etc that the diagnosis reads was replaced, or it is older than `maxAgeMs`.
 * The cache itself is the engine's SnapshotProvider (src/diagnose/snapshot-cache.ts); this adds
 * only the change watchers that invalidate it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import type { Snapshot } from '../model/snapshot.js';
import { snapshotCache, type SnapshotProvider } from '../diagnose/snapshot-cache.js';

export interface SharedSnapshotOptions {
  collect: () => Promise<Snapshot>;
  maxAgeMs?: number;
  /** Watch the kernel and /etc for changes (off in unit tests). */
  watch?: boolean;
  now?: () => number;
}

export class SharedSnapshot {
  readonly provider: SnapshotProvider;
  private takenAt: number | null = null;
  private lastCollections = 0;
  private monitor: ChildProcess | null = null;
  private watcher: FSWatcher | null = null;
  changes = 0;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SharedSnapshotOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.provider = snapshotCache(opts.collect, { ttlMs: this.maxAgeMs, now: this.now });
    if (opts.watch) this.startWatching();
  }

  /** The snapshot to diagnose with: the shared one, or a fresh one when it is stale. */
  get(): Promise<Snapshot> {
    const p = this.provider.get();
    if (this.provider.collections !== this.lastCollections) {
      this.lastCollections = this.provider.collections;
      this.takenAt = this.now();
    }
    return p;
  }

  /** Times the snapshot was collected. */
  get refreshes(): number {
    return this.provider.collections;
  }

  /** Seconds since the shared snapshot was taken (null: none yet). */
  ageSeconds(): number | null {
    return this.takenAt === null ? null : (this.now() - this.takenAt) / 1000;
  }

  invalidate(): void {
    this.provider.invalidate();
    this.changes++;
  }

  private startWatching(): void {
    try {
      const child = spawn('ip', ['-o', 'monitor', 'link', 'address', 'route', 'rule'], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', () => undefined);
      child.stdout?.on('data', () => this.invalidate());
      child.unref();
      (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
      this.monitor = child;
    } catch {
      this.monitor = null;
    }
    try {
      this.watcher = watch('/etc', { persistent: false }, (_e, f) => {
        if (f === 'resolv.conf' || f === 'hosts' || f === 'nsswitch.conf') this.invalidate();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = null;
    }
  }

  close(): void {
    this.monitor?.kill();
    this.monitor = null;
    this.watcher?.close();
    this.watcher = null;
  }
}
