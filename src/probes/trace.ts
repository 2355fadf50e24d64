/**
 * Path trace, mtr-style: loss and RTT per hop with ICMP, UDP or TCP-SYN probes. Every round sends
 * all TTLs of the path at once (not hop by hop); rounds follow each other at `intervalMs`. The
 * probes of one flow keep one 5-tuple (Paris traceroute), so a per-flow load balancer does not
 * mix two paths into false hops; `paths > 1` varies the flow and reports each as its own path.
 *
 * Without raw sockets it runs the system traceroute/tracepath and says what it could not do.
 */
import { performance } from 'node:perf_hooks';
import { setMaxListeners } from 'node:events';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { loadNative, nativeUnavailable } from '../native/index.js';
import type { NativeRawApi, ProbeReply } from '../native/api.js';
import type { ProbeContext } from './types.js';
import { summarize, type ProbeRecord } from '../analyze/trace-stats.js';
import { parseTraceroute, parseTracepath, runTool } from './trace-fallback.js';

export interface TraceQuery {
  address: string;
  proto?: 'icmp' | 'udp' | 'tcp';
  /** TCP: the service port (default 80); UDP: the destination port (default 33434). */
  port?: number | null;
  /** Probes per hop and flow (default 10, like mtr -c 10). */
  count?: number;
  /** Flows to trace (default 1). */
  paths?: number;
  /**
   * Exact flows to trace instead of random ones: TCP/UDP source ports (or ICMP idents), e.g. the
   * source ports a flow spread found answered and lost, so each branch of a balanced path shows.
   */
  flows?: number[];
  maxHops?: number;
  /** Time between rounds (default 100 ms). */
  intervalMs?: number;
}

type Trace = ObservationData['trace.path'];

export const TRACE_DEFAULTS = { count: 10, paths: 1, maxHops: 30, intervalMs: 100 } as const;
/** TTLs sent in the first round; the window grows by this much per round until the target answers. */
const WINDOW_STEP = 10;

interface Flow {
  label: string;
  /** ICMP ident or UDP/TCP source port. */
  id: number;
  window: number;
  targetTtl: number | null;
  stopTtl: number | null;
  next: number;
  records: ProbeRecord[];
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

function newFlow(nat: NativeRawApi, proto: 'icmp' | 'udp' | 'tcp', index: number, window: number, given?: number): Flow {
  const id = given ?? (proto === 'icmp' ? nat.nextId() : 33_500 + ((nat.nextId() + index * 7919) % 27_000));
  return {
    label: proto === 'icmp' ? `icmp ident ${id}` : `${proto} sport ${id}`,
    id,
    window,
    targetTtl: null,
    stopTtl: null,
    next: proto === 'tcp' ? Math.floor(Math.random() * 2 ** 31) : 1,
    records: [],
  };
}

async function rawTrace(nat: NativeRawApi, q: Required<TraceQuery>, ctx: ProbeContext): Promise<Trace> {
  const base: Trace = { target: q.address, proto: q.proto, port: q.proto === 'icmp' ? null : q.port, method: 'raw', skipped: [], count: q.count, reached: false, paths: [] };
  const src = nat.routeSource(q.address);
  if (!src) return { ...base, reason: `no route to ${q.address}` };
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, ctx.signal]);
  setMaxListeners(0, signal); // one listener per probe in flight
  const flows =
    q.flows.length > 0
      ? q.flows.map((id, i) => newFlow(nat, q.proto, i, Math.min(q.maxHops, WINDOW_STEP), id))
      : Array.from({ length: q.paths }, (_, i) => newFlow(nat, q.proto, i, Math.min(q.maxHops, WINDOW_STEP)));
  const t0 = performance.now();
  let maxRtt = 0;
  const pending: Array<Promise<void>> = [];
  const perProbeTimeout = Math.max(300, Math.min(3000, ctx.budgetMs));

  const send = (f: Flow, ttl: number, round: number): void => {
    const id = f.next;
    f.next = q.proto === 'tcp' ? (f.next + 1000) >>> 0 : f.next + 1;
    const sentAt = performance.now() - t0;
    const p = nat.probe({ proto: q.proto, dst: q.address, src, ttl, timeoutMs: perProbeTimeout, flow: f.id, ...(q.port !== null ? { port: q.port } : {}), id, signal }).then((r: ProbeReply) => {
      f.records.push({ ttl, round, sentAt, outcome: r.outcome, from: r.from, rttMs: r.rttMs, icmp: r.icmp });
      if (r.rttMs !== null) maxRtt = Math.max(maxRtt, r.rttMs);
      const atTarget = r.outcome === 'reply' || r.from === q.address;
      if (atTarget && (f.targetTtl === null || ttl < f.targetTtl)) f.targetTtl = ttl;
      else if (r.outcome === 'icmp-error' && r.icmp && r.icmp.name !== 'time-exceeded' && (f.stopTtl === null || ttl < f.stopTtl)) f.stopTtl = ttl;
    });
    pending.push(p);
  };

  for (let round = 0; round < q.count && !signal.aborted; round++) {
    for (const f of flows) {
      const end = f.targetTtl ?? f.stopTtl ?? f.window;
      for (let ttl = 1; ttl <= end; ttl++) send(f, ttl, round);
      // Not there yet: look further next round.
      if (f.targetTtl === null && f.stopTtl === null) f.window = Math.min(q.maxHops, f.window + WINDOW_STEP);
    }
    if (round < q.count - 1) await sleep(q.intervalMs, signal);
  }
  // Wait for the last answers: a few RTTs of the slowest answer seen, at least 120 ms, then give up
  // (a rate-limited router's probes never come back; waiting longer only slows every trace).
  const grace = Math.min(perProbeTimeout, Math.max(120, 4 * maxRtt));
  const all = Promise.all(pending);
  await Promise.race([all, sleep(grace, signal)]);
  stop.abort();
  await all;
  const durationMs = performance.now() - t0;
  base.paths = flows.map((f) => {
    const s = summarize(f.records, { target: q.address, proto: q.proto, durationMs });
    return { flow: f.label, reached: s.reached, hops: s.hops };
  });
  base.reached = base.paths.some((p) => p.reached);
  return base;
}

