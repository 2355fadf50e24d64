import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-002-nxdomain.js';
import { assertFinding, dnsQuery, dnsSystem, hosts, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };
const nx = (server: string, qtype: 'A' | 'AAAA' = 'A') => dnsQuery({ server, qtype, rcode: 'NXDOMAIN', answers: [] });

test('invalid: NXDOMAIN from every answering resolver → DNS-002', () => {
  const f = assertFinding(
    rule,
    run(rule, [nx('198.51.100.53'), nx('198.51.100.53', 'AAAA'), nx('203.0.113.53'), dnsQuery({ server: '203.0.113.54', outcome: 'timeout' }), dnsSystem([], { error: 'ENOTFOUND' })], T),
  );
  assert.equal(f.title, 'The name app.lab.test does not exist (NXDOMAIN)');
  assert.equal(f.evidence.length, 3);
  assert.match(f.evidence[0]!.summary, /198\.51\.100\.53: A app\.lab\.test → NXDOMAIN, AAAA/);
  assert.match(assertFinding(rule, run(rule, [nx('198.51.100.53')], { ...T, lang: 'zh' })).title, /域名不存在/);
});

test('valid: one resolver knows the name, a hosts entry exists, the system resolves it, or no answer at all → null', () => {
  assert.equal(run(rule, [nx('198.51.100.53'), dnsQuery({ server: '203.0.113.53' })], T), null);
  assert.equal(run(rule, [nx('198.51.100.53'), hosts([{ line: 3, address: '203.0.113.10', names: ['app.lab.test'], text: '203.0.113.10 app.lab.test' }])], T), null);
  assert.equal(run(rule, [nx('198.51.100.53'), dnsSystem(['203.0.113.10'])], T), null);
  assert.equal(run(rule, [dnsQuery({ outcome: 'timeout' })], T), null);
  assert.equal(run(rule, [], T), null);
});
