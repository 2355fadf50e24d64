import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseManagementState, parseOpenVpnArgs, parseOpenVpnConfig, parseOpenVpnStatus, parsePushReply, routePrefix, splitWords } from './tunnel-openvpn-parse.js';
import { collectOpenVpn, type ManagementFn } from './tunnel-openvpn.js';
import { tunnelFixture } from './tunnel-fixtures.js';
import { parseLinks } from './parse/links.js';

test('client config (captured lab file): remote, proto, dev, management, status', () => {
  const c = parseOpenVpnConfig(tunnelFixture('ovpn-client.conf'), 'client.conf');
  assert.equal(c.mode, 'client');
  assert.deepEqual(c.remotes, [{ host: '203.0.113.10', port: 1194, proto: 'udp' }]);
  assert.equal(c.dev, 'ndxvc0ovpn');
  assert.deepEqual(c.management, { kind: 'tcp', host: '127.0.0.1', port: 7505 });
  assert.equal(c.statusFile, '/tmp/ndxvpn/client-status.txt');
  assert.equal(c.tlsAuth, false);
  assert.deepEqual(c.problems, []);
});

test('server config: mode, pushed route is not a local route, keepalive', () => {
  const c = parseOpenVpnConfig(tunnelFixture('ovpn-server.conf'), 'server.conf');
  assert.equal(c.mode, 'server');
  assert.equal(c.pingSec, 10);
  assert.equal(c.pingRestartSec, 60);
  assert.deepEqual(c.routes, []);
});

test('config details: remote with its own port/proto, tcp-client, inline tls-crypt, routes, compress, quoting, comments', () => {
  const c = parseOpenVpnConfig(
    [
      'client',
      'proto tcp-client',
      'port 443',
      'remote vpn.lab.test',
      'remote 203.0.113.11 1195 udp',
      'route 100.98.0.0 255.255.255.0',
      'route-ipv6 2001:db8:98::/48',
      'tun-mtu 1400',
      'cipher AES-256-CBC',
      'auth SHA256',
      'comp-lzo',
      '# a comment',
      '; another',
      '<tls-crypt>',
      'secret',
      '</tls-crypt>',
      'status "/var/log/open vpn.status" 10',
    ].join('\n'),
    'x.conf',
  );
  assert.deepEqual(c.remotes, [
    { host: 'vpn.lab.test', port: 443, proto: 'tcp' },
    { host: '203.0.113.11', port: 1195, proto: 'udp' },
  ]);
  assert.deepEqual(c.routes, ['100.98.0.0/24', '2001:db8:98::/48']);
  assert.equal(c.tunMtu, 1400);
  assert.equal(c.cipher, 'AES-256-CBC');
  assert.equal(c.auth, 'SHA256');
  assert.equal(c.tlsAuth, true);
  assert.equal(c.compress, true);
  assert.equal(c.statusFile, '/var/log/open vpn.status');
  assert.ok(!JSON.stringify(c).includes('secret'));
});

test('a truncated config (open inline block) is read up to the cut, with one line saying so', () => {
  const c = parseOpenVpnConfig('client\nremote 203.0.113.10 1194\n<key>\n-----BEGIN PRIVATE KEY-----\nAAAA', 'cut.conf');
  assert.equal(c.remotes.length, 1);
  assert.deepEqual(c.problems, ['cut.conf: inline block <key> is not closed (file truncated?)']);
  assert.ok(!JSON.stringify(c).includes('AAAA'));
});

test('command line: --config, --cd, inline options after the file', () => {
  const a = parseOpenVpnArgs(['--cd', '/etc/openvpn/client', '--config', 'office.conf', '--remote', '203.0.113.12', '1194', '--dev', 'tun7']);
  assert.equal(a.config, 'office.conf');
  assert.equal(a.cd, '/etc/openvpn/client');
  const c = parseOpenVpnConfig(`client\nremote 203.0.113.10 1194\n${a.lines.join('\n')}`, 'office.conf');
  assert.equal(c.dev, 'tun7');
  assert.deepEqual(
    c.remotes.map((r) => r.host),
    ['203.0.113.10', '203.0.113.12'],
  );
  assert.equal(parseOpenVpnArgs(['client.conf']).config, 'client.conf');
});

test('words and masks', () => {
  assert.deepEqual(splitWords('remote "a b" 1194 # c'), ['remote', 'a b', '1194']);
  assert.deepEqual(splitWords("x 'it''s' y\\ z"), ['x', 'its', 'y z']);
  assert.equal(routePrefix('100.98.0.0', '255.255.255.0'), '100.98.0.0/24');
  assert.equal(routePrefix('100.98.0.0', '255.0.255.0'), null);
  assert.equal(routePrefix('100.98.0.9'), '100.98.0.9/32');
});

