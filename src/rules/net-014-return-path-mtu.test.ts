import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './net-014-return-path-mtu.js';
import { assertFinding, commands, run } from './fixtures.js';
import { view } from './responder-fixtures.js';

const mtu = (arrived: number[], forwardLargest: number | null = 1500) => {
  const asked = [576, 1000, 1200, 1400, 1450, 1500];
  const largestOk = arrived.length ? Math.max(...arrived) : null;
  return { asked, arrived, largestOk, smallestLost: asked.find((s) => !arrived.includes(s) && (largestOk === null || s > largestOk)) ?? null, df: true, forwardLargest };
};

test('invalid: 1400 comes back, 1450 does not, 1500-byte requests went out → NET-014 with the clamp', () => {
  const f = assertFinding(rule, run(rule, [view({ seen: { address: '198.51.100.9', port: 5 }, returnMtu: mtu([576, 1000, 1200, 1400]) })]));
  assert.equal(f.title, 'Packets from the server above 1400 bytes never arrive: a return-path MTU blackhole');
  assert.deepEqual(commands(f), ['iptables -t mangle -A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -d 198.51.100.9 -j TCPMSS --set-mss 1360']);
  assert.ok(meta.explains?.includes('TLS-009'));
});

test('invalid: zh', () => {
  assert.match(assertFinding(rule, run(rule, [view({ returnMtu: mtu([576, 1000]) })], { lang: 'zh' })).title, /回程MTU黑洞/);
});

test('valid: everything arrives; the forward path is as small (a symmetric limit is NET-009’s); nothing arrives at all', () => {
  assert.equal(run(rule, [view()]), null);
  assert.equal(run(rule, [view({ returnMtu: mtu([576, 1000, 1200, 1400], 1400) })]), null);
  assert.equal(run(rule, [view({ returnMtu: mtu([], null) })]), null);
});
