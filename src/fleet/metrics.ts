/**
 * The server's /metrics: agents by state and label, agents per target and state, open incidents
 * by code and scope (read from the store at scrape time, so every server behind a balancer
 * reports the same fleet), plus this process's own counters: authentication failures by reason,
 * rejected batches by reason, events stored, duplicates skipped, ingest latency.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FleetStore } from './store.js';

export function fleetMetrics(store: FleetStore, onlineAfter: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const authFailures = new Counter({
    name: 'netdx_fleet_auth_failures_total',
    help: 'Requests refused for their token: missing, unknown, revoked, or the wrong kind (agent vs operator).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'netdx_fleet_rejected_batches_total',
    help: 'Event batches refused: invalid, wrong_agent, not_contiguous, gap (409).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const events = new Counter({ name: 'netdx_fleet_events_total', help: 'Agent events stored (each exactly once).', registers: [registry] });
  const duplicates = new Counter({ name: 'netdx_fleet_duplicate_events_total', help: 'Agent events received again and skipped (already stored).', registers: [registry] });
  const ingest = new Histogram({ name: 'netdx_fleet_ingest_seconds', help: 'Time to store one event batch.', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  new Gauge({
    name: 'netdx_fleet_agents',
    help: 'Agents by label value and connection state (online: heard from within 3 heartbeats).',
    labelNames: ['label', 'value', 'online'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of await store.agents(onlineAfter())) {
        this.inc({ label: '', value: '', online: String(a.online) });
        for (const [k, v] of Object.entries(a.labels)) this.inc({ label: k, value: v, online: String(a.online) });
      }
    },
  });
  new Gauge({
    name: 'netdx_fleet_target_agents',
    help: 'Online agents per target and state (up, down, unknown).',
    labelNames: ['target', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const online = new Set((await store.agents(onlineAfter())).filter((a) => a.online).map((a) => a.name));
      for (const s of await store.states()) if (online.has(s.agent)) this.inc({ target: s.target, state: s.state });
    },
  });
  new Gauge({
    name: 'netdx_fleet_incidents_open',
    help: 'Open incidents by target, fault code and scope (target, label key=values, agent, agents).',
    labelNames: ['target', 'code', 'scope'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const i of await store.incidents('open')) {
        const s = i.scope as { kind: string; key?: string; values?: string[]; agent?: string } | null;
        const scope = !s ? '' : s.kind === 'label' ? `${s.key}=${(s.values ?? []).join('|')}` : s.kind === 'agent' ? `agent=${s.agent}` : s.kind;
        this.inc({ target: i.target, code: i.code, scope });
      }
    },
  });
  return { registry, authFailures, rejected, events, duplicates, ingest };
}
