import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routerUnreachable, rule } from './net-010-unreachable-reported.js';
import { assertFinding, echo, icmpError, link, links, routeLookup, run, tcp } from './fixtures.js';

test('invalid: a router answers ping with host-unreachable → NET-010 naming the router and type/code', () => {
  const f = assertFinding(rule, run(rule, [echo({ received: 0, errors: [icmpError({ from: '198.51.100.1', type: 3, code: 1 })] })]));
  assert.equal(f.title, 'The router 198.51.100.1 reports 203.0.113.10 as host-unreachable');
  assert.match(f.explanation, /type 3 code 1\): it has no route onward/);
  assert.equal(f.evidence[0]!.summary, 'ping 203.0.113.10: ICMP host-unreachable (type 3 code 1) from 198.51.100.1');
});

test('invalid: the SYN is answered with admin-prohibited by a router; IPv6 no-route on a connect', () => {
  const f = assertFinding(rule, run(rule, [tcp({ outcome: 'rejected', icmp: icmpError({ from: '198.51.100.254', type: 3, code: 13, name: 'admin-prohibited' }) })]));
  assert.match(f.explanation, /access list/);
  const f6 = assertFinding(rule, run(rule, [tcp({ address: '2001:db8::10', outcome: 'unreachable', icmp: icmpError({ from: '2001:db8:ffff::1', type: 1, code: 0, name: 'no-route' }) })]));
  assert.match(f6.title, /2001:db8:ffff::1 reports 2001:db8::10 as no-route/);
});

test('valid: port-unreachable from the target itself (TCP-003), errors from the target, time-exceeded, none → null', () => {
  assert.equal(run(rule, [tcp({ outcome: 'rejected', icmp: icmpError({ from: '203.0.113.10', type: 3, code: 3, name: 'port-unreachable' }) })]), null);
  assert.equal(run(rule, [echo({ received: 0, errors: [icmpError({ from: '203.0.113.10', type: 3, code: 10 })] })]), null);
  assert.equal(run(rule, [echo({ received: 0, errors: [icmpError({ from: '198.51.100.1', type: 11, code: 0, name: 'time-exceeded' })] })]), null);
  assert.equal(run(rule, [echo(), tcp()]), null);
  assert.equal(run(rule, []), null);
});

test('routerUnreachable maps ICMPv4 and ICMPv6 codes by the sender’s family', () => {
  assert.equal(routerUnreachable(icmpError({ type: 3, code: 0 })), 'net-unreachable');
  assert.equal(routerUnreachable(icmpError({ type: 3, code: 3 })), null);
  assert.equal(routerUnreachable(icmpError({ from: 'fe80::1', type: 1, code: 1 })), 'admin-prohibited');
  assert.equal(routerUnreachable(icmpError({ from: 'fe80::1', type: 1, code: 4 })), null, 'ICMPv6 port unreachable');
});

test('invalid: a trace hop that answers admin-prohibited names that router', async () => {
  const { hop, trace, routerAddr } = await import('./trace-fixtures.js');
  const t = trace([hop(1), hop(2, { icmp: { type: 3, code: 13, from: routerAddr(2), name: 'admin-prohibited' } })]);
  const f = assertFinding(rule, run(rule, [t]));
  assert.equal(f.title, `The router ${routerAddr(2)} reports 203.0.113.10 as admin-prohibited`);
  assert.equal(f.evidence[0]!.observation, 'trace.path');
  assert.match(f.evidence[0]!.summary, /^trace 203\.0\.113\.10: ICMP admin-prohibited/);
});

test('valid: a router rejects only the TCP port while ping to the target gets through → not NET-010 (TCP-003 names it)', async () => {
  const { run: runRule, tcp: tcpObs, echo: echoObs } = await import('./fixtures.js');
  const rejected = tcpObs({ outcome: 'rejected', icmp: { type: 3, code: 13, from: '198.51.100.33', name: 'admin-prohibited' } });
  assert.equal(runRule(rule, [echoObs({ received: 4, sent: 4 }), rejected]), null);
  assert.equal(runRule(rule, [echoObs({ received: 0, sent: 4 }), rejected])?.code, 'NET-010');
});

test('valid: "host unreachable" from one of this host\'s own addresses is its own failed ARP/ND, never a router on the path (NET-002 names the gateway)', () => {
  const own = { type: 3, code: 1, from: '100.64.1.10', name: 'host-unreachable' };
  const route = routeLookup('203.0.113.35', { gateway: '100.64.1.99', src: '100.64.1.10', route: '203.0.113.35 via 100.64.1.99 dev eth0 src 100.64.1.10' });
  assert.equal(run(rule, [route, echo({ address: '203.0.113.35', received: 0, errors: [own, own] })]), null, 'the route lookup names the source address');
  assert.equal(
    run(rule, [links(link('eth0', { addresses: [{ family: 4, address: '100.64.1.10', prefixlen: 24, scope: 'global' }] })), tcp({ address: '203.0.113.10', outcome: 'unreachable', icmp: own })]),
    null,
    'an interface address',
  );
  const six = { type: 1, code: 3, from: '2001:db8:1::10', name: 'address-unreachable' };
  assert.equal(run(rule, [routeLookup('2001:db8:20::10', { gateway: '2001:db8:1::99', src: '2001:db8:1::10' }), tcp({ address: '2001:db8:20::10', outcome: 'unreachable', icmp: six })]), null);
  // The same error from the gateway is a router's verdict.
  assert.ok(run(rule, [route, echo({ address: '203.0.113.35', received: 0, errors: [{ ...own, from: '100.64.1.1' }] })]));
});
