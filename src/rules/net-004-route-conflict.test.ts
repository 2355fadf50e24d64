import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-004-route-conflict.js';
import { assertFinding, commands, dnsSystem, echo, firewall, link, links, routeLookup, run, tcp } from './fixtures.js';

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
      gateway: '100.64.0.1',
      dev: 'tun0',
      table: '100',
      route: vpn.text,
      candidates: [vpn, cand('0.0.0.0/0', '198.51.100.1', 'eth0', 'default via 198.51.100.1 dev eth0')],
      rules: [
        { priority: 0, text: '0: from all lookup local', table: 'local' },
        { priority: 100, text: '100: from all to 203.0.113.0/24 lookup 100', table: '100' },
        { priority: 32766, text: '32766: from all lookup main', table: 'main' },
      ],
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

// ── without --expect-gateway, a silent target steered away from the main default ──
const MAIN_DEF = cand('0.0.0.0/0', '100.64.2.1', 'eth0', 'default via 100.64.2.1 dev eth0');
const silent = (addr = '203.0.113.10') => [echo({ address: addr, received: 0 }), tcp({ address: addr, outcome: 'filtered' })];

test('invalid (field case): a host route via the second ISP wins over the default; the target is silent → delete that host route', () => {
  const host = cand('203.0.113.10/32', '100.64.3.1', 'eth1', '203.0.113.10 via 100.64.3.1 dev eth1');
  const obs = [routeLookup('203.0.113.10', { gateway: '100.64.3.1', dev: 'eth1', route: host.text, candidates: [host, MAIN_DEF] }), ...silent()];
  const f = assertFinding(rule, run(rule, obs));
  assert.equal(f.title, 'Traffic to 203.0.113.10 goes via 100.64.3.1 dev eth1, not via 100.64.2.1');
  assert.deepEqual(commands(f), ['ip route del 203.0.113.10 via 100.64.3.1 dev eth1', 'ip route replace 203.0.113.10/32 via 100.64.2.1']);
  assert.match(f.explanation, /more specific than the default route/);
  const zh = assertFinding(rule, run(rule, obs, { lang: 'zh' }));
  assert.match(zh.explanation, /比默认路由更具体/);
});

test('invalid: a policy rule sends the silent target to a table via the second ISP → delete the rule', () => {
  const isp2 = cand('0.0.0.0/0', '100.64.3.1', 'eth1', 'default via 100.64.3.1 dev eth1', null, '200');
  const rules = [
    { priority: 0, text: '0: from all lookup local', table: 'local' },
    { priority: 200, text: '200: from all to 203.0.113.0/27 lookup 200', table: '200' },
    { priority: 32766, text: '32766: from all lookup main', table: 'main' },
  ];
  const obs = [routeLookup('203.0.113.10', { gateway: '100.64.3.1', dev: 'eth1', table: '200', route: isp2.text, candidates: [isp2, MAIN_DEF], rules }), ...silent()];
  const f = assertFinding(rule, run(rule, obs));
  assert.deepEqual(commands(f), ['ip rule del priority 200']);
  assert.match(f.explanation, /policy rule "200: from all to 203\.0\.113\.0\/27 lookup 200"/);
});

test('invalid: a lower-metric default via the second ISP wins; the target is silent → delete that default', () => {
  const low = cand('0.0.0.0/0', '100.64.3.1', 'eth1', 'default via 100.64.3.1 dev eth1 metric 50', 50);
  const high = cand('0.0.0.0/0', '100.64.2.1', 'eth0', 'default via 100.64.2.1 dev eth0 metric 100', 100);
  const f = assertFinding(rule, run(rule, [routeLookup('203.0.113.10', { gateway: '100.64.3.1', dev: 'eth1', route: low.text, candidates: [low, high] }), ...silent()]));
  assert.deepEqual(commands(f), ['ip route del default via 100.64.3.1 dev eth1 metric 50']);
  assert.match(f.explanation, /lower metric \(50 < 100\)/);
});

test('valid: the same routes while the target answers, a local firewall drop, a tunnel route, or one default only → null', () => {
  const host = cand('203.0.113.10/32', '100.64.3.1', 'eth1', '203.0.113.10 via 100.64.3.1 dev eth1');
  const lookup = routeLookup('203.0.113.10', { gateway: '100.64.3.1', dev: 'eth1', route: host.text, candidates: [host, MAIN_DEF] });
  assert.equal(run(rule, [lookup, echo({ address: '203.0.113.10' }), tcp({ address: '203.0.113.10', outcome: 'filtered' })]), null, 'answers ping');
  assert.equal(run(rule, [lookup, tcp({ address: '203.0.113.10', outcome: 'refused' })]), null, 'answers TCP');
  assert.equal(run(rule, [lookup, ...silent(), firewall({ verdict: 'DROP' })]), null, 'NET-006 explains the silence');
  assert.equal(run(rule, [lookup]), null, 'nothing probed');
  const tun = routeLookup('203.0.113.10', {
    gateway: '100.64.3.1',
    dev: 'tun0',
    route: '203.0.113.10 via 100.64.3.1 dev tun0',
    candidates: [cand('203.0.113.10/32', '100.64.3.1', 'tun0', '203.0.113.10 via 100.64.3.1 dev tun0'), MAIN_DEF],
  });
  assert.equal(run(rule, [tun, ...silent(), links(link('eth0'), link('tun0', { kind: 'tun' }))]), null, 'a tunnel route is the tunnel layer’s');
  const viaMain = routeLookup('203.0.113.10', { gateway: '100.64.2.1', dev: 'eth0', route: MAIN_DEF.text, candidates: [MAIN_DEF] });
  assert.equal(run(rule, [viaMain, ...silent()]), null, 'the default route itself: a path problem, not a conflict');
});
