/**
 * A concurrency limit for full diagnoses: at most `limit` run at once, the rest wait in FIFO
 * order. Small on purpose — the engine split (issue 12) brings a shared limiter; this one is the
 * monitor's until then and keeps the same shape (`run(fn)`).
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private limit: number) {}

  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.pump();
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
