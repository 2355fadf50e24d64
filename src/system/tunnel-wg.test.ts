import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { collectWireGuard, parseAllowedIps, parseWgDump, parseWgQuickConf, markOf } from './tunnel-wg.js';
import { bigWgDump, tunnelFixture } from './tunnel-fixtures.js';
import { parseLinks } from './parse/links.js';
import type { ExecFn } from './exec.js';

const PRIVATE = 'oBuJw2mQbFbq9sI6x0hXcC6YB7U0r4dMnW8Xg1sTZ2E=';

test('wg show all dump (captured, wireguard-go in three namespaces): interfaces, peers, counters, keepalive', () => {
  const d = parseWgDump(tunnelFixture('wg-dump-client-ns.txt'));
  assert.deepEqual(d.problems, []);
  assert.deepEqual(
    d.interfaces.map((i) => i.name),
    ['ndxvs0wg', 'ndxvc0wg', 'ndxvc1wg'],
  );
  const c0 = d.interfaces[1]!;
  assert.equal(c0.listenPort, 33102);
  assert.equal(c0.publicKey, 'zELFsP+lJ3Fzl+s6QasmiEmP7Qawt1IgdaJ0mDv1gG0=');
  assert.deepEqual(c0.peers, [
    {
      publicKey: 'CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=',
      name: null,
      endpoint: { host: '203.0.113.10', port: 51820, proto: 'udp' },
      allowedIps: ['100.96.0.0/24'],
      latestHandshake: 1795718776,
      rxBytes: 716,
      txBytes: 1956,
      keepaliveSec: 25,
    },
  ]);
  // The failing tunnel: never a handshake, one initiation (148 bytes) out, nothing back.
  const c1 = d.interfaces[2]!.peers[0]!;
  assert.equal(c1.latestHandshake, 0);
  assert.equal(c1.rxBytes, 0);
  assert.equal(c1.txBytes, 148);
  assert.equal(c1.keepaliveSec, null);
});

test('no private or preshared key survives parsing', () => {
  const d = parseWgDump(tunnelFixture('wg-dump-client-ns.txt'));
  assert.ok(!JSON.stringify(d).includes(PRIVATE));
  const withPsk = `wg0\t${PRIVATE}\tzELFsP+lJ3Fzl+s6QasmiEmP7Qawt1IgdaJ0mDv1gG0=\t51820\toff\nwg0\tCFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=\tWjYOsV3hFPdl0QmXhdNpNUW0GaeSiJc2qCcMd9d7BCI=\t(none)\t(none)\t0\t0\t0\toff\n`;
  const s = JSON.stringify(parseWgDump(withPsk));
  assert.ok(!s.includes(PRIVATE) && !s.includes('WjYOsV3h'));
});

test('wg show IFACE dump (no interface column)', () => {
  const d = parseWgDump(tunnelFixture('wg-dump-iface-client.txt'), 'ndxvc0wg');
  assert.deepEqual(d.problems, []);
  assert.equal(d.interfaces.length, 1);
  assert.equal(d.interfaces[0]!.peers[0]!.endpoint?.port, 51820);
});

test('a dump from a newer wg with extra fields: the known fields are read and one clear line says so', () => {
  const newer = tunnelFixture('wg-dump-client-ns.txt')
    .trim()
    .split('\n')
    .map((l) => `${l}\tnew-field\t42`)
    .join('\n');
  const d = parseWgDump(newer);
  assert.equal(d.interfaces.length, 3);
  assert.equal(d.interfaces[1]!.peers[0]!.latestHandshake, 1795718776);
  assert.equal(d.problems.length, 1);
  assert.match(d.problems[0]!, /more fields than this netdx knows \(a newer wg\?\)/);
});

test('odd lines become problems, never a crash: short lines, bad keys, bad endpoint, bad handshake', () => {
  const text = [
    'wg0\tx\ty',
    `wg1\t${PRIVATE}\tzELFsP+lJ3Fzl+s6QasmiEmP7Qawt1IgdaJ0mDv1gG0=\t1\toff`,
    'wg1\tnot-a-key\t(none)\t(none)\t(none)\t0\t0\t0\toff',
    `wg1\tCFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=\t(none)\tnowhere\t10.0.0.0/33,100.96.0.0/24\tsoon\t0\t0\toff`,
  ].join('\n');
  const d = parseWgDump(text);
  assert.equal(d.interfaces.length, 1);
  assert.equal(d.interfaces[0]!.peers.length, 1);
  assert.deepEqual(d.interfaces[0]!.peers[0]!.allowedIps, ['100.96.0.0/24']);
  assert.equal(d.problems.length, 5);
  assert.ok(d.problems.every((p) => /^wg show all dump line \d+: /.test(p)));
});

test('allowed IPs are normalized to networks', () => {
  assert.deepEqual(parseAllowedIps('100.96.0.7/24, 2001:db8:0::1/64,0.0.0.0/0').prefixes, ['100.96.0.0/24', '2001:db8::/64', '0.0.0.0/0']);
  assert.deepEqual(parseAllowedIps('(none)'), { prefixes: [], bad: [] });
});

test('500 peers: parsed completely', () => {
  const d = parseWgDump(bigWgDump('wg0', 500));
  assert.deepEqual(d.problems, []);
  assert.equal(d.interfaces[0]!.peers.length, 500);
  assert.equal(d.interfaces[0]!.peers[499]!.allowedIps[0], '100.64.1.250/32');
});

