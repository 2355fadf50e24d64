/**
 * /metrics: the monitor's state in the Prometheus text format. Series are made at scrape time
 * from the loop's state, so a scrape costs one pass over the targets and nothing between scrapes.
 * prom-client gives the process metrics and the monitor's own gauges; the per-target families are
 * written here directly (same format, checked by `promtool check metrics` in deploy.test.ts):
 * prom-client's per-sample label hashing made a 1,000-target scrape cost 100–300 ms of event loop.
 * Every per-target series carries the target's own labels and `target`.
 * Encoding of netdx_layer_status: pass 0, warn 1, fail 2, skip -1, unknown -2 (docs/monitor.md).
 */
import { Registry, Gauge, Counter, collectDefaultMetrics } from 'prom-client';
import type { LayerStatus } from '../model/layer.js';
import type { Report } from '../model/report.js';
import { LOSS_WINDOW, type Monitor, type TargetRuntime } from './loop.js';

export const LAYER_STATUS_VALUE: Record<LayerStatus, number> = { pass: 0, warn: 1, fail: 2, skip: -1, unknown: -2 };
export const STATE_VALUE = { up: 1, down: 0, unknown: -1 } as const;

export interface DaemonStatus {
  storeWritable(): boolean;
  reloadOk(): boolean;
  reloadAt(): number;
  snapshotAge(): number | null;
  snapshotRefreshes(): number;
}

/** Earliest notAfter (epoch s) of the chain the last diagnosis saw, when the check had none. */
function reportCertExpiry(report: Report | null): number | null {
  if (!report) return null;
  let best: number | null = null;
  for (const o of report.observations) {
    if (o.kind !== 'tls.handshake') continue;
    const chain = (o.data as { chain?: Array<{ notAfter: string }> }).chain ?? [];
    for (const c of chain) {
      const t = Date.parse(c.notAfter);
      if (Number.isFinite(t) && (best === null || t < best)) best = t;
    }
  }
  return best === null ? null : best / 1000;
}

/** RTT (s) and loss ratio: the echoes of an ICMP target's checks, else the last diagnosis' echo test. */
export function icmpFacts(r: TargetRuntime): { rtt: number | null; loss: number | null } {
  if (r.echoes.length > 0) {
    const lost = r.echoes.filter((ok) => !ok).length;
    const rtt = r.last?.ok && typeof r.last.rttMs === 'number' ? r.last.rttMs / 1000 : null;
    return { rtt, loss: lost / r.echoes.length };
  }
  const echo = r.report?.observations.find((o) => o.kind === 'icmp.echo');
  const d = echo?.data as { sent?: number; lossPct?: number; rtt?: { avg: number } | null; method?: string } | undefined;
  if (!d || d.method === 'unavailable' || !d.sent) return { rtt: null, loss: null };
  return { rtt: d.rtt ? d.rtt.avg / 1000 : null, loss: (d.lossPct ?? 0) / 100 };
}

