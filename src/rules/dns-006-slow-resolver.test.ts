import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-006-slow-resolver.js';
import { assertFinding, commands, dnsConfig, dnsQuery, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };
const cfg = dnsConfig({ nameservers: ['198.51.100.53', '203.0.113.53'], timeoutSec: 5 });

test('invalid: the first resolver times out, the second answers → DNS-006 warning naming the dead server and the timeout', () => {
  const f = assertFinding(rule, run(rule, [cfg, dnsQuery({ server: '198.51.100.53', outcome: 'timeout' }), dnsQuery({ server: '203.0.113.53' })], T), 'warning');
  assert.equal(f.title, 'The first resolver 198.51.100.53 times out; every lookup waits 5 s for 203.0.113.53');
  assert.equal(commands(f)[0], "sed -i '/^[[:space:]]*nameserver[[:space:]]\\+198\\.51\\.100\\.53[[:space:]]*$/d' /etc/resolv.conf");
  assert.match(f.evidence[0]!.summary, /options timeout:5 attempts:2/);
});

test('valid: the first answers, nobody answers, rotate is set, or no config → null', () => {
  assert.equal(run(rule, [cfg, dnsQuery({ server: '198.51.100.53' }), dnsQuery({ server: '203.0.113.53', outcome: 'timeout' })], T), null);
  assert.equal(run(rule, [cfg, dnsQuery({ server: '198.51.100.53', outcome: 'timeout' }), dnsQuery({ server: '203.0.113.53', outcome: 'timeout' })], T), null);
  assert.equal(run(rule, [dnsConfig({ nameservers: cfg.data.nameservers, rotate: true }), dnsQuery({ server: '198.51.100.53', outcome: 'timeout' }), dnsQuery({ server: '203.0.113.53' })], T), null);
  assert.equal(run(rule, [dnsQuery({ server: '198.51.100.53', outcome: 'timeout' }), dnsQuery({ server: '203.0.113.53' })], T), null);
});