test('client status file (captured): underlay read/write bytes', () => {
  const s = parseOpenVpnStatus(tunnelFixture('ovpn-client-status.txt'), 'client-status.txt');
  assert.equal(s.kind, 'client');
  assert.equal(s.readBytes, 2032);
  assert.equal(s.writeBytes, 2072);
  assert.deepEqual(s.problems, []);
});

test('server status v1, v2, v3 (captured): one client with its real address, counters and virtual address', () => {
  const v1 = parseOpenVpnStatus(tunnelFixture('ovpn-server-status-v1.txt'), 'v1');
  assert.equal(v1.kind, 'server');
  assert.deepEqual(v1.clients, [
    {
      publicKey: null,
      name: 'client',
      endpoint: { host: '198.51.100.10', port: 59796, proto: 'udp' },
      allowedIps: ['100.97.0.2/32'],
      latestHandshake: null,
      rxBytes: 2166,
      txBytes: 2114,
      keepaliveSec: null,
    },
  ]);
  const all = tunnelFixture('ovpn-server-mgmt-status123.txt');
  const parts = all.split(/(?<=^END\n)/m);
  assert.equal(parts.length, 3);
  for (const part of parts.slice(1)) {
    const s = parseOpenVpnStatus(part, 'v2/3');
    assert.deepEqual(s.problems, []);
    assert.equal(s.clients.length, 1);
    assert.equal(s.clients[0]!.latestHandshake, 1795718679);
    assert.deepEqual(s.clients[0]!.allowedIps, ['100.97.0.2/32']);
    assert.equal(s.clients[0]!.endpoint?.port, 59796);
  }
});

test('a truncated status file: what is there is read, and one clear line', () => {
  const full = tunnelFixture('ovpn-client-status.txt');
  const cut = full.slice(0, full.indexOf('TCP/UDP write'));
  const s = parseOpenVpnStatus(cut, '/run/openvpn/client.status');
  assert.equal(s.readBytes, 2032);
  assert.equal(s.writeBytes, null);
  assert.deepEqual(s.problems, ['/run/openvpn/client.status: truncated (no END line); read what is there']);
  assert.match(parseOpenVpnStatus('', 'empty').problems[0]!, /not an OpenVPN status/);
});

test('management: state and PUSH_REPLY (routes, tun-mtu, ping, cipher) from the captured answers', () => {
  const text = tunnelFixture('ovpn-client-mgmt-healthy.txt');
  const st = parseManagementState(text.split('END')[0]!);
  assert.deepEqual(st, { since: 1795718679, state: 'CONNECTED', detail: 'SUCCESS', localIp: '100.97.0.2', remote: { host: '203.0.113.10', port: 1194 } });
  assert.deepEqual(parsePushReply(text), { routes: ['100.98.0.0/24'], tunMtu: 1500, pingSec: 10, pingRestartSec: 60, cipher: 'AES-256-GCM' });
  assert.equal(parseManagementState('garbage'), null);
});

test('property: status, config and management parsers never throw', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.string(),
          fc.constantFrom('END', 'OpenVPN CLIENT LIST', 'OpenVPN STATISTICS', 'CLIENT_LIST,a,b', 'ROUTING TABLE', 'remote', 'route 203.0.113.4', '<ca>', 'PUSH_REPLY,route x', '1,CONNECTED,'),
        ),
        { maxLength: 30 },
      ),
      (lines) => {
        const t = lines.join('\n');
        parseOpenVpnStatus(t, 's');
        parseOpenVpnConfig(t, 'c');
        parseManagementState(t);
        parsePushReply(t);
      },
    ),
  );
});

