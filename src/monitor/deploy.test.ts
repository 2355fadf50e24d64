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
  const exported = new Set((await reg.getMetricsAsJSON()).map((x) => x.name));
  const files = ['prometheus/netdx-rules.yml', 'grafana/netdx-dashboard.json', 'alertmanager/alertmanager.yml'];
  const named = new Set(files.flatMap((f) => readFileSync(DEPLOY + f, 'utf8').match(/\bnetdx_[a-z_]+\b/g) ?? []));
  assert.ok(named.size >= 8, [...named].join(' '));
  for (const n of named) assert.ok(exported.has(n), `${n} is named in deploy/ but not exported`);
  const dash = JSON.parse(readFileSync(DEPLOY + 'grafana/netdx-dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const need of ['netdx_state', 'netdx_fault_info{primary="true"', 'netdx_icmp_rtt_seconds', 'netdx_icmp_loss_ratio', 'netdx_cert_expiry_timestamp_seconds']) assert.ok(exprs.includes(need), need);
  await m.stop();
});
