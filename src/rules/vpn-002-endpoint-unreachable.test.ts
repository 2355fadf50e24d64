import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-002-endpoint-unreachable.js';
import { assertFinding, echo, icmpError, neighbor, run } from './fixtures.js';
import { ENDPOINT, VTARGET, endpoint, endpointRoute, handshake, healthyTunnel, tunnelRoute, tunnelState } from './vpn-fixtures.js';

const T = { target: VTARGET };
const failing = handshake({ outcome: 'no-response', ageSec: null, txAfter: 2104, waitedMs: 2000 });

test('invalid: no handshake, and the endpoint answers neither ICMP nor the handshake → VPN-002 naming the endpoint', () => {
  const f = assertFinding(rule, run(rule, [tunnelState(), tunnelRoute(), endpointRoute(), echo({ address: ENDPOINT, sent: 3, received: 0 }), endpoint(), failing], T));
  assert.equal(f.title, `The VPN server ${ENDPOINT}:51820/udp cannot be reached over the underlay`);
  assert.match(f.explanation, /neither ICMP nor the tunnel handshake gets an answer from 203\.0\.113\.10/);
  assert.ok(f.evidence.some((e) => /ip route get 203\.0\.113\.10 \(endpoint 203\.0\.113\.10:51820\/udp\)/.test(e.summary)));
});

test('invalid: no route to the endpoint, a dead gateway, a router reporting it unreachable', () => {
  for (const under of [
    [endpointRoute({ outcome: 'no-route', dev: null, gateway: null, route: null })],
    [endpointRoute(), neighbor({ state: 'FAILED', answered: false }), echo({ address: ENDPOINT, received: 0 })],
    [endpointRoute(), echo({ address: ENDPOINT, received: 0, errors: [icmpError({ from: '198.51.100.254' })] })],
  ]) {
    const f = assertFinding(rule, run(rule, [tunnelState(), ...under, endpoint(), failing], T));
    assert.match(f.explanation, /no route|gateway 198\.51\.100\.1 does not answer|198\.51\.100\.254 reports host-unreachable/);
  }
});

test('invalid: an OpenVPN endpoint name that no longer resolves', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelState({
          kind: 'openvpn',
          dev: 'tun0',
          present: false,
          up: null,
          openvpn: { mode: 'client', state: 'RESOLVE', detail: null, proto: 'udp', tlsAuth: false, cipher: null, devType: 'tun', pingSec: null },
        }),
        endpoint({
          dev: 'tun0',
          host: 'vpn.lab.test',
          address: null,
          port: 1194,
          resolve: { name: 'vpn.lab.test', addresses: [], error: 'ENOTFOUND', ms: 3 },
          probe: { method: 'none', outcome: 'not-probed', ms: 0 },
        }),
        handshake({ dev: 'tun0', method: 'openvpn-state', outcome: 'no-response' }),
      ],
      T,
    ),
  );
  assert.match(f.explanation, /the endpoint name vpn\.lab\.test does not resolve \(ENOTFOUND\)/);
});

test('warning: the tunnel works on the old address but its configured name no longer resolves', () => {
  const obs = [...healthyTunnel().filter((o) => o.kind !== 'tunnel.endpoint'), endpoint({ resolve: { name: 'vpn.lab.test', addresses: [], error: 'ENOTFOUND', ms: 2 } })];
  const f = assertFinding(rule, run(rule, obs, T), 'warning');
  assert.equal(f.title, 'The VPN endpoint name vpn.lab.test no longer resolves');
});

test('valid: healthy tunnel; server filters ICMP but the handshake works; an OpenVPN server answering its reset; no endpoint data', () => {
  assert.equal(run(rule, healthyTunnel(), T), null);
  assert.equal(run(rule, [tunnelState(), endpointRoute(), echo({ address: ENDPOINT, received: 0 }), endpoint(), handshake()], T), null);
  assert.equal(
    run(rule, [tunnelState(), endpointRoute(), echo({ address: ENDPOINT, received: 0 }), endpoint({ port: 1194, probe: { method: 'openvpn-reset', outcome: 'answered', ms: 2 } }), failing], T),
    null,
    'reachable: VPN-003 territory',
  );
  assert.equal(run(rule, [tunnelState(), failing], T), null);
});
