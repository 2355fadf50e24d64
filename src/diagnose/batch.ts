/**
 * Many targets in one process: one shared snapshot (see ./snapshot-cache.ts), a cheap check per
 * target that escalates to the full walk only when it fails, and a cap on how many targets are
 * walked at once. A monitor or a fleet check builds on these; `diagnose()` stays the one-call walk.
 */
import { performance } from 'node:perf_hooks';
import { ofKind, type Observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import type { Target } from '../model/target.js';
import type { DiagnoseOptions } from '../model/options.js';
import { budgets } from './budget.js';
import type { EngineDeps, ProgressFn } from './deps.js';
import { diagnose } from './engine.js';
import { limiter } from './limiter.js';
import { openConnection, plan, safe, startWalk } from './walk.js';
import { snapshotCache, withSnapshot, type SnapshotProvider } from './snapshot-cache.js';

type Obs = Observation[];

/** What the cheap check saw: the name resolves, the port connects (TLS: the handshake verifies), or the host echoes. */
export interface CheckResult {
  ok: boolean;
  /** What failed first, in one word ('dns', 'tcp', 'tls', 'icmp'), or null when ok. */
  failed: 'dns' | 'tcp' | 'tls' | 'icmp' | null;
  ms: number;
  observations: Obs;
}

/**
 * The cheap check: system resolver (for a name), one TCP connect to the first address (with a
 * port), the TLS handshake over it for tls/https, or one echo without a port. No snapshot, no
 * trace. Warnings (a certificate about to expire) are only seen by the full walk.
 */
export async function quickCheck(target: Target, options: DiagnoseOptions, deps: EngineDeps): Promise<CheckResult> {
  const p = plan(target, options);
  const w = startWalk(p, deps);
  const t0 = performance.now();
  const obs: Obs = [];
  const done = (failed: CheckResult['failed']): CheckResult => ({ ok: failed === null, failed, ms: performance.now() - t0, observations: obs });
  const b = budgets(null, options.timeoutMs);
  let address = target.host;
  if (p.isName) {
    obs.push(...(await safe('dns', 'system resolver', deps.systemLookup(target.host, w.ctx(b.dnsQuery * 2 + 500)))));
    const first = ofKind(obs, 'dns.system')[0]?.data.addresses[0]?.address;
    if (!first) return done('dns');
    address = first;
  }
  if (target.port === null) {
    obs.push(...(await safe('network', 'icmp echo', deps.icmp({ address, count: 1 }, w.ctx(b.icmp)))));
    const echo = ofKind(obs, 'icmp.echo')[0]?.data;
    return done(echo && echo.received > 0 ? null : 'icmp');
  }
  obs.push(...(await safe('transport', `tcp ${address}`, deps.tcp({ address, port: target.port, afterMs: b.afterConnect }, w.ctx(b.tcpConnect + b.afterConnect)))));
  const open = openConnection(obs, address);
  if (!open || open.data.after?.event === 'rst' || open.data.after?.event === 'fin') return done('tcp');
  if (!p.wantsTls) return done(null);
  const tb = budgets(open.data.ms, options.timeoutMs);
  obs.push(...(await safe('tls', 'tls handshake', deps.tls({ address, port: target.port, sni: p.sni, hostname: options.sni ?? target.host, options }, w.ctx(tb.tls + tb.tcpConnect)))));
  const hs = ofKind(obs, 'tls.handshake')[0]?.data;
  return done(hs && hs.outcome === 'ok' && hs.verify.ok && (hs.pin === null || hs.pin.matched) ? null : 'tls');
}

export interface CheckOrReport {
  check: CheckResult;
  /** The full walk's report, when the check failed (null when it passed). */
  report: Report | null;
}

/** The cheap check first; on failure the full walk, with a snapshot no older than `maxAgeMs` (default 1 s). */
export async function checkThenDiagnose(
  target: Target,
  options: DiagnoseOptions,
  deps: EngineDeps,
  opts: { provider?: SnapshotProvider; maxAgeMs?: number; progress?: ProgressFn } = {},
): Promise<CheckOrReport> {
  const check = await quickCheck(target, options, deps);
  if (check.ok) return { check, report: null };
  const d = opts.provider ? withSnapshot(deps, opts.provider, { maxAgeMs: opts.maxAgeMs ?? 1000 }) : deps;
  return { check, report: await diagnose(target, options, d, opts.progress) };
}

export interface ManyOptions {
  /** Targets walked at once (default 8). */
  concurrency?: number;
  /** 'full': every target gets the whole walk; 'check-first': the cheap check, the walk only on failure. */
  mode?: 'full' | 'check-first';
  /** The shared snapshot; by default one cache over deps.snapshot with a 5 s TTL. */
  provider?: SnapshotProvider;
  /** Called as each target finishes (in completion order). */
  onResult?: (r: ManyResult, index: number) => void;
}

export interface ManyResult {
  target: Target;
  check: CheckResult | null;
  report: Report | null;
  /** A walk that threw (a bug, or the snapshot could not be collected). */
  error: string | null;
}

/** Diagnoses many targets in one process over one shared snapshot; results in input order. */
export async function diagnoseMany(targets: Target[], options: DiagnoseOptions, deps: EngineDeps, opts: ManyOptions = {}): Promise<ManyResult[]> {
  const provider = opts.provider ?? snapshotCache(() => deps.snapshot());
  const shared = withSnapshot(deps, provider);
  const limit = limiter(opts.concurrency ?? 8);
  return Promise.all(
    targets.map((target, i) =>
      limit.run(async (): Promise<ManyResult> => {
        let r: ManyResult;
        try {
          if (opts.mode === 'check-first') {
            const c = await checkThenDiagnose(target, options, deps, { provider });
            r = { target, check: c.check, report: c.report, error: null };
          } else {
            r = { target, check: null, report: await diagnose(target, options, shared), error: null };
          }
        } catch (err) {
          r = { target, check: null, report: null, error: err instanceof Error ? err.message : String(err) };
        }
        opts.onResult?.(r, i);
        return r;
      }),
    ),
  );
}
