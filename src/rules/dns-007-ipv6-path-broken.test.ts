import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-007-ipv6-path-broken.js';
import { assertFinding, commands, dnsQuery, dnsSystem, echo, run, tcp } from './fixtures.js';

const T = { target: 'app.lab.test:443' };

test('invalid: AAAA exists, IPv6 connect filtered, IPv4 open → DNS-007 with the gai.conf fix', () => {
  const obs = [
    dnsQuery({ qtype: 'AAAA', answers: ['2001:db8::10'] }),
    dnsSystem(['2001:db8::10', '203.0.113.10']),
    tcp({ address: '2001:db8::10', outcome: 'filtered', ms: 3000 }),
    tcp({ address: '203.0.113.10' }),
  ];
  const f = assertFinding(rule, run(rule, obs, T));
  assert.equal(f.title, 'app.lab.test has IPv6 addresses, but the IPv6 path fails while IPv4 works');
  assert.match(f.explanation, /\[2001:db8::10\]:443 ended with "filtered" while 203\.0\.113\.10:443/);
  assert.deepEqual(commands(f), ["echo 'precedence ::ffff:0:0/96  100' >> /etc/gai.conf"]);
});

test('valid: IPv6 works, IPv4 fails too, no AAAA, no connects → null', () => {
  const aaaa = dnsQuery({ qtype: 'AAAA', answers: ['2001:db8::10'] });
  assert.equal(run(rule, [aaaa, tcp({ address: '2001:db8::10' }), tcp({ address: '203.0.113.10' })], T), null);
  assert.equal(run(rule, [aaaa, tcp({ address: '2001:db8::10', outcome: 'filtered' }), tcp({ address: '203.0.113.10', outcome: 'filtered' })], T), null);
  assert.equal(run(rule, [tcp({ address: '2001:db8::10', outcome: 'unreachable' }), tcp({ address: '203.0.113.10' })], T), null);
  assert.equal(run(rule, [aaaa], T), null);
});

test('valid: the IPv6 connect timed out on a path that answers some echoes → loss (NET-007), not DNS-007', () => {
  const aaaa = dnsQuery({ qtype: 'AAAA', answers: ['2001:db8::10'] });
  const v6 = tcp({ address: '2001:db8::10', outcome: 'filtered', ms: 1170 });
  const v4 = tcp({ address: '203.0.113.10' });
  assert.equal(run(rule, [aaaa, v6, v4, echo({ address: '2001:db8::10', sent: 4, received: 2, lossPct: 50 })], T), null);
  // Every echo answered: the path carries packets, the service port over IPv6 does not → still DNS-007.
  assertFinding(rule, run(rule, [aaaa, v6, v4, echo({ address: '2001:db8::10', sent: 4, received: 4, lossPct: 0 })], T));
});
