import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-004-hosts-override.js';
import { assertFinding, commands, dnsQuery, hosts, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };
const line = (n: number, address: string) => ({ line: n, address, names: ['app.lab.test'], text: `${address}\tapp.lab.test` });

test('invalid: /etc/hosts line 7 pins the name to an old address → DNS-004 with `sed -i 7d`', () => {
  const f = assertFinding(rule, run(rule, [hosts([line(7, '198.51.100.99')]), dnsQuery({ answers: ['203.0.113.10', '203.0.113.11'] })], T));
  assert.equal(f.title, '/etc/hosts line 7 pins app.lab.test to 198.51.100.99, DNS says 203.0.113.10, 203.0.113.11');
  assert.deepEqual(commands(f), ["sed -i '7d' /etc/hosts", "sed -i '7s/^[[:space:]]*[^[:space:]]*/203.0.113.10/' /etc/hosts"]);
  assert.deepEqual(f.evidence[0]!.data, { path: '/etc/hosts', line: 7, address: '198.51.100.99', names: ['app.lab.test'], text: '198.51.100.99\tapp.lab.test' });
});

test('invalid: an IPv6 hosts line is compared with the AAAA answers (canonical form)', () => {
  const f = assertFinding(rule, run(rule, [hosts([line(2, '2001:db8::99')]), dnsQuery({ qtype: 'AAAA', answers: ['2001:db8:0::10'] })], T));
  assert.match(f.title, /DNS says 2001:db8::10$/);
  assert.equal(commands(f)[0], "sed -i '2d' /etc/hosts");
});

test('valid: the hosts address is among the answers, DNS has nothing to compare, or no hosts line → null', () => {
  assert.equal(run(rule, [hosts([line(7, '203.0.113.11')]), dnsQuery({ answers: ['203.0.113.10', '203.0.113.11'] })], T), null);
  assert.equal(run(rule, [hosts([line(7, '198.51.100.99')]), dnsQuery({ rcode: 'NXDOMAIN', answers: [] })], T), null, 'internal-only name');
  assert.equal(run(rule, [hosts([line(7, '198.51.100.99')]), dnsQuery({ qtype: 'AAAA', answers: ['2001:db8::10'] })], T), null, 'no A answer to compare an IPv4 line with');
  assert.equal(run(rule, [hosts([]), dnsQuery()], T), null);
  assert.equal(run(rule, [], T), null);
});
