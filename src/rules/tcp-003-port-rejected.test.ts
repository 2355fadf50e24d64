import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRoutingUnreachable, rule } from './tcp-003-port-rejected.js';
import { assertFinding, commands, icmpError, run, tcp } from './fixtures.js';

test('invalid: the server rejects with admin-prohibited → TCP-003, INPUT rule on the server', () => {
  const icmp = icmpError({ type: 3, code: 13, from: '203.0.113.10', name: 'admin-prohibited' });
  const f = assertFinding(rule, run(rule, [tcp({ outcome: 'rejected', icmp })]));
  assert.equal(f.title, '203.0.113.10:443 is rejected by a firewall at 203.0.113.10 (admin-prohibited)');
  assert.match(f.explanation, /type 3 code 13/);
  assert.match(f.evidence[0]!.summary, /from 203\.0\.113\.10 \(the target itself\)/);
  assert.deepEqual(f.evidence[0]!.data!['icmp'], icmp);
  assert.deepEqual(commands(f), ['iptables -I INPUT -p tcp -d 203.0.113.10 --dport 443 -j ACCEPT']);
});

test('invalid: a router answers port-unreachable → FORWARD rule on that router', () => {
  const icmp = icmpError({ type: 3, code: 3, from: '198.51.100.1', name: 'port-unreachable' });
  const f = assertFinding(rule, run(rule, [tcp({ outcome: 'rejected', icmp })]));
  assert.match(f.evidence[0]!.summary, /ICMP port-unreachable \(type 3 code 3\) from 198\.51\.100\.1 \(a router on the path\)/);
  assert.deepEqual(commands(f), ['iptables -I FORWARD -p tcp -d 203.0.113.10 --dport 443 -j ACCEPT']);
  assert.match(f.fix[0]!.summary, /^On 198\.51\.100\.1, allow TCP port 443/);
});

test('invalid: IPv6 admin-prohibited → ip6tables; zh title', () => {
  const icmp = icmpError({ type: 1, code: 1, from: '2001:db8::10', name: 'admin-prohibited' });
  const f = assertFinding(rule, run(rule, [tcp({ address: '2001:db8::10', outcome: 'rejected', icmp })], { target: '[2001:db8::10]:443', lang: 'zh' }));
  assert.equal(f.title, '[2001:db8::10]:443 端口被防火墙拒绝（2001:db8::10 返回 admin-prohibited）');
  assert.deepEqual(commands(f), ['ip6tables -I INPUT -p tcp -d 2001:db8::10 --dport 443 -j ACCEPT']);
});

test('invalid: rejected but the ICMP was not seen → still TCP-003, no invented sender', () => {
  const f = assertFinding(rule, run(rule, [tcp({ outcome: 'rejected', errno: 'EHOSTUNREACH' })]));
  assert.equal(f.title, '203.0.113.10:443 is rejected by a firewall');
  assert.match(f.explanation, /could not see which host sent it/);
  assert.equal(commands(f).length, 0);
});

test('valid: host/net unreachable belongs to NET-010; other outcomes and no data → null', () => {
  assert.equal(run(rule, [tcp({ outcome: 'rejected', icmp: icmpError({ type: 3, code: 1, name: 'host-unreachable' }) })]), null);
  assert.equal(run(rule, [tcp({ outcome: 'rejected', icmp: icmpError({ type: 1, code: 0, from: '2001:db8::1', name: 'no-route' }) })]), null);
  assert.equal(run(rule, [tcp({ outcome: 'refused' })]), null);
  assert.equal(run(rule, [tcp()]), null);
  assert.equal(run(rule, []), null);
});

test('isRoutingUnreachable by family, type and code', () => {
  assert.equal(isRoutingUnreachable(icmpError({ type: 3, code: 0 })), true);
  assert.equal(isRoutingUnreachable(icmpError({ type: 3, code: 3 })), false);
  assert.equal(isRoutingUnreachable(icmpError({ type: 3, code: 13 })), false);
  assert.equal(isRoutingUnreachable(icmpError({ type: 1, code: 3, from: '2001:db8::1' })), true);
  assert.equal(isRoutingUnreachable(icmpError({ type: 1, code: 4, from: '2001:db8::1' })), false);
});
