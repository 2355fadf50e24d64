/**
 * The load generator: attempts (connect → TLS → HTTP first byte) launched at a fixed rate or
 * as fast as N connections allow, in steps of growing load, each bounded by its timeout; the
 * run itself is bounded by its duration and an attempt cap. Measures its own CPU so that it can
 * say when the numbers are limited by the generator rather than the target.
 */
import net from 'node:net';
import tls from 'node:tls';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Attempt } from './classify.js';
import { loadAddon, type NativeLoadResult } from '../native/addon.js';

export interface AttemptSpec {
  address: string;
  port: number;
  mode: 'tcp' | 'tls' | 'http' | 'https';
  host: string;
  path: string;
  sni: string | null;
  ca: Buffer | null;
  insecure: boolean;
  timeoutMs: number;
}

const MAX_BODY = 1 << 20;

const httpRequest = (spec: AttemptSpec): string => `GET ${spec.path} HTTP/1.1\r\nHost: ${spec.host}\r\nUser-Agent: netdx-load\r\nConnection: close\r\n\r\n`;

/** One attempt; never rejects. */
export function attempt(spec: AttemptSpec, step: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const r: Attempt = { step, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: 0, status: null, error: null };
    let phase: 'connect' | 'tls' | 'firstByte' = 'connect';
    let done = false;
    const sock = net.connect({ host: spec.address, port: spec.port, noDelay: true });
    let top: net.Socket = sock;
    const finish = (code: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      r.totalMs = performance.now() - t0;
      if (code !== null) r.error = { phase, code };
      sock.destroy();
      if (top !== sock) top.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish('timeout'), spec.timeoutMs);
    const onErr = (err: Error): void => finish((err as NodeJS.ErrnoException).code ?? 'error');
    sock.on('error', onErr);
    const request = (s: net.Socket): void => {
      phase = 'firstByte';
      const t1 = performance.now();
      let head = '';
      let body = 0;
      s.on('data', (d: Buffer) => {
        if (r.firstByteMs === null) r.firstByteMs = performance.now() - t1;
        if (r.status === null) {
          head += d.toString('latin1', 0, Math.min(d.length, 64));
          const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head);
          if (m) r.status = Number(m[1]);
          else if (head.length >= 16) return finish('not-http');
        }
        body += d.length;
        if (body > MAX_BODY) finish(r.status !== null && r.status >= 400 ? `status-${r.status}` : null);
      });
      s.on('end', () => finish(r.status === null ? 'closed' : r.status >= 400 ? `status-${r.status}` : null));
      s.write(httpRequest(spec));
    };
    sock.once('connect', () => {
      r.connectMs = performance.now() - t0;
      if (spec.mode === 'tcp') return finish(null);
      if (spec.mode === 'http') return request(sock);
      phase = 'tls';
      const t1 = performance.now();
      const servername = spec.sni ?? (net.isIP(spec.host) ? undefined : spec.host);
      const s = tls.connect({ socket: sock, servername, ca: spec.ca ?? undefined, rejectUnauthorized: !spec.insecure, ALPNProtocols: spec.mode === 'https' ? ['http/1.1'] : undefined });
      top = s;
      s.on('error', onErr);
      s.once('secureConnect', () => {
        r.tlsMs = performance.now() - t1;
        if (spec.mode === 'tls') return finish(null);
        request(s);
      });
    });
  });
}

export interface StepPlan {
  connections: number;
  offeredRate: number | null;
  durationMs: number;
}

export interface Progress {
  step: number;
  steps: number;
  elapsedMs: number;
  attempts: number;
  ok: number;
  failed: number;
  inFlight: number;
}

export interface GeneratorLoad {
  /** CPU time of this process / wall time (1 = one core busy). */
  cpu: number;
  eventLoopDelayP99Ms: number;
  /** Attempts a fixed rate wanted to launch but could not (all connections busy). */
  missedLaunches: number;
  limited: boolean;
}

export interface RunOutput {
  attempts: Attempt[][];
  stepMs: number[];
  generator: GeneratorLoad;
}

