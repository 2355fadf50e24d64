import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './host-001-no-usable-interface.js';
import { assertFinding, commands, link, links, loopback, run } from './fixtures.js';

test('invalid: eth0 administratively down → HOST-001 with `ip link set eth0 up`', () => {
  const f = assertFinding(rule, run(rule, [links(loopback(), link('eth0', { up: false, carrier: false }), link('wlan0', { up: false, carrier: null, addresses: [] }))]));
  assert.deepEqual(commands(f), ['ip link set eth0 up']);
  assert.match(f.evidence[0]!.summary, /eth0 DOWN NO-CARRIER, wlan0 DOWN/);
});

test('invalid: every interface up but without carrier → HOST-001 without a command (nothing to bring up)', () => {
  const f = assertFinding(rule, run(rule, [links(loopback(), link('eth0', { carrier: false }))], { lang: 'zh' }));
  assert.deepEqual(commands(f), []);
  assert.match(f.fix[0]!.summary, /网线/);
  assert.match(f.title, /无可用网卡/);
});

test('invalid: only loopback exists', () => {
  assertFinding(rule, run(rule, [links(loopback())]));
});

test('valid: one interface up with carrier (or carrier unknown) → null', () => {
  assert.equal(run(rule, [links(loopback(), link('eth0'))]), null);
  assert.equal(run(rule, [links(loopback(), link('eth0', { up: false }), link('wg0', { kind: 'wireguard', carrier: null }))]), null);
});

test('valid: no link data → null', () => {
  assert.equal(run(rule, []), null);
});
