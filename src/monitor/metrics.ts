/**
 * /metrics: the monitor's state in the Prometheus text format (prom-client). Series are filled at
 * scrape time from the loop's state, so a scrape costs one pass over the targets and nothing
 * between scrapes. Every per-target series carries `target` and the target's own labels.
 * Encoding of netdx_layer_status: pass 0, warn 1, fail 2, skip -1, unknown -2 (docs/monitor.md).
 */
import { Registry, Gauge, collectDefaultMetrics } from 'prom-client';
import type { LayerStatus } from '../model/layer.js';
import type { Report } from '../model/report.js';
import type { Monitor, TargetRuntime } from './loop.js';

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

export function buildRegistry(monitor: Monitor, status: DaemonStatus): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const extra = [...new Set(monitor.targets().flatMap((r) => Object.keys(r.spec.labels)))].sort();
  const base = ['target', ...extra];
  const labelsOf = (r: TargetRuntime, more: Record<string, string> = {}): Record<string, string> => ({ ...r.spec.labels, target: r.spec.name, ...more });

  const g = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, v: number) => void) => void): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [register],
      collect() {
        this.reset();
        fill((labels, v) => this.set(labels, v));
      },
    });
  };
  const each = (fill: (r: TargetRuntime, set: (labels: Record<string, string>, v: number) => void) => void) => (set: (labels: Record<string, string>, v: number) => void) => {
    for (const r of monitor.targets()) fill(r, set);
  };

  g('netdx_up', 'Whether the last cheap check of the target passed (1) or failed (0).', base, each((r, set) => r.last && set(labelsOf(r), r.last.ok ? 1 : 0)));
  g('netdx_state', 'Target state after hysteresis: 1 up, 0 down, -1 unknown (not enough checks yet).', base, each((r, set) => set(labelsOf(r), STATE_VALUE[r.state])));
  g('netdx_state_since_timestamp_seconds', 'When the target entered its current state (Unix time).', base, each((r, set) => set(labelsOf(r), r.since / 1000)));
  g(
    'netdx_fault_info',
    'One series per finding of the last full diagnosis (value 1); primary="true" marks the root cause.',
    [...base, 'code', 'slug', 'layer', 'severity', 'primary'],
    each((r, set) => {
      if (!r.report) return;
      for (const f of r.report.findings) set(labelsOf(r, { code: f.code, slug: f.slug, layer: f.layer, severity: f.severity, primary: String(r.report.primary?.code === f.code) }), 1);
    }),
  );
  g('netdx_check_duration_seconds', 'Duration of the last cheap check (resolution included).', base, each((r, set) => r.last && set(labelsOf(r), r.last.ms / 1000)));
  g('netdx_last_check_timestamp_seconds', 'When the last cheap check ended (Unix time).', base, each((r, set) => r.last && set(labelsOf(r), r.last.at / 1000)));
  g('netdx_last_diagnosis_timestamp_seconds', 'When the last full diagnosis of the target ended (Unix time).', base, each((r, set) => r.reportAt !== null && set(labelsOf(r), r.reportAt / 1000)));
  g('netdx_diagnosis_duration_seconds', 'Duration of the last full diagnosis.', base, each((r, set) => r.report && set(labelsOf(r), r.report.durationMs / 1000)));
  g('netdx_icmp_rtt_seconds', 'ICMP echo round-trip time: the last echo of an ICMP target, else the average of the last diagnosis.', base, each((r, set) => {
    const f = icmpFacts(r);
    if (f.rtt !== null) set(labelsOf(r), f.rtt);
  }));
  g('netdx_icmp_loss_ratio', `ICMP echo loss (0–1): over the last ${10} checks of an ICMP target, else the last diagnosis' echo test.`, base, each((r, set) => {
    const f = icmpFacts(r);
    if (f.loss !== null) set(labelsOf(r), f.loss);
  }));
  g('netdx_cert_expiry_timestamp_seconds', 'Earliest notAfter in the certificate chain the server presents (Unix time).', base, each((r, set) => {
    const v = typeof r.last?.certNotAfter === 'number' ? r.last.certNotAfter / 1000 : reportCertExpiry(r.report);
    if (v !== null) set(labelsOf(r), v);
  }));
  g('netdx_layer_status', 'Layer status of the last full diagnosis: pass 0, warn 1, fail 2, skip -1, unknown -2.', [...base, 'layer'], each((r, set) => {
    if (!r.report) return;
    for (const l of r.report.layers) set(labelsOf(r, { layer: l.layer }), LAYER_STATUS_VALUE[l.status]);
  }));
  g('netdx_http_status_code', 'HTTP status of the last cheap check (http/https targets).', base, each((r, set) => typeof r.last?.httpStatus === 'number' && set(labelsOf(r), r.last.httpStatus)));
  g('netdx_checks_total', 'Cheap checks made of the target since the monitor started.', base, each((r, set) => set(labelsOf(r), r.checks)));
  g('netdx_diagnoses_total', 'Full diagnoses made of the target since the monitor started.', base, each((r, set) => set(labelsOf(r), r.diagnoses)));

  g('netdx_monitor_targets', 'Targets in the config.', [], (set) => set({}, monitor.targets().length));
  g('netdx_escalations_queued', 'Full diagnoses waiting for a slot (concurrency limit).', [], (set) => set({}, monitor.queued));
  g('netdx_escalations_running', 'Full diagnoses running now.', [], (set) => set({}, monitor.diagnosing));
  g('netdx_escalations_total', 'Checks escalated to a full diagnosis since start.', [], (set) => set({}, monitor.escalations));
  g('netdx_escalation_limit', 'Full diagnoses allowed at once.', [], (set) => set({}, monitor.config.concurrency));
  g('netdx_store_writable', 'Whether the history store can be written (0: read-only or failing disk; monitoring goes on).', [], (set) => set({}, status.storeWritable() ? 1 : 0));
  g('netdx_config_last_reload_successful', 'Whether the last config (re)load succeeded.', [], (set) => set({}, status.reloadOk() ? 1 : 0));
  g('netdx_config_last_reload_success_timestamp_seconds', 'When the config was last loaded successfully (Unix time).', [], (set) => set({}, status.reloadAt() / 1000));
  g('netdx_snapshot_age_seconds', 'Age of the machine snapshot shared by the diagnoses.', [], (set) => {
    const a = status.snapshotAge();
    if (a !== null) set({}, a);
  });
  g('netdx_snapshot_refreshes_total', 'Times the shared snapshot was collected (on change or age).', [], (set) => set({}, status.snapshotRefreshes()));
  return register;
}
