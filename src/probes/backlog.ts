/**
 * Accept-backlog test: N connects to the service at once, held open until all have finished.
 * When the server's listen queue overflows, the kernel drops SYNs and those connects succeed only
 * after SYN retransmission — their times cluster at ~1 s and ~3 s (Linux RTO 1 s, doubling).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { ProbeContext } from './types.js';

export interface BacklogQuery {
  address: string;
  port: number;
  /** Connects at once (default 32). */
  parallel?: number;
}

type Backlog = ObservationData['tcp.backlog'];

/** Groups connect times (ms) by the SYN retransmission they needed. */
export function clusters(ms: readonly number[]): Backlog['clusters'] {
  const c = { first: 0, at1s: 0, at3s: 0, later: 0 };
  for (const m of ms) {
    if (m < 800) c.first++;
    else if (m < 2800) c.at1s++;
    else if (m < 6500) c.at3s++;
    else c.later++;
  }
  return c;
}

export async function run(q: BacklogQuery, ctx: ProbeContext): Promise<Observation[]> {
  const parallel = Math.max(2, Math.min(512, q.parallel ?? 32));
  const t0 = performance.now();
  const sockets: net.Socket[] = [];
  const times = await Promise.all(
    Array.from(
      { length: parallel },
      () =>
        new Promise<number | null>((resolve) => {
          const start = performance.now();
          const s = net.connect({ host: q.address, port: q.port });
          sockets.push(s);
          const done = (v: number | null): void => {
            ctx.signal.removeEventListener('abort', onAbort);
            resolve(v);
          };
          const onAbort = (): void => done(null);
          ctx.signal.addEventListener('abort', onAbort);
          s.once('connect', () => done(performance.now() - start));
          s.once('error', () => done(null));
          s.on('data', () => {}); // a banner must not pile up
        }),
    ),
  );
  for (const s of sockets) s.destroy();
  const ok = times.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const connectMs = ok.map((x) => Math.round(x * 10) / 10);
  const c = clusters(connectMs);
  const data: Backlog = { address: q.address, port: q.port, parallel, connected: ok.length, failed: parallel - ok.length, connectMs, retried: c.at1s + c.at3s + c.later, clusters: c };
  return [observation('tcp.backlog', data, performance.now() - t0)];
}
