import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tcp-002-port-filtered.js';
import { assertFinding, commands, echo, run, tcp } from './fixtures.js';

const filtered = tcp({ outcome: 'filtered', ms: 3000 });

test('invalid: SYN unanswered, host answers ping → TCP-002 with the iptables rule to add on the server', () => {
  const f = assertFinding(rule, run(rule, [filtered, echo()]));
  assert.equal(f.title, 'SYNs to 203.0.113.10:443 get no answer (filtered)');
  assert.match(f.explanation, /within 3000 ms/);
  assert.deepEqual(commands(f), ['iptables -I INPUT -p tcp --dport 443 -j ACCEPT']);
  assert.match(f.fix[0]!.summary, /On the server, allow TCP port 443/);
  assert.equal(f.evidence[1]!.summary, 'ping 203.0.113.10: 4/4 replies: the host is up');
});

test('invalid: another port of the same host answers (even with RST) → proof that the host is up', () => {
  const f = assertFinding(rule, run(rule, [filtered, tcp({ port: 22, outcome: 'refused' })]));
  assert.match(f.evidence[1]!.summary, /203\.0\.113\.10:22: refused \(RST\): the host answers on other ports/);
  assert.doesNotMatch(f.explanation, /Nothing shows/);
});

test('invalid: IPv6 target → ip6tables', () => {
  const f = assertFinding(rule, run(rule, [tcp({ address: '2001:db8::10', outcome: 'filtered' })], { target: '[2001:db8::10]:443' }));
  assert.deepEqual(commands(f), ['ip6tables -I INPUT -p tcp --dport 443 -j ACCEPT']);
  assert.match(f.evidence[0]!.summary, /\[2001:db8::10\]:443/);
});

test('invalid: nothing shows the host is alive → still reported, and the explanation says so', () => {
  const f = assertFinding(rule, run(rule, [filtered, echo({ received: 0 })]));
  assert.match(f.explanation, /Nothing shows that 203\.0\.113\.10 itself is up \(ping gets no reply either\)/);
  assert.match(f.explanation, /the host may also be down/);
  assert.equal(f.evidence[1]!.summary, 'ping 203.0.113.10: 0/4 replies');
  const g = assertFinding(rule, run(rule, [filtered], { lang: 'zh' }));
  assert.match(g.explanation, /没有证据表明 203\.0\.113\.10 本身在线/);
});

test('a reply from another host is no proof for this one', () => {
  const f = assertFinding(rule, run(rule, [filtered, echo({ address: '203.0.113.99' })]));
  assert.match(f.explanation, /Nothing shows/);
});

test('valid: open, refused, rejected, or no data → null', () => {
  assert.equal(run(rule, [tcp(), echo()]), null);
  assert.equal(run(rule, [tcp({ outcome: 'refused' })]), null);
  assert.equal(run(rule, [tcp({ outcome: 'rejected' })]), null);
  assert.equal(run(rule, []), null);
});
