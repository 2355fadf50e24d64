import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noopFixes } from './fix-noop.js';
import { ctx, link, links, routeLookup } from './fixtures.js';
import type { Finding } from '../model/report.js';

const finding = (...commands: string[]): Finding => ({
  code: 'NET-004',
  slug: 'route-conflict',
  layer: 'network',
  severity: 'error',
  title: 't',
  explanation: 'e',
  evidence: [],
  fix: commands.map((command) => ({ summary: 's', command })),
});
const DEF = { prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '100.64.2.1', metric: null, type: 'unicast', text: 'default via 100.64.2.1 dev eth0' };
const HOST = { prefix: '203.0.113.10/32', table: 'main', dev: 'eth1', gateway: '100.64.3.1', metric: null, type: 'unicast', text: '203.0.113.10 via 100.64.3.1 dev eth1' };
const c = ctx({
  observations: [
    routeLookup('203.0.113.10', {
      candidates: [HOST, DEF],
      rules: [
        { priority: 0, text: '0: from all lookup local', table: 'local' },
        { priority: 32766, text: '32766: from all lookup main', table: 'main' },
      ],
    }),
    links(link('eth0'), link('eth1', { up: false })),
  ],
});

test('flags a route replaced with itself, an existing route added, a missing route or rule deleted, a link already up / at that MTU', () => {
  assert.equal(noopFixes(finding('ip route replace default via 100.64.2.1'), c).length, 1, 'the field case: replace default via MAIN-GW, which is the default already');
  assert.equal(noopFixes(finding('ip route replace default via 100.64.2.1 dev eth0'), c).length, 1);
  assert.equal(noopFixes(finding('ip route add 203.0.113.10/32 via 100.64.3.1 dev eth1'), c).length, 1, 'exists');
  assert.equal(noopFixes(finding('ip route add 203.0.113.10/32 via 100.64.2.1'), c).length, 1, 'same prefix and metric: File exists');
  assert.equal(noopFixes(finding('ip route del 203.0.113.0/24 via 100.64.3.1'), c).length, 1, 'no such route (the lookup shows every route covering the target)');
  assert.equal(noopFixes(finding('ip rule del priority 100'), c).length, 1);
  assert.equal(noopFixes(finding('ip link set eth0 up'), c).length, 1);
  assert.equal(noopFixes(finding('ip link set eth0 mtu 1500'), c).length, 1);
});

test('passes fixes that change something, and anything the state does not show', () => {
  const ok = finding(
    'ip route del 203.0.113.10 via 100.64.3.1 dev eth1',
    'ip route replace 203.0.113.10/32 via 100.64.2.1',
    'ip route replace default via 100.64.3.1',
    'ip route add 203.0.113.10/32 via 100.64.2.1 metric 10',
    'ip rule del priority 32766',
    'ip link set eth1 up',
    'ip link set eth0 mtu 1400',
    'ip route del 198.51.100.0/24 via 100.64.3.1',
    'iptables -I OUTPUT 1 -j ACCEPT',
  );
  assert.deepEqual(noopFixes(ok, c), []);
  assert.deepEqual(noopFixes(finding('ip route replace default via 100.64.2.1', 'ip link set eth0 up'), ctx()), [], 'no state known: nothing judged');
});
