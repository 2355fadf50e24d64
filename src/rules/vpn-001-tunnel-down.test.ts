import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-001-tunnel-down.js';
import { assertFinding, commands, echo, routeLookup, run } from './fixtures.js';
import { VTARGET, healthyTunnel, tunnelState } from './vpn-fixtures.js';

const T = { target: VTARGET };

test('invalid: the tunnel interface is down → bring it up, or start its service', () => {
  const f = assertFinding(rule, run(rule, [tunnelState({ up: false, selectedBy: 'network' }), routeLookup(VTARGET, { outcome: 'no-route', dev: null, gateway: null, route: null })], T));
  assert.equal(f.title, 'The tunnel interface wg0 is down');
  assert.deepEqual(commands(f), ['ip link set wg0 up', 'systemctl start wg-quick@wg0']);
  assert.match(f.evidence[0]!.summary, /wireguard wg0 \(running, chosen by network\): DOWN, mtu 1420/);
});

test('invalid: only a config file names the tunnel (service not running) → start the service', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState({ source: 'config', present: false, up: null, mtu: null, selectedBy: 'network', service: 'openvpn-client@office', kind: 'openvpn', dev: 'tun0' })], T),
  );
  assert.equal(f.title, 'The tunnel interface tun0 is not running (configured only)');
  assert.deepEqual(commands(f), ['systemctl start openvpn-client@office']);
});

test('invalid: --tunnel names an interface that does not exist → missing, advice without a command', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState({ dev: 'tun7', kind: 'other', source: 'missing', present: false, up: null, selectedBy: 'option', service: null, peers: [], peerCount: 0, carrier: null })], T),
  );
  assert.equal(f.title, 'The tunnel interface tun7 is missing');
  assert.deepEqual(commands(f), []);
  assert.match(f.fix[0]!.summary, /tun7/);
});

test('zh: the title and fixes are Chinese', () => {
  const f = assertFinding(rule, run(rule, [tunnelState({ up: false })], { ...T, lang: 'zh' }));
  assert.match(f.title, /虚拟网卡未启用.*wg0/);
  assert.match(f.fix[0]!.summary, /启用隧道网卡/);
});

test('valid: a running, up tunnel; a running OpenVPN still trying (no tun yet) is judged by its handshake, not here', () => {
  assert.equal(run(rule, healthyTunnel(), T), null);
  assert.equal(run(rule, [tunnelState({ kind: 'openvpn', dev: 'tun', present: false, up: null, source: 'running' }), echo({ address: VTARGET, received: 0 })], T), null);
  assert.equal(run(rule, [], T), null);
});