test('property: any text parses without throwing; every problem is one line', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(fc.string(), fc.constantFrom('wg0', '(none)', 'off', '25', '0', PRIVATE, '203.0.113.1:51820', '100.96.0.0/24')), { maxLength: 11 }), { maxLength: 20 }),
      (rows) => {
        const d = parseWgDump(rows.map((r) => r.join('\t')).join('\n'));
        for (const p of d.problems) assert.ok(!p.includes('\n'));
        for (const i of d.interfaces) for (const p of i.peers) assert.ok(p.latestHandshake === null || Number.isSafeInteger(p.latestHandshake));
      },
    ),
  );
});

test('wg-quick file: addresses, MTU, peers with named endpoints; keys other than public are not kept', () => {
  const conf = `[Interface]\nPrivateKey = ${PRIVATE}\nAddress = 100.96.0.2/24, 2001:db8:96::2/64\nMTU = 1380\n\n[Peer]\nPublicKey = CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=\nPresharedKey = WjYOsV3hFPdl0QmXhdNpNUW0GaeSiJc2qCcMd9d7BCI=\nEndpoint = vpn.lab.test:51820\nAllowedIPs = 100.96.0.0/24\nPersistentKeepalive = 25\nbogus line\n`;
  const c = parseWgQuickConf(conf, '/etc/wireguard/wg0.conf', 'wg0');
  assert.deepEqual(c.addresses, ['100.96.0.2/24', '2001:db8:96::2/64']);
  assert.equal(c.mtu, 1380);
  assert.equal(c.peers[0]!.endpoint?.host, 'vpn.lab.test');
  assert.equal(c.peers[0]!.keepaliveSec, 25);
  assert.deepEqual(c.problems, ["/etc/wireguard/wg0.conf:12: not 'Key = value'"]);
  assert.ok(!JSON.stringify(c).includes(PRIVATE) && !JSON.stringify(c).includes('WjYOsV3h'));
});

const fakeExec =
  (stdout: string, over: Partial<{ code: number | null; failure: string | null; stderr: string }> = {}): ExecFn =>
  async () => ({ stdout, stderr: over.stderr ?? '', code: over.code === undefined ? 0 : over.code, failure: over.failure ?? null });

test('collector keeps only interfaces that exist as links in this namespace (wireguard-go shares its socket dir)', async () => {
  const links = parseLinks(tunnelFixture('ip-addr-client-ns.json'));
  const root = mkdtempSync(join(tmpdir(), 'ndx-wg-'));
  const { tunnels, problems } = await collectWireGuard({ exec: fakeExec(tunnelFixture('wg-dump-client-ns.txt')), root, timeoutMs: 1000 }, links);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    tunnels.map((t) => t.dev),
    ['ndxvc0wg', 'ndxvc1wg'],
  );
  const t = tunnels[0]!;
  assert.equal(t.link?.mtu, 1420);
  assert.equal(t.link?.kind, 'tun');
  assert.deepEqual(t.networks, ['100.96.0.0/24']);
  assert.equal(t.source, 'running');
});

test('collector: a wg-quick file names the endpoint and the service; a configured tunnel without its interface is source config', async () => {
  const links = parseLinks(tunnelFixture('ip-addr-client-ns.json'));
  const root = mkdtempSync(join(tmpdir(), 'ndx-wg-'));
  mkdirSync(join(root, 'etc/wireguard'), { recursive: true });
  writeFileSync(
    join(root, 'etc/wireguard/ndxvc0wg.conf'),
    '[Interface]\nAddress = 100.96.0.2/24\n[Peer]\nPublicKey = CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=\nEndpoint = vpn.lab.test:51820\nAllowedIPs = 100.96.0.0/24\n',
  );
  writeFileSync(
    join(root, 'etc/wireguard/office.conf'),
    '[Interface]\nAddress = 100.100.0.2/24\n[Peer]\nPublicKey = CFiKg/lDbWO7xMU1hcFMakCJ/6E5b8BeUSlO89aOThU=\nEndpoint = 203.0.113.30:51820\nAllowedIPs = 100.100.0.0/24\n',
  );
  const { tunnels } = await collectWireGuard({ exec: fakeExec(tunnelFixture('wg-dump-client-ns.txt')), root, timeoutMs: 1000 }, links);
  const c0 = tunnels.find((t) => t.dev === 'ndxvc0wg')!;
  assert.equal(c0.service, 'wg-quick@ndxvc0wg');
  assert.deepEqual(c0.peers[0]!.endpoint, { host: '203.0.113.10', port: 51820, proto: 'udp', name: 'vpn.lab.test' });
  const office = tunnels.find((t) => t.dev === 'office')!;
  assert.equal(office.source, 'config');
  assert.equal(office.link, null);
  assert.deepEqual(office.networks, ['100.100.0.0/24']);
});

test('collector: wg missing is silent without WireGuard anywhere; permission denied is one clear line', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ndx-wg-'));
  const none = await collectWireGuard({ exec: fakeExec('', { code: null, failure: 'ENOENT' }), root, timeoutMs: 1000 }, []);
  assert.deepEqual(none, { tunnels: [], problems: [] });
  const denied = await collectWireGuard({ exec: fakeExec('', { code: 1, stderr: 'Unable to list interfaces: Permission denied\n' }), root, timeoutMs: 1000 }, []);
  assert.deepEqual(denied.problems, ['wg exited with code 1: Unable to list interfaces: Permission denied']);
});

test('markOf: the fwmark of `wg show dump` (0x-hex or decimal); off, zero and junk are none', () => {
  assert.equal(markOf('0xca6c'), 51820);
  assert.equal(markOf('51820'), 51820);
  assert.equal(markOf('0xffffffff'), 0xffffffff);
  for (const x of [null, 'off', '0', '0x0', '-1', '0x1ffffffff', 'mark', '']) assert.equal(markOf(x), null, String(x));
});
