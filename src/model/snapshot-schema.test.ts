import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tunnelsSchema } from './snapshot-schema.js';
import { collectTunnels } from '../system/tunnel.js';
import { tunnelFixture } from '../system/tunnel-fixtures.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecFn } from '../system/exec.js';
import type { Snapshot } from './snapshot.js';
import type { SnapshotInput } from './snapshot-schema.js';

test('what the collector produces passes the schema (JSON round trip, as a bundle file)', async () => {
  const exec: ExecFn = async (file) =>
    file === 'wg' ? { stdout: tunnelFixture('wg-dump-client-ns.txt'), stderr: '', code: 0, failure: null } : { stdout: tunnelFixture('ip-addr-client-ns.json'), stderr: '', code: 0, failure: null };
  const c = await collectTunnels({ exec, root: mkdtempSync(join(tmpdir(), 'ndx-ts-')) });
  assert.ok(tunnelsSchema.safeParse(JSON.parse(JSON.stringify(c))).success);
  assert.ok(tunnelsSchema.safeParse({ ok: false, unavailable: 'wg not installed' }).success);
});

test('a bundle whose tunnels are not what they claim is rejected, never half read', () => {
  for (const bad of [{ ok: true, value: [{ kind: 'wireguard' }] }, { ok: true, value: [{ kind: 'ipsec', dev: 'x' }] }, { ok: true, value: 'wg0' }, { ok: 'yes' }])
    assert.equal(tunnelsSchema.safeParse(bad).success, false);
});

test('property: any JSON value is accepted or rejected without throwing', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => void tunnelsSchema.safeParse({ ok: true, value: [v] })));
});

test('the schema and the Snapshot type are one: a collected snapshot is valid input, a parsed one is a Snapshot', async () => {
  const { snapshotSchema } = await import('./snapshot-schema.js');
  const { fakeSnapshot } = await import('../diagnose/testing.js');
  // Compile time: every Snapshot is schema input (a new required field in the types fails to build without the schema).
  const asInput = (s: Snapshot): SnapshotInput => s;
  const s = fakeSnapshot();
  const parsed: Snapshot = snapshotSchema.parse(JSON.parse(JSON.stringify(asInput(s))));
  assert.deepEqual(parsed, s);
  // An older bundle without the descriptive link fields still reads, with "not known" values.
  const old = JSON.parse(JSON.stringify(s)) as { links: { value: Array<Record<string, unknown>> } };
  for (const l of old.links.value) for (const k of ['carrier', 'operstate', 'mtu', 'kind', 'loopback', 'mac', 'master']) delete l[k];
  const r = snapshotSchema.parse(old);
  assert.ok(r.links.ok);
  assert.deepEqual(r.links.value[1], {
    name: 'eth0',
    index: 2,
    up: true,
    carrier: null,
    operstate: 'UNKNOWN',
    mtu: null,
    kind: null,
    loopback: false,
    mac: null,
    master: null,
    addresses: s.links.ok ? s.links.value[1]!.addresses : [],
  });
});
