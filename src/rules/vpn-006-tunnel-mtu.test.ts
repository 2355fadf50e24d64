import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './vpn-006-tunnel-mtu.js';
import { assertFinding, commands, run } from './fixtures.js';
import { VTARGET, healthyTunnel, tunnelMtu, tunnelState } from './vpn-fixtures.js';

const T = { target: VTARGET };

test('invalid: 1420 + 60 does not fit a 1400-byte underlay (no frag-needed) → mtu 1340', () => {
  const f = assertFinding(
    rule,
    run(rule, [tunnelState(), tunnelMtu({ neededPasses: false, neededResult: 'lost', largestPass: 1400, smallestFail: 1401, overlay: { address: VTARGET, size: 1420, passed: false } })], T),
  );
  assert.equal(f.title, 'The MTU of wg0 (1420) plus 60 bytes of encapsulation exceeds the underlay path MTU (1400)');
  assert.deepEqual(commands(f), ['ip link set wg0 mtu 1340', 'iptables -t mangle -A FORWARD -o wg0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu']);
  assert.ok(f.evidence.some((e) => /without any "fragmentation needed"; largest that passes 1400, smallest that fails 1401/.test(e.summary)));
  assert.ok(f.evidence.some((e) => /1420 bytes to 100\.96\.0\.1 are lost/.test(e.summary)));
});

test('invalid: WireGuard, the target answers no ICMP, the DF probe to the endpoint vanishes silently → the underlay decides', () => {
  const f = assertFinding(rule, run(rule, [tunnelState(), tunnelMtu({ neededPasses: false, neededResult: 'lost', largestPass: 1392, smallestFail: 1393 })], T));
  assert.deepEqual(commands(f)[0], 'ip link set wg0 mtu 1332');
});

test('invalid: a router says fragmentation needed and still nothing full-size crosses the tunnel → that MTU decides', () => {
  const f = assertFinding(
    rule,
    run(
      rule,
      [
        tunnelState(),
        tunnelMtu({
          neededPasses: false,
          neededResult: 'frag-needed',
          largestPass: 1392,
          smallestFail: 1480,
          fragNeeded: { from: '198.51.100.1', mtu: 1392 },
          overlay: { address: VTARGET, size: 1420, passed: false },
        }),
      ],
      T,
    ),
  );
  assert.deepEqual(commands(f)[0], 'ip link set wg0 mtu 1332');
});

test('valid: the tunnel carries a full-size packet although the underlay DF probe fails (OpenVPN fragments its outer packets)', () => {
  assert.equal(
    run(rule, [tunnelState({ kind: 'openvpn' }), tunnelMtu({ neededPasses: false, neededResult: 'lost', largestPass: 1400, overlay: { address: VTARGET, size: 1500, passed: true } })], T),
    null,
  );
  assert.equal(run(rule, [tunnelState({ kind: 'openvpn' }), tunnelMtu({ neededPasses: false, neededResult: 'lost', largestPass: 1400 })], T), null, 'OpenVPN sends its outer packets without DF');
  assert.equal(
    run(rule, [tunnelState(), tunnelMtu({ neededPasses: false, neededResult: 'frag-needed', largestPass: 1400, fragNeeded: { from: '198.51.100.1', mtu: 1400 } })], T),
    null,
    'frag-needed comes back: the stack fragments',
  );
  assert.equal(run(rule, [tunnelState(), tunnelMtu({ neededPasses: false, neededResult: 'too-big-local', largestPass: 1400 })], T), null);
});

test('valid: it fits; unmeasurable (no ICMP from the endpoint); an absurd path MTU', () => {
  assert.equal(run(rule, healthyTunnel(), T), null);
  assert.equal(run(rule, [tunnelMtu({ neededPasses: null, method: 'unavailable', largestPass: null })], T), null);
  assert.equal(run(rule, [tunnelState(), tunnelMtu({ neededPasses: false, neededResult: 'lost', largestPass: 600, smallestFail: 610 })], T), null);
});
