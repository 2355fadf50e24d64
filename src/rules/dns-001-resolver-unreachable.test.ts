import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-001-resolver-unreachable.js';
import { assertFinding, dnsConfig, dnsQuery, dnsSystem, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };
const dead = (server: string) => [dnsQuery({ server, qtype: 'A', outcome: 'timeout' }), dnsQuery({ server, qtype: 'AAAA', outcome: 'timeout' })];

test('invalid: both configured resolvers time out and getaddrinfo fails → DNS-001 with per-server evidence', () => {
  const obs = [dnsConfig({ nameservers: ['198.51.100.53', '203.0.113.53'] }), ...dead('198.51.100.53'), dnsQuery({ server: '203.0.113.53', outcome: 'unreachable' }), dnsSystem([])];
  const f = assertFinding(rule, run(rule, obs, T));
  assert.equal(f.title, 'No configured DNS resolver answers (198.51.100.53, 203.0.113.53)');
  assert.match(f.evidence[1]!.summary, /^198\.51\.100\.53: A timeout after 5000 ms, AAAA timeout/);
  assert.match(f.evidence.at(-1)!.summary, /EAI_AGAIN/);
  assert.equal(f.fix.find((x) => x.command)?.command, 'resolvectl dns');
});

test('valid: one resolver answers (even NXDOMAIN), the system resolver succeeds, or data is absent → null', () => {
  const cfg = dnsConfig({ nameservers: ['198.51.100.53', '203.0.113.53'] });
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), dnsQuery({ server: '203.0.113.53' }), dnsSystem(['203.0.113.10'])], T), null);
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), dnsQuery({ server: '203.0.113.53', rcode: 'NXDOMAIN', answers: [] }), dnsSystem([], { error: 'ENOTFOUND' })], T), null);
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), ...dead('203.0.113.53'), dnsSystem(['203.0.113.10'])], T), null, 'hosts file or cache answered');
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), dnsSystem([])], T), null, 'the second server was never asked');
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), ...dead('203.0.113.53')], T), null, 'no system lookup');
  assert.equal(run(rule, [cfg, ...dead('198.51.100.53'), ...dead('203.0.113.53'), dnsSystem([])]), null, 'an IP target needs no DNS');
  assert.equal(run(rule, [], T), null);
});
