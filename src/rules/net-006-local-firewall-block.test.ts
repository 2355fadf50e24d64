import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-006-local-firewall-block.js';
import { assertFinding, commands, firewall, run } from './fixtures.js';

test('invalid: an iptables OUTPUT rule drops the flow → NET-006 naming table, chain, number, text; `iptables -D OUTPUT 3`', () => {
  const fw = firewall({ verdict: 'DROP', rule: { backend: 'iptables', table: 'filter', chain: 'OUTPUT', number: 3, text: '-A OUTPUT -d 203.0.113.0/24 -p tcp -m tcp --dport 443 -j DROP' } });
  const f = assertFinding(rule, run(rule, [fw]));
  assert.equal(f.title, 'The local firewall drops tcp 198.51.100.10 → 203.0.113.10:443 (iptables -t filter OUTPUT #3: -A OUTPUT -d 203.0.113.0/24 -p tcp -m tcp --dport 443 -j DROP)');
  assert.deepEqual(commands(f), ['iptables -t filter -D OUTPUT 3']);
  assert.match(f.evidence[0]!.summary, /iptables table filter chain OUTPUT rule 3/);
});

test('invalid: ip6tables REJECT, nft rule by handle, and a chain policy DROP', () => {
  const v6 = firewall({
    dst: '2001:db8::10',
    src: null,
    verdict: 'REJECT',
    rejectWith: 'icmp6-adm-prohibited',
    rule: { backend: 'ip6tables', table: 'filter', chain: 'OUTPUT', number: 1, text: '-A OUTPUT -p tcp --dport 443 -j REJECT' },
  });
  const f6 = assertFinding(rule, run(rule, [v6], { target: '[2001:db8::10]:443' }));
  assert.deepEqual(commands(f6), ['ip6tables -t filter -D OUTPUT 1']);
  assert.match(f6.explanation, /rejected with icmp6-adm-prohibited/);

  const nft = firewall({ verdict: 'DROP', rule: { backend: 'nft', family: 'inet', table: 'filter', chain: 'output', number: null, handle: 7, text: 'ip daddr 203.0.113.10 tcp dport 443 drop' } });
  assert.deepEqual(commands(assertFinding(rule, run(rule, [nft]))), ['nft delete rule inet filter output handle 7']);

  const policy = firewall({ verdict: 'DROP', rule: null, reason: 'policy DROP' });
  assert.deepEqual(commands(assertFinding(rule, run(rule, [policy]))), ['iptables -I OUTPUT 1 -d 203.0.113.10 -p tcp --dport 443 -j ACCEPT']);
  const input = firewall({ chain: 'INPUT', verdict: 'DROP', rule: null });
  assert.deepEqual(commands(assertFinding(rule, run(rule, [input]))), ['iptables -I INPUT 1 -s 203.0.113.10 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
});

test('invalid: Chinese text', () => {
  const f = assertFinding(rule, run(rule, [firewall({ verdict: 'DROP', rule: null })], { lang: 'zh' }));
  assert.match(f.title, /^本机防火墙拦截：tcp .* 被丢弃（OUTPUT 链的默认策略）$/);
});

test('valid: ACCEPT, ICMP-only block for a TCP target (NET-005’s case), or no verdict → null', () => {
  assert.equal(run(rule, [firewall()]), null);
  assert.equal(run(rule, [firewall({ proto: 'icmp', dport: null, verdict: 'DROP', rule: null })]), null);
  assert.equal(run(rule, [firewall({ verdict: 'UNKNOWN' })]), null);
  assert.equal(run(rule, []), null);
});
