import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './dns-005-answer-mismatch.js';
import { assertFinding, commands, dnsQuery, dnsSystem, run } from './fixtures.js';

const T = { target: 'app.lab.test:443' };

test('invalid: two resolvers give disjoint A answers → DNS-005 with every answer and TTL', () => {
  const obs = [dnsQuery({ server: '198.51.100.53', answers: [{ address: '203.0.113.10', ttl: 300 }] }), dnsQuery({ server: '203.0.113.53', answers: [{ address: '198.51.100.66', ttl: 86400 }] })];
  const f = assertFinding(rule, run(rule, obs, T));
  assert.equal(f.title, 'DNS answers for app.lab.test are not what they should be: resolvers disagree on A');
  assert.deepEqual(
    f.evidence.map((e) => e.summary),
    ['198.51.100.53 A: 203.0.113.10 (ttl 300)', '203.0.113.53 A: 198.51.100.66 (ttl 86400)'],
  );
  assert.deepEqual(commands(f), ['resolvectl flush-caches']);
});

test('invalid: --expect-ip given and the system answer is another address', () => {
  const f = assertFinding(rule, run(rule, [dnsSystem(['198.51.100.66'])], { ...T, options: { expectIp: ['203.0.113.10'] }, lang: 'zh' }));
  assert.match(f.title, /DNS解析结果异常\/被污染/);
  assert.match(f.title, /解析为 198\.51\.100\.66，预期为 203\.0\.113\.10/);
});

test('valid: overlapping answers, expected address present (other family ignored), or no data → null', () => {
  assert.equal(run(rule, [dnsQuery({ server: '198.51.100.53', answers: ['203.0.113.10', '203.0.113.11'] }), dnsQuery({ server: '203.0.113.53', answers: ['203.0.113.11'] })], T), null);
  assert.equal(run(rule, [dnsSystem(['203.0.113.10', '2001:db8::10'])], { ...T, options: { expectIp: ['203.0.113.10'] } }), null);
  assert.equal(run(rule, [dnsSystem(['203.0.113.10'])], T), null, 'no --expect-ip');
  assert.equal(run(rule, [dnsSystem([])], { ...T, options: { expectIp: ['203.0.113.10'] } }), null, 'nothing resolved: other rules');
  assert.equal(run(rule, [], T), null);
});
