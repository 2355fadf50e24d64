/**
 * One snapshot of this machine shared by every target's diagnosis, collected again only when
 * something changed: the kernel said so (`ip monitor` on links, addresses, routes, rules), a
 * file under /etc that the diagnosis reads was replaced, or it is older than `maxAgeMs`.
 * It wraps `EngineDeps.snapshot` and nothing else, so it can give way to the engine's own
 * snapshot provider (issue 12) without touching the loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import type { Snapshot } from '../system/types.js';

export interface SharedSnapshotOptions {
  collect: () => Promise<Snapshot>;
  maxAgeMs?: number;
  /** Watch the kernel and /etc for changes (off in unit tests). */
  watch?: boolean;
  now?: () => number;
}

export class SharedSnapshot {
  private current: { at: number; value: Promise<Snapshot> } | null = null;
  private stale = false;
  private monitor: ChildProcess | null = null;
  private watcher: FSWatcher | null = null;
  refreshes = 0;
  changes = 0;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SharedSnapshotOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    if (opts.watch) this.startWatching();
  }

  /** The snapshot to diagnose with: the shared one, or a fresh one when it is stale. */
  get(): Promise<Snapshot> {
    const n = this.now();
    if (!this.current || this.stale || n - this.current.at > this.maxAgeMs) {
      this.stale = false;
      this.refreshes++;
      const value = this.opts.collect();
      const entry = { at: n, value };
      this.current = entry;
      // A failed collection is not kept.
      value.catch(() => {
        if (this.current === entry) this.current = null;
      });
    }
    return this.current.value;
  }

  /** Seconds since the shared snapshot was taken (null: none yet). */
  ageSeconds(): number | null {
    return this.current ? (this.now() - this.current.at) / 1000 : null;
  }

  invalidate(): void {
    this.stale = true;
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
