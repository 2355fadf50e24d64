/**
 * The field case across a fleet, for real: 3 regions × 2 agent processes in their own
 * namespaces, one server process on a management network; the Shanghai misroute must come out
 * as one incident — NET-004, scope region=sh, the HK ISP's router as common evidence — with
 * Beijing and Shenzhen green, and recover after the repair.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HK_GW, runFleetDemo } from './fleet-demo.js';

const root = process.getuid?.() === 0;

test('fleet demo: the Shanghai misroute is classified, located (region=sh, via the HK router) and recovers', { skip: root ? false : 'needs root (network namespaces)', timeout: 300_000 }, async () => {
  const lines: string[] = [];
  const r = await runFleetDemo({ perRegion: 2, intervalS: 2, log: (l) => lines.push(l) });
  assert.deepEqual(r.failures, [], lines.join('\n'));
  assert.equal(r.pass, true);
  assert.equal(r.agents, 6);
  const inc = r.incident as { code: string; scope: unknown; summary: string; commonEvidence: Array<{ key: string; value: string; healthyValue: string | null }> };
  assert.equal(inc.code, 'NET-004');
  assert.deepEqual(inc.scope, { kind: 'label', key: 'region', values: ['sh'] });
  assert.match(inc.summary, /on 2\/2 agents of region=sh \(0\/2 of region=bj, 0\/2 of region=sz\)/);
  const route = inc.commonEvidence.find((e) => e.key === 'route to 203.0.113.80')!;
  assert.equal(route.value, `via ${HK_GW} dev eth0`);
  assert.match(route.healthyValue ?? '', /^via 100\.64\.[13]0\.1 dev eth0$/);
  assert.ok(r.classifiedMs! < 60_000 && r.locatedMs! < 60_000, `classified ${r.classifiedMs} ms, located ${r.locatedMs} ms`);
  assert.ok(r.recoveredMs !== null);
});
