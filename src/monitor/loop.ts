/**
 * The check-and-escalate loop (reused by the fleet agent): every target gets one cheap check
 * per interval; a failing or changed check is escalated to a full diagnosis under a concurrency
 * limit; a target changes state only after N consecutive results (hysteresis). No HTTP, no CLI:
 * the daemon (src/cli/monitor.ts) and /metrics (metrics.ts) read `targets()`.
 */
import type { Report } from '../model/report.js';
import type { CheckFn, CheckResult } from './checks.js';
import type { MonitorConfig, MonitorTarget } from './config.js';
import { limiter, type Limiter } from '../diagnose/limiter.js';
import { checkReason } from './messages.js';
import type { StateChange, TargetStateName } from './store.js';

/** Echoes remembered per ICMP target for netdx_icmp_loss_ratio. */
export const LOSS_WINDOW = 10;

export interface TargetRuntime {
  spec: MonitorTarget;
  state: TargetStateName;
  /** Epoch ms of the last state change (or of the start). */
  since: number;
  passes: number;
  fails: number;
  last: CheckResult | null;
  /** Echo outcomes of the last LOSS_WINDOW checks (icmp targets). */
  echoes: boolean[];
  report: Report | null;
  /** Epoch ms when `report` was made. */
  reportAt: number | null;
  /** Signature of the check that led to `report`. */
  reportSignature: string | null;
  /** Signature of the last passing check. */
  okSignature: string | null;
  escalation: 'idle' | 'queued' | 'running';
  checks: number;
  diagnoses: number;
}

export interface MonitorHooks {
  check: CheckFn;
  diagnose(t: MonitorTarget): Promise<Report>;
  now?(): number;
  onChange?(c: StateChange): void;
  onReport?(name: string, at: number, report: Report): void;
  onError?(what: string, err: unknown): void;
}

/** Config fields that make a target a different target (its runtime state is dropped on reload). */
function identity(t: MonitorTarget): string {
  return JSON.stringify([t.input, t.target, t.options]);
}