/** What /metrics serves. */
export interface Exposition {
  contentType: string;
  metrics(): Promise<string>;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** One metric family written as text. */
class Family {
  private readonly lines: string[] = [];
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly type: 'gauge' | 'counter',
  ) {}
  add(labels: string, v: number): void {
    this.lines.push(`${this.name}{${labels}} ${num(v)}`);
  }
  text(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.lines.length ? this.lines.join('\n') + '\n' : ''}`;
  }
}

/** The per-target families, in one pass over the targets. */
export function targetFamilies(monitor: Monitor): string {
  const F = (name: string, help: string, type: 'gauge' | 'counter' = 'gauge'): Family => new Family(name, help, type);
  const up = F('netdx_up', 'Whether the last cheap check of the target passed (1) or failed (0).');
  const state = F('netdx_state', 'Target state after hysteresis: 1 up, 0 down, -1 unknown (not enough checks yet).');
  const since = F('netdx_state_since_timestamp_seconds', 'When the target entered its current state (Unix time).');
  const fault = F('netdx_fault_info', 'One series per finding of the last full diagnosis (value 1); primary="true" marks the root cause.');
  const checkDur = F('netdx_check_duration_seconds', 'Duration of the last cheap check (resolution included).');
  const lastCheck = F('netdx_last_check_timestamp_seconds', 'When the last cheap check ended (Unix time).');
  const lastDiag = F('netdx_last_diagnosis_timestamp_seconds', 'When the last full diagnosis of the target ended (Unix time).');
  const diagDur = F('netdx_diagnosis_duration_seconds', 'Duration of the last full diagnosis.');
  const rtt = F('netdx_icmp_rtt_seconds', 'ICMP echo round-trip time: the last echo of an ICMP target, else the average of the last diagnosis.');
  const loss = F('netdx_icmp_loss_ratio', `ICMP echo loss (0-1): over the last ${LOSS_WINDOW} checks of an ICMP target, else the last diagnosis' echo test.`);
  const cert = F('netdx_cert_expiry_timestamp_seconds', 'Earliest notAfter in the certificate chain the server presents (Unix time).');
  const layer = F('netdx_layer_status', 'Layer status of the last full diagnosis: pass 0, warn 1, fail 2, skip -1, unknown -2.');
  const http = F('netdx_http_status_code', 'HTTP status of the last cheap check (http/https targets).');
  const verdict = F('netdx_diagnosis_verdict', 'Verdict of the last full diagnosis (value 1): ok, degraded, fault, or unknown (a layer could not be judged; see netdx_diagnosis_undetermined).');
  const undetermined = F('netdx_diagnosis_undetermined', 'With verdict unknown: 1 per layer the last diagnosis could not judge (the reason is in /api/targets/NAME).');
  const checks = F('netdx_checks_total', 'Cheap checks made of the target since the monitor started.', 'counter');
  const diags = F('netdx_diagnoses_total', 'Full diagnoses made of the target since the monitor started.', 'counter');
  for (const r of monitor.targets()) {
    let l = '';
    for (const [k, v] of Object.entries(r.spec.labels)) l += `${k}="${esc(v)}",`;
    l += `target="${esc(r.spec.name)}"`;
    const last = r.last;
    if (last) {
      up.add(l, last.ok ? 1 : 0);
      checkDur.add(l, last.ms / 1000);
      lastCheck.add(l, last.at / 1000);
      if (typeof last.httpStatus === 'number') http.add(l, last.httpStatus);
    }
    state.add(l, STATE_VALUE[r.state]);
    since.add(l, r.since / 1000);
    const rep = r.report;
    if (rep) {
      const primary = rep.primary?.code;
      for (const f of rep.findings) fault.add(`${l},code="${esc(f.code)}",slug="${esc(f.slug)}",layer="${f.layer}",severity="${f.severity}",primary="${primary === f.code}"`, 1);
      diagDur.add(l, rep.durationMs / 1000);
      verdict.add(`${l},verdict="${rep.verdict}"`, 1);
      for (const u of rep.undetermined ?? []) undetermined.add(`${l},layer="${u.layer}"`, 1);
      for (const row of rep.layers) layer.add(`${l},layer="${row.layer}"`, LAYER_STATUS_VALUE[row.status]);
    }
    if (r.reportAt !== null) lastDiag.add(l, r.reportAt / 1000);
    const ic = icmpFacts(r);
    if (ic.rtt !== null) rtt.add(l, ic.rtt);
    if (ic.loss !== null) loss.add(l, ic.loss);
    const exp = typeof last?.certNotAfter === 'number' ? last.certNotAfter / 1000 : reportCertExpiry(rep);
    if (exp !== null) cert.add(l, exp);
    checks.add(l, r.checks);
    diags.add(l, r.diagnoses);
  }
  return [up, state, since, fault, verdict, undetermined, checkDur, lastCheck, lastDiag, diagDur, rtt, loss, cert, layer, http, checks, diags].map((f) => f.text()).join('\n');
}

export function buildRegistry(monitor: Monitor, status: DaemonStatus): Exposition {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const g = (name: string, help: string, value: () => number | null, type: 'gauge' | 'counter' = 'gauge'): void => {
    const opts = { name, help, registers: [register] };
    if (type === 'counter')
      new Counter({
        ...opts,
        collect() {
          this.reset();
          this.inc(value() ?? 0);
        },
      });
    else
      new Gauge({
        ...opts,
        collect() {
          const v = value();
          if (v === null) this.reset();
          else this.set(v);
        },
      });
  };
  g('netdx_monitor_targets', 'Targets in the config.', () => monitor.targets().length);
  g('netdx_escalations_queued', 'Full diagnoses waiting for a slot (concurrency limit).', () => monitor.queued);
  g('netdx_escalations_running', 'Full diagnoses running now.', () => monitor.diagnosing);
  g('netdx_escalations_total', 'Checks escalated to a full diagnosis since start.', () => monitor.escalations, 'counter');
  g('netdx_escalation_limit', 'Full diagnoses allowed at once.', () => monitor.config.concurrency);
  g('netdx_store_writable', 'Whether the history store can be written (0: read-only or failing disk; monitoring goes on).', () => (status.storeWritable() ? 1 : 0));
  g('netdx_config_last_reload_successful', 'Whether the last config (re)load succeeded.', () => (status.reloadOk() ? 1 : 0));
  g('netdx_config_last_reload_success_timestamp_seconds', 'When the config was last loaded successfully (Unix time).', () => status.reloadAt() / 1000);
  g('netdx_snapshot_age_seconds', 'Age of the machine snapshot shared by the diagnoses.', () => status.snapshotAge());
  g('netdx_snapshot_refreshes_total', 'Times the shared snapshot was collected (on change or age).', () => status.snapshotRefreshes(), 'counter');
  return {
    contentType: register.contentType,
    metrics: async () => (await register.metrics()) + '\n' + targetFamilies(monitor),
  };
}
