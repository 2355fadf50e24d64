import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tunnelsSchema } from './tunnel-schema.js';
import { collectTunnels } from './tunnel.js';
import { tunnelFixture } from './tunnel-fixtures.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecFn } from './exec.js';

test('what the collector produces passes the schema (JSON round trip, as a bundle file)', async () => {
  const exec: ExecFn = async (file) => (file === 'wg' ? { stdout: tunnelFixture('wg-dump-client-ns.txt'), stderr: '', code: 0, failure: null } : { stdout: tunnelFixture('ip-addr-client-ns.json'), stderr: '', code: 0, failure: null });
  const c = await collectTunnels({ exec, root: mkdtempSync(join(tmpdir(), 'ndx-ts-')) });
  assert.ok(tunnelsSchema.safeParse(JSON.parse(JSON.stringify(c))).success);
  assert.ok(tunnelsSchema.safeParse({ ok: false, unavailable: 'wg not installed' }).success);
});

test('a bundle whose tunnels are not what they claim is rejected, never half read', () => {
  for (const bad of [{ ok: true, value: [{ kind: 'wireguard' }] }, { ok: true, value: [{ kind: 'ipsec', dev: 'x' }] }, { ok: true, value: 'wg0' }, { ok: 'yes' }]) assert.equal(tunnelsSchema.safeParse(bad).success, false);
});

test('property: any JSON value is accepted or rejected without throwing', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => void tunnelsSchema.safeParse({ ok: true, value: [v] })));
});
