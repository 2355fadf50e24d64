import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-003-handshake-failed.js';
import { assertFinding, commands, echo, run } from './fixtures.js';
import { ENDPOINT, VTARGET, endpoint, endpointRoute, handshake, healthyTunnel, tunnelState, wgPeer } from './vpn-fixtures.js';

const T = { target: VTARGET };

test('invalid: WireGuard sends initiations to a reachable endpoint and nothing comes back → the two checks in order', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelState({ peers: [wgPeer({ latestHandshake: 0, rxBytes: 0, txBytes: 148 })] }),
        endpointRoute(),
        echo({ address: ENDPOINT, sent: 3 }),
        endpoint(),
        handshake({ outcome: 'no-response', ageSec: null, txBefore: 148, txAfter: 296, rxBefore: 0, rxAfter: 0, waitedMs: 2000 }),
      ],
      T,
    ),
  );
  assert.equal(f.title, `No tunnel handshake with ${ENDPOINT}:51820/udp completes (last: never)`);
  assert.match(f.explanation, /is reachable, packets go out through wg0 \(tx 296 bytes\) but nothing comes back \(rx 0 bytes\)/);
  assert.match(f.fix[0]!.summary, /UDP to 203\.0\.113\.10:51820\/udp is not filtered/);
  assert.deepEqual(commands(f), ['wg show wg0']);
  assert.ok(f.evidence.some((e) => /tx 148 → 296 bytes, rx 0 → 0 bytes while netdx watched 2000 ms/.test(e.summary)));
});

test('invalid: an OpenVPN server answers the reset but the client never connects → the keys, not the path', () => {
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
          openvpn: { mode: 'client', state: 'WAIT', detail: null, proto: 'udp', tlsAuth: false, cipher: null, devType: 'tun', pingSec: null },
        }),
        endpointRoute(),
        echo({ address: ENDPOINT }),
        endpoint({ dev: 'tun0', port: 1194, probe: { method: 'openvpn-reset', outcome: 'answered', ms: 2 } }),
        handshake({ dev: 'tun0', method: 'openvpn-state', outcome: 'no-response', reason: 'management state WAIT', txBefore: null, txAfter: null, rxBefore: null, rxAfter: null }),
      ],
      T,
    ),
  );
  assert.match(f.title, /\(last: not connected \(WAIT\)\)/);
  assert.match(
    f.explanation,
    /203\.0\.113\.10:1194\/udp answers OpenVPN on its port \(the server returned its hard reset to netdx.s probe\), yet the client stays not connected \(WAIT\): the path is open, the server refuses this client/,
  );
  assert.equal(f.fix.length, 1);
  assert.match(f.fix[0]!.summary, /answers OpenVPN on its port, so the path is open: the server rejects this client/);
});

test('invalid: silent endpoint → still named, with an explanation that does not claim it is reachable', () => {
  const f = assertFinding(rule, run(rule, [tunnelState(), endpointRoute(), echo({ address: ENDPOINT, received: 0 }), endpoint(), handshake({ outcome: 'no-response' })], T));
  assert.doesNotMatch(f.explanation, /is reachable/);
});

test('valid: a fresh or just completed handshake, nothing sent, or unknown', () => {
  assert.equal(run(rule, healthyTunnel(), T), null);
  for (const outcome of ['completed', 'not-attempted', 'unknown'] as const) assert.equal(run(rule, [tunnelState(), handshake({ outcome })], T), null);
});

test('invalid: a recent session that stalled (packets in, nothing back) → VPN-003 saying when the last handshake was', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState(), endpointRoute(), echo({ address: ENDPOINT }), endpoint(), handshake({ outcome: 'stalled', txBefore: 1956, txAfter: 2420, rxBefore: 716, rxAfter: 716 })], T),
  );
  assert.match(f.explanation, /The last handshake with 203\.0\.113\.10:51820\/udp was 30 s ago, but now the target's packets go into wg0 \(tx 1956 → 2420 bytes\) and nothing comes back/);
});

test('valid: an endpoint name that does not resolve (nothing was sent: VPN-002 names it)', () => {
  assert.equal(
    run(
      rule,
      [
        tunnelState({ kind: 'openvpn', dev: 'tun0' }),
        endpoint({ dev: 'tun0', host: 'vpn-old.lab.test', address: null, resolve: { name: 'vpn-old.lab.test', addresses: [], error: 'ENOTFOUND', ms: 1 } }),
        handshake({ dev: 'tun0', method: 'openvpn-state', outcome: 'no-response', txAfter: null, rxAfter: null }),
      ],
      T,
    ),
    null,
  );
});

test('invalid: OpenVPN not connected, the endpoint silent → the OpenVPN wording, no WireGuard counters', () => {
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
          openvpn: { mode: 'client', state: 'WAIT', detail: null, proto: 'udp', tlsAuth: true, cipher: null, devType: 'tun', pingSec: null },
        }),
        endpointRoute(),
        echo({ address: ENDPOINT, received: 0 }),
        endpoint({ dev: 'tun0', port: 1194, probe: { method: 'none', outcome: 'not-probed', ms: 0, reason: 'tls-auth' } }),
        handshake({ dev: 'tun0', method: 'openvpn-state', outcome: 'no-response', reason: 'management state WAIT', txAfter: 3000, rxAfter: 0 }),
      ],
      T,
    ),
  );
  assert.match(f.explanation, /OpenVPN tries to reach 203\.0\.113\.10:1194\/udp through tun0 but is not connected \(management state WAIT\), and the endpoint answers nothing else either/);
});
