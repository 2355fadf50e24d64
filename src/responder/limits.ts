/**
 * Bounded bookkeeping of the responder: a token bucket per client address (the table itself is
 * bounded: the least recently seen address is forgotten first) and the echo counts per probe id.
 */

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: Map order is recency
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
      b.at = t;
    } else {
      b = { tokens: this.burst, at: t };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** How many echoes of each probe id arrived (ids are per client run; at most `maxIds` kept). */
export class EchoCounts {
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxIds = 4096) {}

  add(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.delete(key);
    if (this.counts.size >= this.maxIds) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(key, n);
    return n;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get size(): number {
    return this.counts.size;
  }
}
