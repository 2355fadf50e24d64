/**
 * Idle-timeout test (`--idle MAX`): several connections are opened at once and each is left idle
 * for a different time (geometric steps of 15 %, up to MAX); then one byte is sent on it and the
 * peer's acknowledgement is awaited (TCP_INFO). The holds run in parallel, so the search ends soon
 * after the first connection found dead: at most about 1.15 × the timeout plus one probe wait.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { loadNative, nativeUnavailable } from '../native/index.js';
import type { TcpConn } from '../native/api.js';
import type { ProbeContext } from './types.js';

export interface IdleQuery {
  address: string;
  port: number;
  /** Longest idle time to test, in seconds. */
  maxSec: number;
  /** Shortest hold (default 1 s). */
  minSec?: number;
}

type Idle = ObservationData['tcp.idle'];
type Outcome = Idle['holds'][number]['outcome'];

const RATIO = 1.15;
const MAX_CONNS = 64;

/** Hold times: minSec, ×1.15 … up to maxSec (maxSec itself last), at most 64, rounded to 0.1 s. */
export function holdTimes(minSec: number, maxSec: number): number[] {
  const out: number[] = [];
  for (let t = minSec; t < maxSec && out.length < MAX_CONNS - 1; t *= RATIO) out.push(Math.round(t * 10) / 10);
  out.push(maxSec);
  return [...new Set(out)];
}

async function sysctlSec(name: string): Promise<number | null> {
  try {
    const v = Number((await readFile(`/proc/sys/net/ipv4/${name}`, 'utf8')).trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** Touches an idle connection: did the peer close it, reset it, or acknowledge a new byte? */
async function touch(conn: TcpConn, waitMs: number, signal: AbortSignal): Promise<Outcome> {
  const r = conn.read();
  if (r === 'eof') return 'closed';
  if (typeof r === 'string') return 'reset';
  const before = conn.info().bytesAcked;
  const sent = conn.send(Buffer.from('\n'));
  if (typeof sent === 'string') return 'reset';
  const end = performance.now() + waitMs;
  while (performance.now() < end && !signal.aborted) {
    if (conn.info().bytesAcked > before) return 'alive';
    const e = conn.error();
    if (e !== '') return e === 'ECONNRESET' || e === 'EPIPE' ? 'reset' : 'silent';
    await sleep(10, signal);
  }
  return 'silent';
}

export async function run(q: IdleQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const keepalive = { timeSec: await sysctlSec('tcp_keepalive_time'), intvlSec: await sysctlSec('tcp_keepalive_intvl'), probes: await sysctlSec('tcp_keepalive_probes') };
  const base: Idle = { address: q.address, port: q.port, maxSec: q.maxSec, holds: [], aliveSec: null, deadSec: null, keepalive, ms: 0 };
  const nat = loadNative();
  if (!nat) {
    const reason = `idle-timeout test needs the raw-socket module (TCP_INFO): ${nativeUnavailable() ?? 'unavailable'}`;
    return [observation('tcp.idle', base, 0), observation('check.unknown', { layer: 'transport', check: 'idle timeout', reason })];
  }
  const holds = holdTimes(Math.min(q.minSec ?? 1, q.maxSec), q.maxSec);
  const opened = await Promise.all(holds.map(() => nat.tcpOpen({ address: q.address, port: q.port, timeoutMs: 3000, signal: ctx.signal })));
  const conns = opened.map((o) => o.conn);
  const rtt = Math.max(1, ...opened.map((o) => (o.tcpInfo?.rttUs ?? 1000) / 1000));
  const waitMs = Math.max(300, 10 * rtt);
  const outcome: Outcome[] = holds.map(() => 'not-tested');
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, ctx.signal]);
  const start = performance.now();
  await Promise.all(
    holds.map(async (h, i) => {
      const conn = conns[i];
      if (!conn) return;
      await sleep(h * 1000 - (performance.now() - start), signal);
      if (signal.aborted) return;
      outcome[i] = await touch(conn, waitMs, ctx.signal);
      // The first dead connection ends the search: longer holds would only die too.
      if (outcome[i] !== 'alive') stop.abort();
    }),
  );
  for (const c of conns) c?.close();
  base.holds = holds.map((idleSec, i) => ({ idleSec, outcome: opened[i]!.conn ? outcome[i]! : 'not-tested' }));
  const alive = base.holds.filter((x) => x.outcome === 'alive').map((x) => x.idleSec);
  const dead = base.holds.filter((x) => x.outcome !== 'alive' && x.outcome !== 'not-tested').map((x) => x.idleSec);
  base.deadSec = dead.length ? Math.min(...dead) : null;
  const below = alive.filter((a) => base.deadSec === null || a < base.deadSec);
  base.aliveSec = below.length ? Math.max(...below) : null;
  base.ms = Math.round(performance.now() - t0);
  const out: Observation[] = [observation('tcp.idle', base, base.ms)];
  if (opened.every((o) => !o.conn))
    out.push(observation('check.unknown', { layer: 'transport', check: 'idle timeout', reason: `no connection to ${q.address}:${q.port} (${opened[0]?.errno ?? opened[0]?.outcome})` }));
  return out;
}
