import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-008-peer-not-allowed.js';
import { assertFinding, commands, echo, routeLookup, run } from './fixtures.js';
import { SERVER_KEY, healthyTunnel, tunnelRoute, tunnelState, VTARGET } from './vpn-fixtures.js';

const to = (dst: string) => routeLookup(dst, { dev: 'wg0', gateway: null, route: `${dst} dev wg0` });

test('invalid: the route sends 100.98.0.5 into wg0 but the only peer allows 100.96.0.0/24 → the exact AllowedIPs change', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelState({ carrier: null, networks: ['100.96.0.0/24', '100.98.0.0/24'], targetNetwork: '100.98.0.0/24' }),
        to('100.98.0.5'),
        echo({ address: '100.98.0.5', received: 0, sent: 1, reason: 'sendmsg: Required key not available' }),
      ],
      { target: '100.98.0.5' },
    ),
  );
  assert.equal(f.title, 'The route sends 100.98.0.5 into wg0, but no peer of wg0 allows it');
  assert.match(f.explanation, /\(sendmsg: Required key not available\)/);
  assert.deepEqual(commands(f), [`wg set wg0 peer ${SERVER_KEY} allowed-ips 100.96.0.0/24,100.98.0.5/32`]);
});

test('invalid: wireguard-go drops silently; many peers, none allows it', () => {
  const f = assertFinding(rule, run(rule, [tunnelState({ carrier: null, peerCount: 500 }), to('100.98.0.5'), echo({ address: '100.98.0.5', received: 0 })], { target: '100.98.0.5' }));
  assert.match(f.explanation, /dropped without an error/);
  assert.ok(f.evidence.some((e) => /\(500 peers, 1 shown\)/.test(e.summary)));
});

test('valid: a peer carries it (healthy); the route does not enter wg0; OpenVPN (the server decides)', () => {
  assert.equal(run(rule, healthyTunnel(), { target: VTARGET }), null);
  assert.equal(run(rule, [tunnelState({ carrier: null }), routeLookup('100.98.0.5')], { target: '100.98.0.5' }), null);
  assert.equal(run(rule, [tunnelState({ kind: 'openvpn', carrier: null }), tunnelRoute()], { target: VTARGET }), null);
});