function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'ndx-ovpn-'));
  const p = (...x: string[]) => join(root, ...x);
  mkdirSync(p('etc/openvpn/client'), { recursive: true });
  const conf = tunnelFixture('ovpn-client.conf').replace('/tmp/ndxvpn/client-status.txt', 'client-status.txt');
  writeFileSync(p('etc/openvpn/client/office.conf'), conf);
  writeFileSync(p('etc/openvpn/client/client-status.txt'), tunnelFixture('ovpn-client-status.txt'));
  writeFileSync(p('etc/openvpn/client/home.conf'), 'client\ndev tun9\nremote vpn.home.test 1194\n');
  mkdirSync(p('proc/self/ns'), { recursive: true });
  symlinkSync('net:[4026531840]', p('proc/self/ns/net'));
  // Our namespace's client, with its tun fd.
  mkdirSync(p('proc/4242/ns'), { recursive: true });
  mkdirSync(p('proc/4242/fd'));
  mkdirSync(p('proc/4242/fdinfo'));
  writeFileSync(p('proc/4242/comm'), 'openvpn\n');
  writeFileSync(p('proc/4242/cmdline'), ['openvpn', '--cd', '/etc/openvpn/client', '--config', 'office.conf', '--daemon'].join('\0') + '\0');
  symlinkSync('net:[4026531840]', p('proc/4242/ns/net'));
  symlinkSync('/etc/openvpn/client', p('proc/4242/cwd'));
  symlinkSync('/dev/net/tun', p('proc/4242/fd/7'));
  symlinkSync('socket:[1]', p('proc/4242/fd/3'));
  writeFileSync(p('proc/4242/fdinfo/7'), 'pos:\t0\nflags:\t02\nmnt_id:\t25\niff:\tndxvc0ovpn\n');
  // Another namespace's server: skipped.
  mkdirSync(p('proc/4343/ns'), { recursive: true });
  writeFileSync(p('proc/4343/comm'), 'openvpn\n');
  writeFileSync(p('proc/4343/cmdline'), 'openvpn\0--config\0/tmp/server.conf\0');
  symlinkSync('net:[4026532999]', p('proc/4343/ns/net'));
  mkdirSync(p('proc/77'));
  writeFileSync(p('proc/77/comm'), 'bash\n');
  return root;
}

test('collector: the running client of this namespace (fdinfo device, status file, management), the other namespace skipped, a configured client listed', async () => {
  const root = fakeRoot();
  const links = parseLinks(tunnelFixture('ip-addr-client-ns.json'));
  const calls: string[][] = [];
  const management: ManagementFn = async (m, cmds) => {
    calls.push([JSON.stringify(m), ...cmds]);
    return { ok: true, text: tunnelFixture('ovpn-client-mgmt-healthy.txt') };
  };
  const { tunnels, problems } = await collectOpenVpn({ root, timeoutMs: 1000, management }, links);
  assert.deepEqual(problems, []);
  assert.deepEqual(calls, [['{"kind":"tcp","host":"127.0.0.1","port":7505}', 'state', 'status', 'log all']]);
  assert.deepEqual(
    tunnels.map((t) => [t.dev, t.source, t.service]),
    [
      ['ndxvc0ovpn', 'running', null],
      ['tun9', 'config', 'openvpn-client@home'],
    ],
  );
  const t = tunnels[0]!;
  assert.deepEqual(t.problems, []);
  assert.equal(t.link?.mtu, 1500);
  assert.equal(t.mtu, 1500);
  assert.deepEqual(t.networks, ['100.97.0.0/24', '100.98.0.0/24']);
  assert.equal(t.openvpn?.state, 'CONNECTED');
  assert.equal(t.openvpn?.cipher, 'AES-256-GCM');
  assert.equal(t.openvpn?.pid, 4242);
  assert.equal(t.openvpn?.configFile, '/etc/openvpn/client/office.conf');
  assert.deepEqual(t.peers[0]!.endpoint, { host: '203.0.113.10', port: 1194, proto: 'udp' });
  assert.equal(t.peers[0]!.latestHandshake, 1795718679);
  assert.equal(t.peers[0]!.keepaliveSec, 10);
  assert.equal(tunnels[1]!.peers[0]!.endpoint?.host, 'vpn.home.test');
});

test('collector: an unreachable management interface and a missing status file are lines, not failures', async () => {
  const root = fakeRoot();
  writeFileSync(join(root, 'etc/openvpn/client/office.conf'), tunnelFixture('ovpn-client.conf').replace('/tmp/ndxvpn/client-status.txt', '/nowhere/status.txt'));
  const management: ManagementFn = async () => ({ ok: false, reason: 'ECONNREFUSED' });
  const { tunnels } = await collectOpenVpn({ root, timeoutMs: 1000, management }, null);
  const t = tunnels[0]!;
  assert.equal(t.openvpn?.state, null);
  assert.equal(t.peers[0]!.latestHandshake, null);
  assert.ok(t.problems.some((p) => /status file .*nowhere\/status\.txt: cannot read \(ENOENT\)/.test(p)));
  assert.ok(t.problems.includes('management interface: ECONNREFUSED'));
});
