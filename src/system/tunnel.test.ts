import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTunnels } from './tunnel.js';
import { tunnelFixture } from './tunnel-fixtures.js';
import type { ExecFn } from './exec.js';

const root = (): string => mkdtempSync(join(tmpdir(), 'ndx-tun-'));

function exec(map: Record<string, { stdout?: string; code?: number | null; failure?: string | null; stderr?: string }>): ExecFn {
  return async (file) => {
    const r = map[file] ?? { code: null, failure: 'ENOENT' };
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code === undefined ? 0 : r.code, failure: r.failure ?? null };
  };
}

test('collectTunnels: WireGuard from wg, the OpenVPN tun that no process of this namespace holds becomes an "other" tunnel', async () => {
  const c = await collectTunnels({ root: root(), exec: exec({ wg: { stdout: tunnelFixture('wg-dump-client-ns.txt') }, ip: { stdout: tunnelFixture('ip-addr-client-ns.json') } }) });
  assert.ok(c.ok);
  assert.deepEqual(
    c.value.map((t) => [t.kind, t.dev]),
    [
      ['wireguard', 'ndxvc0wg'],
      ['wireguard', 'ndxvc1wg'],
      ['other', 'ndxvc0ovpn'],
    ],
  );
  assert.deepEqual(c.value[2]!.networks, ['100.97.0.0/24']);
});

test('collectTunnels: no VPN software and no tunnel link is an empty list, not a failure', async () => {
  const c = await collectTunnels({ root: root(), links: [], exec: exec({}) });
  assert.deepEqual(c, { ok: true, value: [] });
});

test('collectTunnels: without permission and nothing else known, unavailable with the reason', async () => {
  const c = await collectTunnels({ root: root(), links: [], exec: exec({ wg: { code: 1, stderr: 'Unable to list interfaces: Permission denied' } }) });
  assert.deepEqual(c, { ok: false, unavailable: 'wg exited with code 1: Unable to list interfaces: Permission denied' });
});

test('collectTunnels: a kernel wireguard link that wg cannot read keeps the reason on the tunnel', async () => {
  const links = [
    {
      name: 'wg0',
      index: 5,
      up: true,
      carrier: true,
      operstate: 'UNKNOWN',
      mtu: 1420,
      kind: 'wireguard',
      loopback: false,
      mac: null,
      master: null,
      addresses: [{ family: 4 as const, address: '100.96.0.2', prefixlen: 24, scope: 'global' }],
    },
  ];
  const c = await collectTunnels({ root: root(), links, exec: exec({ wg: { code: 1, stderr: 'Unable to access interface: Permission denied' } }) });
  assert.ok(c.ok);
  assert.equal(c.value[0]!.kind, 'wireguard');
  assert.deepEqual(c.value[0]!.problems, ['wg exited with code 1: Unable to access interface: Permission denied']);
});
