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

// ── hostile resolvers ──
const hostile = (over: Parameters<typeof dnsQuery>[0]) => dnsQuery({ server: '203.0.113.34', answers: [], ...over });

test('invalid: malformed replies (a compression-pointer loop, garbage) → DNS-003 with the reply bytes as evidence, never ok', () => {
  const bad = { outcome: 'error' as const, rcode: null, error: 'malformed DNS reply (46 bytes): Cannot decode name (bad pointer)', reply: 'abcd81800001' };
  const f = assertFinding(rule, run(rule, [hostile(bad), hostile({ ...bad, qtype: 'AAAA' }), dnsSystem([], { error: 'ENOTFOUND' })], T));
  assert.equal(f.title, 'The DNS resolver 203.0.113.34 gives no usable answer for app.lab.test: malformed replies');
  assert.match(f.evidence[0]!.summary, /A malformed DNS reply \(46 bytes\): Cannot decode name \(bad pointer\) \[reply bytes: abcd81800001\]/);
  assert.match(f.evidence[1]!.summary, /getaddrinfo\(app\.lab\.test\): ENOTFOUND/);
  const zh = assertFinding(rule, run(rule, [hostile(bad)], { ...T, lang: 'zh' }));
  assert.match(zh.title, /没有可用的应答（畸形应答）/);
});

test('invalid: a CNAME loop, replies with another id, a truncated reply with garbage over TCP', () => {
  const loop = assertFinding(rule, run(rule, [hostile({ rcode: 'NOERROR', cnames: ['loop1.app.lab.test', 'app.lab.test'] })], T));
  assert.match(loop.title, /a CNAME loop$/);
  assert.match(loop.evidence[0]!.summary, /CNAME loop: app\.lab\.test → loop1\.app\.lab\.test → app\.lab\.test/);
  const id = assertFinding(rule, run(rule, [hostile({ outcome: 'error', rcode: null, error: 'no matching reply within 800 ms; ignored: reply id 5 does not match the query id 4' })], T));
  assert.match(id.title, /replies with another transaction id/);
  const tc = assertFinding(rule, run(rule, [hostile({ rcode: 'NOERROR', truncated: true, error: 'truncated over UDP; TCP retry failed: malformed DNS reply (64 bytes): bad label' })], T));
  assert.match(tc.title, /a truncated reply, then garbage over TCP/);
});

test('valid: a socket error or timeout is no reply (DNS-001); a plain CNAME chain with an address; another resolver answers well', () => {
  assert.equal(run(rule, [hostile({ outcome: 'error', rcode: null, error: 'EMSGSIZE' })], T), null);
  assert.equal(run(rule, [hostile({ outcome: 'timeout', rcode: null })], T), null);
  assert.equal(run(rule, [hostile({ rcode: 'NOERROR', cnames: ['edge.cdn.test'], answers: ['203.0.113.10'] })], T), null);
  assert.equal(run(rule, [hostile({ rcode: 'NOERROR', cnames: ['edge.cdn.test'] })], T), null, 'NODATA behind a CNAME is an answer');
  assert.equal(run(rule, [hostile({ outcome: 'error', rcode: null, error: 'malformed DNS reply (3 bytes)', reply: '000102' }), dnsQuery({ server: '198.51.100.53' })], T), null);
});

test('property: whatever bytes a resolver sends, the parsing path ends in an answer or a DNS-003 finding — never a crash, never silence', async () => {
  const fc = (await import('fast-check')).default;
  const { decodeReply } = await import('../probes/dns-wire.js');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 65535 }), (bytes, id) => {
      const r = decodeReply(bytes, id, 'app.lab.test', 'A');
      const q = r.ok
        ? hostile({ rcode: r.summary.rcode, answers: r.summary.answers, cnames: r.summary.cnames, truncated: r.summary.truncated })
        : hostile({ outcome: 'error', rcode: null, error: r.wrongId ? `no matching reply within 800 ms; ignored: ${r.error}` : r.error, reply: Buffer.from(bytes).toString('hex').slice(0, 96) });
      const f = run(rule, [q, dnsSystem([], { error: 'ENOTFOUND' })], T);
      const usable = r.ok && (r.summary.answers.length > 0 || !['SERVFAIL', 'REFUSED'].includes(r.summary.rcode ?? ''));
      if (!r.ok) assert.ok(f, `undiagnosed reply: ${r.error}`);
      if (f) assert.ok(!usable || r.summary.cnames.length > 0 || r.summary.truncated, 'a usable answer is not an error');
    }),
    { numRuns: 300 },
  );
});
