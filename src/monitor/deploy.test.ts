/**
 * deploy/: the alert rules pass `promtool check rules` and their unit tests (`promtool test
 * rules`), the example Prometheus config passes `promtool check config`, and every netdx_* series
 * the rules, the dashboard and the examples name is one the monitor exports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Monitor } from './loop.js';
import { parseMonitorConfig } from './config.js';
import { buildRegistry } from './metrics.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const promtool = spawnSync('promtool', ['--version']).status === 0;

test('promtool: rules check, rule unit tests, example config', { skip: promtool ? false : 'promtool not installed (Debian package prometheus; scripts/setup-debian.sh)' }, () => {
  const dir = `${DEPLOY}prometheus`;
  const run = (args: string[]): string => execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(run(['check', 'rules', 'netdx-rules.yml']), /SUCCESS: 9 rules found/);
  assert.match(run(['test', 'rules', 'netdx-rules.test.yml']), /SUCCESS/);
  assert.match(run(['check', 'config', 'prometheus.yml']), /SUCCESS/);
});

test('every netdx_* series named in deploy/ is exported by the monitor', async () => {
  const cfg = parseMonitorConfig('targets:\n  - name: a\n    target: 198.51.100.1\n', 'x.yaml', 'en');
  const m = new Monitor(cfg, { check: async () => ({ ok: true, ms: 1, at: 0, address: null, reason: null, signature: 'ok', resolveMs: 0 }), diagnose: async () => ({}) as never });
  const reg = buildRegistry(m, { storeWritable: () => true, reloadOk: () => true, reloadAt: () => 0, snapshotAge: () => null, snapshotRefreshes: () => 0 });
  const text = await reg.metrics();
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((x) => x[1]!));
  const files = ['prometheus/netdx-rules.yml', 'grafana/netdx-dashboard.json', 'alertmanager/alertmanager.yml'];
  const named = new Set(files.flatMap((f) => readFileSync(DEPLOY + f, 'utf8').match(/\bnetdx_[a-z_]+\b/g) ?? []));
  assert.ok(named.size >= 8, [...named].join(' '));
  for (const n of named) assert.ok(exported.has(n), `${n} is named in deploy/ but not exported`);
  const dash = JSON.parse(readFileSync(DEPLOY + 'grafana/netdx-dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const need of ['netdx_state', 'netdx_fault_info{primary="true"', 'netdx_icmp_rtt_seconds', 'netdx_icmp_loss_ratio', 'netdx_cert_expiry_timestamp_seconds'])
    assert.ok(exprs.includes(need), need);
  await m.stop();
});

test('promtool check metrics accepts /metrics (with findings, layers, labels that need escaping)', { skip: promtool ? false : 'promtool not installed' }, async () => {
  const cfg = parseMonitorConfig('targets:\n  - name: a\n    target: 198.51.100.1:443\n    labels: { note: "say \\"hi\\" \\\\ there" }\n  - name: b\n    target: 198.51.100.2\n', 'x.yaml', 'en');
  const report = {
    verdict: 'fault',
    durationMs: 300,
    primary: { code: 'TLS-001' },
    findings: [
      { code: 'TLS-001', slug: 'cert-expired', layer: 'tls', severity: 'error' },
      { code: 'NET-005', slug: 'icmp-blocked', layer: 'network', severity: 'info' },
    ],
    layers: [
      { layer: 'tls', status: 'fail' },
      { layer: 'app', status: 'skip' },
    ],
    observations: [],
  };
  const m = new Monitor(cfg, { check: async () => ({ ok: true, ms: 1, at: 0, address: null, reason: null, signature: 'ok', resolveMs: 0 }), diagnose: async () => report as never });
  const [a, b] = m.targets();
  m.apply(a!, { ok: false, ms: 12, at: 1e12, address: '198.51.100.1', reason: 'x', signature: 'tls:CERT_HAS_EXPIRED', resolveMs: 0, certNotAfter: 1.7e12 });
  await m.stop();
  m.apply(b!, { ok: true, ms: 1, at: 1e12, address: '198.51.100.2', reason: null, signature: 'ok', resolveMs: 0, rttMs: 0.5 });
  const reg = buildRegistry(m, { storeWritable: () => false, reloadOk: () => true, reloadAt: () => 0, snapshotAge: () => 3, snapshotRefreshes: () => 2 });
  const text = await reg.metrics();
  assert.match(text, /^netdx_fault_info\{note="say \\"hi\\" \\\\ there",target="a",code="TLS-001",slug="cert-expired",layer="tls",severity="error",primary="true"\} 1$/m);
  assert.match(text, /^netdx_layer_status\{.*target="a",layer="tls"\} 2$/m);
  assert.match(text, /^netdx_icmp_loss_ratio\{target="b"\} 0$/m);
  assert.match(text, /^netdx_store_writable 0$/m);
  assert.match(text, /^netdx_diagnosis_verdict\{.*target="a",verdict="fault"\} 1$/m);
  // an undetermined diagnosis: verdict unknown, the layers it could not judge, no fault series
  b!.report = {
    verdict: 'unknown',
    durationMs: 50,
    primary: null,
    findings: [],
    undetermined: [{ layer: 'tls', reason: 'handshake error' }],
    layers: [{ layer: 'tls', status: 'unknown' }],
    observations: [],
  } as never;
  const t2 = await reg.metrics();
  assert.match(t2, /^netdx_diagnosis_verdict\{target="b",verdict="unknown"\} 1$/m);
  assert.match(t2, /^netdx_diagnosis_undetermined\{target="b",layer="tls"\} 1$/m);
  assert.match(t2, /^netdx_layer_status\{target="b",layer="tls"\} -2$/m);
  assert.doesNotMatch(t2, /^netdx_fault_info\{target="b"/m);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  // prom-client's own nodejs_* gauges named *_total draw lint remarks; the text must parse and no netdx_ series may draw one
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /error while linting|parse|netdx_/i, out);
  await m.stop();
});
