/**
 * `netdx agent`: the monitor's check-and-escalate loop (src/monitor/loop.ts) on a client, with
 * its targets from the server and its results sent there: state changes at once with their
 * report, newer reports while failing, a heartbeat with every target's state each interval. Events
 * go through the spool (spool.ts), so they reach the server in order and exactly once across
 * outages and restarts. A long poll takes the server's "diagnose TARGET now" commands.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lang } from '../model/layer.js';
import type { Report } from '../model/report.js';
import type { EngineDeps } from '../diagnose/engine.js';
import { inBoth, usageError } from '../model/errors.js';
import { parseTarget } from '../model/target.js';
import { parseDiagnoseOptions } from '../cli/diagnose-options.js';
import { CONFIG_DEFAULTS, parseMonitorConfig, rawOptionsByLongName, type MonitorConfig } from '../monitor/config.js';
import { Monitor } from '../monitor/loop.js';
import { runCheck, type CheckFn } from '../monitor/checks.js';
import { makeDiagnoser, type Diagnoser } from '../monitor/diagnoser.js';
import { untilStopped } from '../monitor/signals.js';
import { limiter } from '../diagnose/limiter.js';
import { Spool } from './spool.js';
import { CommandListSchema, ConfigResponseSchema, MAX_BATCH, MAX_BODY_BYTES, PROTOCOL_VERSION, type Command } from './protocol.js';
import { ft } from './messages.js';

export const VERSION = '0.1.0';

export interface AgentOptions {
  server: string;
  token: string;
  name: string | null;
  data: string | null;
  lang: Lang;
  deps?: EngineDeps;
  check?: CheckFn;
  log?: (line: string) => void;
  stopSignal?: Promise<string>;
  /** Called once the first config is in and the loop runs. */
  onReady?: (a: RunningAgent) => void;
  /** Long-poll wait (s); tests shorten it. */
  pollWaitS?: number;
}

export interface RunningAgent {
  name: string;
  monitor: () => Monitor | null;
  spool: Spool;
  /** Sends what is spooled now; resolves when the outbox is empty or the server is unreachable. */
  flush(): Promise<void>;
}

class ServerRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses that mean "this agent must not retry as it is" (bad token, wrong name). */
const FATAL = new Set([401, 403]);

export function emptyConfig(lang: Lang, file: string): MonitorConfig {
  return { file, intervalMs: CONFIG_DEFAULTS.intervalMs, concurrency: CONFIG_DEFAULTS.concurrency, rediagnoseMs: CONFIG_DEFAULTS.rediagnoseMs, lang, targets: [] };
}

/** Error finding codes of a report, most important first. */
export function codesOf(report: Report | null): string[] {
  if (!report) return [];
  const errs = report.findings.filter((f) => f.severity === 'error' && !f.explainedBy).map((f) => f.code);
  const p = report.primary?.code;
  return p ? [p, ...errs.filter((c) => c !== p)] : errs;
}

export async function runAgent(o: AgentOptions): Promise<void> {
  const agent = new Agent(o, await makeDiagnoser(o.deps));
  await agent.run();
}

