import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-004-route-conflict.js';
import { assertFinding, commands, dnsSystem, routeLookup, run } from './fixtures.js';

const cand = (prefix: string, gateway: string | null, dev: string, text: string, metric: number | null = null, table = 'main') => ({ prefix, table, dev, gateway, metric, type: 'unicast', text });

test('invalid: a lower-metric default via the wrong ISP wins over the expected one → delete exactly that route', () => {
  const wrong = cand('0.0.0.0/0', '198.51.100.1', 'eth0', 'default via 198.51.100.1 dev eth0 metric 50', 50);
  const right = cand('0.0.0.0/0', '203.0.113.1', 'eth1', 'default via 203.0.113.1 dev eth1 metric 100', 100);
  const obs = [routeLookup('203.0.113.80', { route: wrong.text, candidates: [wrong, right] })];
  const f = assertFinding(rule, run(rule, obs, { target: '203.0.113.80:51820', options: { expectGateway: '203.0.113.1' } }));
  assert.equal(f.title, 'Traffic to 203.0.113.80 goes via 198.51.100.1 dev eth0, not via 203.0.113.1');
  assert.deepEqual(commands(f), ['ip route del default via 198.51.100.1 dev eth0 metric 50']);
  assert.match(f.evidence[1]!.summary, /metric 50 \| default via 203\.0\.113\.1 dev eth1 metric 100/);
});

test('invalid: a more specific route steers the target; no expected route exists → host route via the expected gateway', () => {
  const specific = cand('203.0.113.0/24', '198.51.100.9', 'eth0', '203.0.113.0/24 via 198.51.100.9 dev eth0');
  const obs = [routeLookup('203.0.113.80', { gateway: '198.51.100.9', route: specific.text, candidates: [specific, cand('0.0.0.0/0', '198.51.100.1', 'eth0', 'default via 198.51.100.1 dev eth0')] })];
  const f = assertFinding(rule, run(rule, obs, { target: '203.0.113.80', options: { expectGateway: '198.51.100.1' } }));
  assert.deepEqual(commands(f), ['ip route del 203.0.113.0/24 via 198.51.100.9 dev eth0', 'ip route add 203.0.113.80/32 via 198.51.100.1']);
  const none = assertFinding(rule, run(rule, obs, { target: '203.0.113.80', options: { expectGateway: '198.51.100.5' } }));
  assert.deepEqual(commands(none), ['ip route add 203.0.113.80/32 via 198.51.100.5']);
});

test('invalid: a policy rule sends the target to another table → delete that rule by priority', () => {
  const vpn = cand('0.0.0.0/0', '100.64.0.1', 'tun0', 'default via 100.64.0.1 dev tun0', null, '100');
  const obs = [
    routeLookup('203.0.113.80', {
      gateway: '100.64.0.1', dev: 'tun0', table: '100', route: vpn.text,
      candidates: [vpn, cand('0.0.0.0/0', '198.51.100.1', 'eth0', 'default via 198.51.100.1 dev eth0')],
      rules: [{ priority: 0, text: '0: from all lookup local', table: 'local' }, { priority: 100, text: '100: from all to 203.0.113.0/24 lookup 100', table: '100' }, { priority: 32766, text: '32766: from all lookup main', table: 'main' }],
    }),
  ];
  const f = assertFinding(rule, run(rule, obs, { target: '203.0.113.80', options: { expectGateway: '198.51.100.1' }, lang: 'zh' }));
  assert.deepEqual(commands(f), ['ip rule del priority 100']);
  assert.match(f.title, /路由冲突\/错误路由/);
});

test('valid: the kernel uses the expected gateway, no --expect-gateway, or no route lookup → null', () => {
  assert.equal(run(rule, [routeLookup()], { options: { expectGateway: '198.51.100.1' } }), null);
  assert.equal(run(rule, [routeLookup()]), null);
  assert.equal(run(rule, [], { options: { expectGateway: '198.51.100.1' } }), null);
  assert.equal(run(rule, [routeLookup('203.0.113.10', { outcome: 'no-route', gateway: null, dev: null })], { options: { expectGateway: '198.51.100.1' } }), null, 'no route is NET-001');
});

test('invalid: for a name, the lookup of the resolved address is judged, not the resolver’s', () => {
  const resolver = routeLookup('198.51.100.53', { gateway: null, route: '198.51.100.0/24 dev eth0', candidates: [] });
  const target = routeLookup('203.0.113.10', { gateway: '198.51.100.7', route: 'default via 198.51.100.7 dev eth0', candidates: [] });
  const f = assertFinding(rule, run(rule, [resolver, target, dnsSystem(['203.0.113.10'])], { target: 'app.lab.test:443', options: { expectGateway: '198.51.100.1' } }));
  assert.match(f.title, /^Traffic to 203\.0\.113\.10 goes via 198\.51\.100\.7/);
});

test('valid: an IPv4 --expect-gateway is not compared with the IPv6 route of a dual-stack target', async () => {
  const { run: runRule, routeLookup: rl, dnsSystem } = await import('./fixtures.js');
  const v6 = rl('2001:db8:20::10', { gateway: '2001:db8:1::1', dev: 'eth0', route: '2001:db8:20::10 via 2001:db8:1::1 dev eth0' });
  const v4 = rl('203.0.113.10', { gateway: '100.64.1.1', dev: 'eth0', route: '203.0.113.10 via 100.64.1.1 dev eth0' });
  const sys = dnsSystem(['2001:db8:20::10', '203.0.113.10']);
  assert.equal(runRule(rule, [sys, v6, v4], { target: 'www.lab.test:443', options: { expectGateway: '100.64.1.1' } }), null);
  // …while a wrong IPv4 gateway is still caught
  const wrong = rl('203.0.113.10', { gateway: '100.64.1.9', dev: 'eth0', route: '203.0.113.10 via 100.64.1.9 dev eth0' });
  assert.equal(runRule(rule, [sys, v6, wrong], { target: 'www.lab.test:443', options: { expectGateway: '100.64.1.1' } })?.code, 'NET-004');
});
