import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule, meta } from './net-005-icmp-filtered.js';
import { assertFinding, commands, echo, firewall, run, tcp } from './fixtures.js';

test('invalid: ping gets no reply, TCP 443 is open → NET-005 warning, never an error', () => {
  const f = assertFinding(rule, run(rule, [echo({ received: 0 }), tcp()]), 'warning');
  assert.equal(meta.severity, 'warning');
  assert.equal(f.title, '203.0.113.10 does not answer ping, but its TCP port 443 is open');
  assert.deepEqual(commands(f), ['nc -z -w 3 203.0.113.10 443']);
  assert.equal(f.evidence.length, 2);
});

test('invalid: the local rule that drops ICMP is named', () => {
  const fw = firewall({ proto: 'icmp', dport: null, verdict: 'DROP', rule: { backend: 'iptables', table: 'filter', chain: 'OUTPUT', number: 2, text: '-A OUTPUT -p icmp -j DROP' } });
  const f = assertFinding(rule, run(rule, [echo({ received: 0 }), tcp(), fw]), 'warning');
  assert.match(f.evidence[2]!.summary, /filter\/OUTPUT rule 2: -A OUTPUT -p icmp -j DROP/);
});

test('valid: ping answers, TCP fails too, ping unavailable, or no TCP data → null', () => {
  assert.equal(run(rule, [echo(), tcp()]), null);
  assert.equal(run(rule, [echo({ received: 0 }), tcp({ outcome: 'filtered' })]), null);
  assert.equal(run(rule, [echo({ method: 'unavailable', sent: 0, received: 0, reason: 'no raw socket' }), tcp()]), null);
  assert.equal(run(rule, [echo({ received: 0 })]), null);
  assert.equal(run(rule, []), null);
});