class Agent {
  private readonly log: (line: string) => void;
  private readonly base: string;
  private readonly spool: Spool;
  private readonly headers: Record<string, string>;
  private readonly stopCtl = new AbortController();
  private readonly stopped: Promise<string>;
  private readonly commandLimit = limiter(2);
  private stopping = false;
  private name: string;
  private monitor: Monitor | null = null;
  private cfgVersion: string | null = null;
  private heartbeatS = 10;
  private inFlight: number | null = null;
  private wakeSender: (() => void) | null = null;
  private unreachableSince: number | null = null;
  private deliveredWhileDown = 0;
  private hbTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: AgentOptions,
    private readonly diagnoser: Diagnoser,
  ) {
    this.log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));
    this.base = o.server.replace(/\/+$/, '');
    this.spool = Spool.open(o.data);
    if (o.data === null) this.log(ft(o.lang, 'agent.noData'));
    // the server's refusals (401, 403, 400 …) come back in the agent's language
    this.headers = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', cookie: `netdx_lang=${o.lang}` };
    this.name = o.name ?? '';
    this.stopped = o.stopSignal ?? untilStopped();
  }

  private call(path: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Response> {
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopCtl.signal]);
    return fetch(this.base + path, { ...init, headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined) }, signal });
  }

  private parseConfig(yaml: string): MonitorConfig {
    const file = `${this.base}/api/agent/config`;
    return yaml.trim() === '' ? emptyConfig(this.o.lang, file) : parseMonitorConfig(yaml, file, this.o.lang);
  }

  /** Fetches the target list; true when it changed. Throws ServerRefused on 401/403. */
  private async fetchConfig(): Promise<boolean> {
    const r = await this.call('/api/agent/config', { headers: this.cfgVersion ? { 'if-none-match': `"${this.cfgVersion}"` } : {} });
    if (r.status === 304) return false;
    if (!r.ok) throw await refused(r);
    const body = (await r.json()) as Record<string, unknown>;
    const c = ConfigResponseSchema.parse(body);
    const agent = typeof body['agent'] === 'string' ? body['agent'] : '';
    if (this.o.name && agent && this.o.name !== agent) throw new ServerRefused(403, ft(this.o.lang, 'api.wrongAgent', { token: agent, claimed: this.o.name }));
    this.name = agent || this.name;
    this.heartbeatS = c.heartbeatS;
    this.cfgVersion = c.version;
    let cfg: MonitorConfig;
    try {
      cfg = this.parseConfig(c.yaml);
    } catch (err) {
      this.log(ft(this.o.lang, 'agent.badConfig', { why: errText(err) }));
      return false;
    }
    this.spool.setMeta('config', JSON.stringify({ version: c.version, yaml: c.yaml, heartbeatS: this.heartbeatS, name: this.name }));
    if (this.monitor) {
      this.monitor.reload(cfg);
      this.log(ft(this.o.lang, 'agent.config', { n: cfg.targets.length }));
    } else this.startMonitor(cfg);
    return true;
  }

  private startMonitor(cfg: MonitorConfig): void {
    const m = new Monitor(cfg, {
      check: this.o.check ?? runCheck,
      diagnose: (t) => this.diagnoser.run(t.target, t.options, this.o.lang),
      onChange: (c) => {
        const report = c.to === 'down' ? (m.target(c.target)?.report ?? null) : null;
        this.enqueue({ kind: 'change', at: c.at, target: c.target, from: c.from, to: c.to, codes: c.to === 'down' ? codesOf(report) : [], report });
      },
      onReport: (target, at, report) => this.enqueue({ kind: 'report', at, target, report }),
      onError: (what, err) => this.log(ft(this.o.lang, 'server.error', { what: `agent ${what}`, why: errText(err) })),
    });
    this.monitor = m;
    m.start();
  }

  private enqueue(e: Parameters<Spool['append']>[0]): void {
    this.spool.append(e, this.inFlight);
    this.wakeSender?.();
  }

  private heartbeat(): void {
    if (!this.monitor) return;
    const targets = this.monitor.targets().map((r) => ({ target: r.spec.name, state: r.state, since: r.since, codes: r.state === 'down' ? codesOf(r.report) : [] }));
    this.enqueue({ kind: 'heartbeat', at: Date.now(), targets, version: VERSION });
  }

  /** Sends one batch; returns false when there was nothing to send. */
  private async sendOnce(): Promise<boolean> {
    const events = this.spool.batch(MAX_BATCH, MAX_BODY_BYTES - 64 * 1024);
    if (events.length === 0) return false;
    this.inFlight = events[events.length - 1]!.seq;
    try {
      const r = await this.call('/api/agent/events', { method: 'POST', body: JSON.stringify({ protocol: PROTOCOL_VERSION, agent: this.name, events }) });
      if (r.status !== 200 && r.status !== 409) throw await refused(r);
      const { acked } = (await r.json()) as { acked: number };
      const n = this.spool.ack(acked);
      if (this.unreachableSince !== null) this.deliveredWhileDown += n;
      return true;
    } finally {
      this.inFlight = null;
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeSender = () => {
        clearTimeout(t);
        this.wakeSender = null;
        resolve();
      };
    });
  }

  private async senderLoop(): Promise<void> {
    let backoff = 500;
    while (!this.stopping) {
      try {
        while (await this.sendOnce()) {
          /* drain */
        }
        if (this.unreachableSince !== null) {
          this.log(ft(this.o.lang, 'agent.delivered', { n: this.deliveredWhileDown }));
          this.unreachableSince = null;
          this.deliveredWhileDown = 0;
        }
        backoff = 500;
        await this.idle(1000);
      } catch (err) {
        if (this.stopping) break;
        if (err instanceof ServerRefused && FATAL.has(err.status)) {
          this.log(ft(this.o.lang, 'agent.rejected', { status: err.status, why: err.message }));
          backoff = 30_000;
        } else if (this.unreachableSince === null) {
          this.unreachableSince = Date.now();
          this.log(ft(this.o.lang, 'agent.unreachable', { why: errText(err), n: this.spool.pending, s: Math.round(backoff / 1000) }));
        }
        await sleep(backoff, undefined, { signal: this.stopCtl.signal }).catch(() => undefined);
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  }

  private async runCommand(cmd: Command): Promise<void> {
    this.log(ft(this.o.lang, 'agent.command', { target: cmd.target }));
    let report: Report | null = null;
    let error: string | null = null;
    try {
      const known = this.monitor?.targets().find((r) => r.spec.input === cmd.target || r.spec.name === cmd.target)?.spec;
      if (known && Object.keys(cmd.options).length === 0) report = await this.diagnoser.run(known.target, known.options, this.o.lang);
      else {
        const parsed = parseDiagnoseOptions(rawOptionsByLongName(cmd.options), this.o.lang);
        report = await this.diagnoser.run(parseTarget(cmd.target, parsed.target), parsed.options, this.o.lang);
      }
    } catch (err) {
      error = errText(err).slice(0, 2000);
    }
    const r = await this.call(`/api/agent/commands/${encodeURIComponent(cmd.id)}/result`, { method: 'POST', body: JSON.stringify({ agent: this.name, report, error }) }).catch(() => null);
    await r?.body?.cancel().catch(() => undefined);
  }

  private async commandLoop(): Promise<void> {
    const wait = this.o.pollWaitS ?? 25;
    while (!this.stopping) {
      try {
        const r = await this.call(`/api/agent/commands?wait=${wait}`, {}, (wait + 10) * 1000);
        if (!r.ok) throw await refused(r);
        const { commands } = CommandListSchema.parse(await r.json());
        for (const c of commands) void this.commandLimit.run(() => this.runCommand(c));
      } catch (err) {
        if (this.stopping) break;
        await sleep(err instanceof ServerRefused && FATAL.has(err.status) ? 30_000 : 2000, undefined, { signal: this.stopCtl.signal }).catch(() => undefined);
      }
    }
  }

  private async configLoop(): Promise<void> {
    while (!this.stopping) {
      await sleep(30_000, undefined, { signal: this.stopCtl.signal }).catch(() => undefined);
      if (this.stopping) break;
      await this.fetchConfig().catch(() => undefined);
    }
  }

  /** A cached config lets the agent watch its targets before the server answers. */
  private startFromCache(): boolean {
    const cached = this.spool.meta('config');
    if (!cached) return false;
    try {
      const c = JSON.parse(cached) as { version: string; yaml: string; heartbeatS: number; name: string };
      this.name = this.o.name ?? c.name;
      this.heartbeatS = c.heartbeatS;
      this.startMonitor(this.parseConfig(c.yaml));
      this.cfgVersion = c.version;
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for the first config (unless cached); false when stopped first. Throws on a refused token. */
  private async firstConfig(): Promise<boolean> {
    if (this.startFromCache()) {
      void this.fetchConfig().catch(() => undefined);
      return true;
    }
    let backoff = 1000;
    while (!this.monitor) {
      try {
        await this.fetchConfig();
      } catch (err) {
        if (err instanceof ServerRefused && FATAL.has(err.status)) throw usageError(inBoth((l) => ft(l, 'agent.rejected', { status: err.status, why: err.message })));
        this.log(ft(this.o.lang, 'agent.unreachable', { why: errText(err), n: this.spool.pending, s: Math.round(backoff / 1000) }));
        if ((await Promise.race([sleep(backoff).then(() => null), this.stopped])) !== null) return false;
        backoff = Math.min(30_000, backoff * 2);
      }
    }
    return true;
  }

  private scheduleHeartbeat(): void {
    this.hbTimer = setTimeout(() => {
      this.heartbeat();
      this.scheduleHeartbeat();
    }, this.heartbeatS * 1000);
  }

  async flush(): Promise<void> {
    while (this.spool.pending > 0 && (await this.sendOnce().catch(() => false))) {
      /* drain */
    }
  }

  async run(): Promise<void> {
    let loops: Array<Promise<void>> = [];
    try {
      if (!(await this.firstConfig())) return;
      this.log(ft(this.o.lang, 'agent.started', { name: this.name, server: this.base, n: this.monitor?.targets().length ?? 0 }));
      this.heartbeat();
      this.scheduleHeartbeat();
      loops = [this.senderLoop(), this.commandLoop(), this.configLoop()];
      this.o.onReady?.({ name: this.name, monitor: () => this.monitor, spool: this.spool, flush: () => this.flush() });
      const sig = await this.stopped;
      this.log(ft(this.o.lang, 'agent.stopping', { signal: sig }));
    } finally {
      this.stopping = true;
      if (this.hbTimer) clearTimeout(this.hbTimer);
      await this.monitor?.shutdown();
      this.wakeSender?.();
      // A last, bounded attempt to deliver what is spooled; then the loops end.
      if (loops.length > 0) await Promise.race([this.flush(), sleep(2000)]);
      this.stopCtl.abort();
      await Promise.allSettled(loops);
      this.diagnoser.close();
      this.spool.close();
    }
  }
}

async function refused(r: Response): Promise<ServerRefused> {
  let why = r.statusText;
  try {
    why = ((await r.json()) as { error?: string }).error ?? why;
  } catch {
    /* not JSON */
  }
  return new ServerRefused(r.status, why);
}

function errText(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string; name?: string };
  if (e?.name === 'TimeoutError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