/** Runs the steps one after another; the attempts of each step (in order of completion). */
export async function runLoad(spec: AttemptSpec, plan: readonly StepPlan[], opts: { maxAttempts: number; onProgress?: (p: Progress) => void; signal?: AbortSignal }): Promise<RunOutput> {
  const out: Attempt[][] = plan.map(() => []);
  const stepMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let total = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  let missed = 0;
  const native = nativeEngine(spec);
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const s0 = performance.now();
    if (native) {
      // The C engine (native/load.c) on a pool thread: plain TCP and HTTP, the same attempts and codes.
      const r = await nativeStep(
        native,
        spec,
        p,
        i,
        opts.maxAttempts - total,
        (n) =>
          opts.onProgress?.({ step: i, steps: plan.length, elapsedMs: performance.now() - w0, attempts: total + (n[0] ?? 0), ok: ok + (n[1] ?? 0), failed: failed + (n[2] ?? 0), inFlight: n[3] ?? 0 }),
        opts.signal,
      );
      out[i] = r.attempts;
      total += r.attempts.length;
      for (const a of r.attempts) if (a.error) failed++;
      ok = total - failed;
      missed += r.missed;
      stepMs.push(performance.now() - s0);
      continue;
    }
    const end = s0 + p.durationMs;
    const pending = new Set<Promise<void>>();
    let wake: (() => void) | null = null;
    const launch = (): void => {
      total++;
      inFlight++;
      const pr: Promise<void> = attempt(spec, i).then((a) => {
        inFlight--;
        out[i]!.push(a);
        if (a.error) failed++;
        else ok++;
        pending.delete(pr);
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      });
      pending.add(pr);
    };
    const stepTimer = setTimeout(() => {
      const w = wake;
      wake = null;
      w?.();
    }, p.durationMs);
    const progress = setInterval(() => opts.onProgress?.({ step: i, steps: plan.length, elapsedMs: performance.now() - w0, attempts: total, ok, failed, inFlight }), 250);
    try {
      if (p.offeredRate === null) {
        // Closed loop: keep `connections` attempts in flight until the step's time is up.
        while (performance.now() < end && total < opts.maxAttempts && !opts.signal?.aborted) {
          while (inFlight < p.connections && total < opts.maxAttempts) launch();
          if (performance.now() >= end) break;
          await new Promise<void>((res) => (wake = res));
        }
      } else {
        // Open loop: launch on schedule; at most `connections` in flight (a missed launch is counted).
        let launched = 0;
        while (performance.now() < end && total < opts.maxAttempts && !opts.signal?.aborted) {
          const due = Math.floor(((performance.now() - s0) / 1000) * p.offeredRate) + 1;
          while (launched < due && total < opts.maxAttempts) {
            launched++;
            if (inFlight < p.connections) launch();
            else missed++;
          }
          await new Promise((res) => setTimeout(res, Math.max(1, Math.min(10, end - performance.now()))));
        }
      }
      await Promise.all(pending);
    } finally {
      clearInterval(progress);
      clearTimeout(stepTimer);
    }
    stepMs.push(performance.now() - s0);
  }
  loop.disable();
  const c = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  const cpu = wall > 0 ? (c.user + c.system) / 1000 / wall : 0;
  const p99 = loop.percentile(99) / 1e6;
  return { attempts: out, stepMs, generator: { cpu, eventLoopDelayP99Ms: p99, missedLaunches: missed, limited: cpu >= 0.85 } };
}

type Native = NonNullable<ReturnType<typeof loadAddon>>;

/** The native engine when it can run this load: the addon is built, no TLS, and NETDX_LOAD_JS is not set. */
function nativeEngine(spec: AttemptSpec): Native | null {
  if (process.env.NETDX_LOAD_JS || (spec.mode !== 'tcp' && spec.mode !== 'http') || !net.isIP(spec.address)) return null;
  const a = loadAddon();
  return a && typeof a.loadStart === 'function' ? a : null;
}

/** One step in the C engine; its records turned into the same attempts the JavaScript path makes. */
async function nativeStep(
  a: Native,
  spec: AttemptSpec,
  p: StepPlan,
  step: number,
  maxAttempts: number,
  onProgress: (n: number[]) => void,
  signal: AbortSignal | undefined,
): Promise<{ attempts: Attempt[]; missed: number }> {
  const request = Buffer.from(spec.mode === 'http' ? httpRequest(spec) : '', 'latin1');
  const job = a.loadStart({
    address: spec.address,
    port: spec.port,
    http: spec.mode === 'http' ? 1 : 0,
    request,
    connections: p.connections,
    rate: p.offeredRate ?? 0,
    durationMs: Math.round(p.durationMs),
    timeoutMs: Math.max(1, Math.round(spec.timeoutMs)),
    maxAttempts: Math.max(0, maxAttempts),
  });
  const abort = (): void => a.loadAbort(job.handle);
  signal?.addEventListener('abort', abort, { once: true });
  const progress = setInterval(() => onProgress(a.loadProgress(job.handle)), 250);
  let r: NativeLoadResult;
  try {
    r = await job.done;
  } finally {
    clearInterval(progress);
    signal?.removeEventListener('abort', abort);
  }
  return { attempts: attemptsOf(r, step), missed: r.missed };
}

/** 6 numbers per attempt: connectMs, firstByteMs, totalMs (-1: none), status, phase (1 connect, 2 first byte), error (index + 1 into errors; -1 status ≥ 400). */
export function attemptsOf(r: NativeLoadResult, step: number): Attempt[] {
  const d = r.records;
  const out: Attempt[] = new Array<Attempt>(d.length / 6);
  for (let k = 0, i = 0; i < d.length; i += 6, k++) {
    const status = d[i + 3]!;
    const e = d[i + 5]!;
    const code = e === 0 ? null : e < 0 ? `status-${status}` : (r.errors[e - 1] ?? 'error');
    out[k] = {
      step,
      connectMs: d[i]! >= 0 ? d[i]! : null,
      tlsMs: null,
      firstByteMs: d[i + 1]! >= 0 ? d[i + 1]! : null,
      totalMs: d[i + 2]!,
      status: status > 0 ? status : null,
      error: code === null ? null : { phase: d[i + 4] === 1 ? 'connect' : 'firstByte', code },
    };
  }
  return out;
}

/** The steps: load grows linearly to the full level. */
export function planSteps(o: { connections: number; rate: number | null; durationMs: number; steps: number }): StepPlan[] {
  const n = Math.max(1, Math.min(o.steps, o.rate === null ? o.connections : o.steps));
  const out: StepPlan[] = [];
  for (let k = 1; k <= n; k++) {
    out.push({
      connections: o.rate === null ? Math.max(1, Math.round((o.connections * k) / n)) : o.connections,
      offeredRate: o.rate === null ? null : (o.rate * k) / n,
      durationMs: o.durationMs / n,
    });
  }
  return out;
}
