/** Helpers for the monitor's end-to-end tests: an in-process daemon on a free loopback port. */
import { setTimeout as sleep } from 'node:timers/promises';
import { runDaemon, type DaemonOptions, type RunningDaemon } from './daemon.js';

export interface TestDaemon {
  base: string;
  d: RunningDaemon;
  log: string[];
  stop: () => Promise<void>;
}

export function startDaemon(config: string, data: string | null, extra: Partial<DaemonOptions> = {}): Promise<TestDaemon> {
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let stop!: (s: string) => void;
    const stopSignal = new Promise<string>((r) => (stop = r));
    const done = runDaemon({
      config,
      listen: '127.0.0.1:0',
      data,
      lang: 'en',
      log: (l) => log.push(l),
      stopSignal,
      ...extra,
      onListening: (addr, d) =>
        resolve({
          base: `http://${addr}`,
          d,
          log,
          stop: async () => {
            stop('test');
            await done;
          },
        }),
    });
    done.catch(reject);
  });
}

export async function get(base: string, path: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(base + path);
  return { status: r.status, body: await r.text(), ms: performance.now() - t0 };
}

export async function until<T>(what: string, fn: () => Promise<T | null> | T | null, ms = 15_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== null) return v;
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
