import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-003-resolver-error.js';
import { assertFinding, dnsQuery, dnsSystem, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };
const rc = (server: string, rcode: string, qtype: 'A' | 'AAAA' = 'A') => dnsQuery({ server, qtype, rcode, answers: [] });

test('invalid: SERVFAIL from one resolver, REFUSED from the other → DNS-003 listing both rcodes', () => {
  const f = assertFinding(rule, run(rule, [rc('198.51.100.53', 'SERVFAIL'), rc('198.51.100.53', 'SERVFAIL', 'AAAA'), rc('203.0.113.53', 'REFUSED'), dnsSystem([])], T));
  assert.equal(f.title, 'The DNS resolvers answer SERVFAIL/REFUSED for app.lab.test');
  assert.equal(f.evidence[0]!.summary, '198.51.100.53: A SERVFAIL, AAAA SERVFAIL');
  assert.equal(f.fix.length, 2);
});

test('invalid: only REFUSED → only the REFUSED advice', () => {
  const f = assertFinding(rule, run(rule, [rc('198.51.100.53', 'REFUSED'), dnsQuery({ server: '203.0.113.53', outcome: 'timeout' })], T));
  assert.equal(f.fix.length, 1);
  assert.match(f.fix[0]!.summary, /recursion/);
});

test('valid: a usable answer exists, NXDOMAIN, system resolves, or no data → null', () => {
  assert.equal(run(rule, [rc('198.51.100.53', 'SERVFAIL'), dnsQuery({ server: '203.0.113.53' })], T), null);
  assert.equal(run(rule, [rc('198.51.100.53', 'NXDOMAIN')], T), null);
  assert.equal(run(rule, [rc('198.51.100.53', 'SERVFAIL'), dnsSystem(['203.0.113.10'])], T), null);
  assert.equal(run(rule, [], T), null);
  assert.equal(run(rule, [rc('198.51.100.53', 'SERVFAIL')]), null, 'IP target');
});