export class Monitor {
  private readonly rt = new Map<string, TargetRuntime>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private limiter: Limiter;
  /** Limiters replaced by a reload, until their tasks end (their counts still show). */
  private retired: Limiter[] = [];
  private running = false;
  /** Set by shutdown(): diagnoses still waiting for a slot are dropped. */
  private closing = false;
  private cfg: MonitorConfig;
  private readonly now: () => number;
  escalations = 0;
  checksTotal = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    config: MonitorConfig,
    private readonly hooks: MonitorHooks,
    restored: { states?: Map<string, StateChange>; reports?: Map<string, { at: number; report: Report }> } = {},
  ) {
    this.cfg = config;
    this.now = hooks.now ?? Date.now;
    this.limiter = limiter(config.concurrency);
    for (const t of config.targets) this.rt.set(t.name, this.fresh(t, restored.states?.get(t.name), restored.reports?.get(t.name)));
  }

  get config(): MonitorConfig {
    return this.cfg;
  }

  private fresh(t: MonitorTarget, prev?: StateChange, rep?: { at: number; report: Report }): TargetRuntime {
    return {
      spec: t,
      state: prev?.to ?? 'unknown',
      since: prev?.at ?? this.now(),
      passes: 0,
      fails: 0,
      last: null,
      echoes: [],
      report: rep?.report ?? null,
      reportAt: rep?.at ?? null,
      reportSignature: null,
      okSignature: null,
      escalation: 'idle',
      checks: 0,
      diagnoses: 0,
    };
  }

  targets(): TargetRuntime[] {
    return [...this.rt.values()];
  }

  target(name: string): TargetRuntime | undefined {
    return this.rt.get(name);
  }

  get queued(): number {
    return this.limiter.pending + this.retired.reduce((n, l) => n + l.pending, 0);
  }
  get diagnosing(): number {
    return this.limiter.active + this.retired.reduce((n, l) => n + l.active, 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const r of this.rt.values()) this.schedule(r, this.offset(r.spec));
  }

  /** Stops scheduling; resolves when the checks and diagnoses in flight have ended. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Stops for good: checks in flight and running diagnoses end, queued diagnoses are dropped. */
  async shutdown(): Promise<void> {
    this.closing = true;
    await this.stop();
  }

  /** Applies a new config: unchanged targets keep their state and history, others start fresh. */
  reload(config: MonitorConfig): void {
    const next = new Map<string, TargetRuntime>();
    for (const t of config.targets) {
      const old = this.rt.get(t.name);
      if (old && identity(old.spec) === identity(t)) {
        old.spec = t;
        next.set(t.name, old);
      } else next.set(t.name, this.fresh(t));
    }
    for (const [name, timer] of this.timers) {
      if (!next.has(name) || next.get(name) !== this.rt.get(name)) {
        clearTimeout(timer);
        this.timers.delete(name);
      }
    }
    this.rt.clear();
    for (const [k, v] of next) this.rt.set(k, v);
    if (config.concurrency !== this.cfg.concurrency) {
      // queued and running diagnoses finish under the old limit; new ones use the new limit
      this.retired = [...this.retired.filter((l) => l.active + l.pending > 0), this.limiter];
      this.limiter = limiter(config.concurrency);
    }
    this.cfg = config;
    if (this.running) for (const r of this.rt.values()) if (!this.timers.has(r.spec.name)) this.schedule(r, this.offset(r.spec));
  }

  /** Spreads the first checks over the interval (a stable offset per name): no thundering herd. */
  private offset(t: MonitorTarget): number {
    let h = 0;
    for (const ch of t.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return h % Math.max(1, Math.min(t.intervalMs, 10_000));
  }

  private schedule(r: TargetRuntime, delay: number): void {
    if (!this.running) return;
    const timer = setTimeout(() => {
      this.timers.delete(r.spec.name);
      const started = this.now();
      const p = this.runOnce(r).finally(() => {
        this.inFlight.delete(p);
        if (this.rt.get(r.spec.name) === r) this.schedule(r, Math.max(0, r.spec.intervalMs - (this.now() - started)));
      });
      this.inFlight.add(p);
    }, delay);
    this.timers.set(r.spec.name, timer);
  }

  /** One check of one target and what follows from it (state, escalation). Exposed for tests and `--once`. */
  async runOnce(r: TargetRuntime): Promise<void> {
    let res: CheckResult;
    try {
      res = await this.hooks.check({ target: r.spec.target, options: r.spec.options, timeoutMs: r.spec.checkTimeoutMs });
    } catch (err) {
      this.hooks.onError?.('check', err);
      return;
    }
    this.apply(r, res);
  }

  /** Folds a check result into the target's state (pure apart from the escalation it may start). */
  apply(r: TargetRuntime, res: CheckResult): void {
    const prev = r.last;
    r.last = res;
    r.checks++;
    this.checksTotal++;
    if (r.spec.target.protocol === 'icmp' || r.spec.target.port === null) {
      r.echoes.push(res.ok);
      if (r.echoes.length > LOSS_WINDOW) r.echoes.shift();
    }
    if (res.ok) {
      r.passes++;
      r.fails = 0;
      if (r.state !== 'up' && r.passes >= r.spec.upAfter) this.change(r, 'up', null);
    } else {
      r.fails++;
      r.passes = 0;
      if (r.state !== 'down' && r.fails >= r.spec.downAfter) this.change(r, 'down', checkReason(res.signature, r.spec.checkTimeoutMs, this.cfg.lang));
    }
    if (this.shouldEscalate(r, res, prev)) this.escalate(r, res.signature);
    if (res.ok) r.okSignature = res.signature;
  }

  /**
   * A failing check whose failure differs from the one last diagnosed (or whose diagnosis is older
   * than `rediagnose`); a passing check after a diagnosis that found a fault, or with a changed
   * certificate or status. A healthy target that stays healthy is never diagnosed.
   */
  shouldEscalate(r: TargetRuntime, res: CheckResult, prev: CheckResult | null): boolean {
    if (r.escalation !== 'idle') return false;
    if (!res.ok) {
      if (r.reportSignature !== res.signature) return true;
      return r.reportAt === null || this.now() - r.reportAt >= this.cfg.rediagnoseMs;
    }
    if (r.report && r.report.verdict !== 'ok' && r.report.verdict !== 'degraded' && r.reportSignature !== res.signature) return true;
    return prev !== null && r.okSignature !== null && r.okSignature !== res.signature;
  }

  private change(r: TargetRuntime, to: TargetStateName, reason: string | null): void {
    const c: StateChange = { target: r.spec.name, at: this.now(), from: r.state, to, code: to === 'down' ? (r.report?.primary?.code ?? null) : null, reason };
    r.state = to;
    r.since = c.at;
    this.hooks.onChange?.(c);
  }

  private escalate(r: TargetRuntime, signature: string): void {
    r.escalation = 'queued';
    this.escalations++;
    const p = this.limiter
      .run(async () => {
        // dropped when the target left the config or the monitor stopped while it waited
        if (this.rt.get(r.spec.name) !== r || this.closing) return;
        r.escalation = 'running';
        const report = await this.hooks.diagnose(r.spec);
        const at = this.now();
        r.report = report;
        r.reportAt = at;
        r.reportSignature = signature;
        r.diagnoses++;
        this.hooks.onReport?.(r.spec.name, at, report);
      })
      .catch((err: unknown) => this.hooks.onError?.('diagnose', err))
      .finally(() => {
        r.escalation = 'idle';
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
  }
}