async function fallbackTrace(q: Required<TraceQuery>, ctx: ProbeContext, why: string): Promise<Trace> {
  const skipped = [`raw probes: ${why}`];
  if (q.proto !== 'udp') skipped.push(`${q.proto.toUpperCase()} probes need raw sockets: traced with UDP instead`);
  skipped.push('parallel rounds and per-hop loss statistics (the system tool sends a few probes per hop)');
  if (q.paths > 1) skipped.push('--paths (flow variation needs raw sockets)');
  const base: Trace = { target: q.address, proto: 'udp', port: null, method: 'unavailable', skipped, count: q.count, reached: false, paths: [] };
  const waitS = Math.max(1, Math.min(3, Math.round(ctx.budgetMs / 4000)));
  const r = await runTool(q.address, { count: Math.min(q.count, 3), maxHops: q.maxHops, port: null, waitS }, ctx.signal);
  if (!r) return { ...base, reason: `${why}; neither traceroute nor tracepath is installed` };
  const records = r.tool === 'traceroute' ? parseTraceroute(r.text, q.address) : parseTracepath(r.text, q.address).records;
  const s = summarize(records, { target: q.address, proto: 'udp', durationMs: 0 });
  return { ...base, method: r.tool, count: r.tool === 'traceroute' ? Math.min(q.count, 3) : 1, reached: s.reached, paths: [{ flow: `${r.tool} (udp)`, reached: s.reached, hops: s.hops }] };
}

/** Fills defaults and bounds (the CLI validates user input before this). */
export function traceQuery(q: TraceQuery): Required<TraceQuery> {
  const proto = q.proto ?? (q.port ? 'tcp' : 'icmp');
  return {
    address: q.address,
    proto,
    port: q.port ?? (proto === 'tcp' ? 80 : 33434),
    count: Math.max(1, Math.min(100, q.count ?? TRACE_DEFAULTS.count)),
    paths: q.flows && q.flows.length > 0 ? Math.min(16, q.flows.length) : Math.max(1, Math.min(16, q.paths ?? TRACE_DEFAULTS.paths)),
    flows: (q.flows ?? []).filter((f) => Number.isInteger(f) && f > 0 && f < 65_536).slice(0, 16),
    maxHops: Math.max(1, Math.min(64, q.maxHops ?? TRACE_DEFAULTS.maxHops)),
    intervalMs: Math.max(10, Math.min(5000, q.intervalMs ?? TRACE_DEFAULTS.intervalMs)),
  };
}

/** The probe: run(query, ctx) → [trace.path] (plus check.unknown when it could not trace at all). */
export async function run(input: TraceQuery, ctx: ProbeContext): Promise<Observation[]> {
  const q = traceQuery(input);
  const t0 = performance.now();
  const nat = loadNative();
  // Fit the rounds into the budget: count × interval plus time for the last answers.
  const room = ctx.budgetMs - 300;
  if (nat && room > 0 && q.count * q.intervalMs > room) q.intervalMs = Math.max(10, Math.floor(room / q.count));
  const data = nat ? await rawTrace(nat, q, ctx) : await fallbackTrace(q, ctx, nativeUnavailable() ?? 'raw sockets unavailable');
  const ms = performance.now() - t0;
  const out: Observation[] = [observation('trace.path', data, ms)];
  if (data.method === 'unavailable') out.push(observation('check.unknown', { layer: 'network', check: 'path trace', reason: data.reason ?? 'no trace method' }, ms));
  return out;
}
