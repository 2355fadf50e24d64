import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as dnsPacket from 'dns-packet';
import { decodeReply, encodeQuery, MAX_RECORDS } from './dns-wire.js';

const valid = (id: number, answers: dnsPacket.Answer[] = []): Buffer =>
  dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'app.lab.test', class: 'IN' }], answers });

test('a valid reply decodes to its summary', () => {
  const r = decodeReply(valid(7, [{ type: 'A', name: 'app.lab.test', ttl: 5, class: 'IN', data: '198.51.100.7' }]), 7, 'APP.lab.test.', 'A');
  assert.deepEqual(r, { ok: true, summary: { rcode: 'NOERROR', answers: [{ address: '198.51.100.7', ttl: 5 }], cnames: [], truncated: false } });
});

test('our own query is not a reply', () => {
  const r = decodeReply(encodeQuery(9, 'app.lab.test', 'A'), 9, 'app.lab.test', 'A');
  assert.deepEqual(r, { ok: false, error: 'the reply is a query, not a response (QR bit clear)' });
});

test('short, wrong-id and wrong-type replies say what is wrong', () => {
  assert.deepEqual(decodeReply(Buffer.from([1, 2, 3]), 1, 'a', 'A'), { ok: false, error: 'malformed DNS reply: 3 bytes, shorter than a DNS header' });
  const wrongId = decodeReply(valid(8), 7, 'app.lab.test', 'A');
  assert.equal(wrongId.ok, false);
  assert.equal(!wrongId.ok && wrongId.wrongId, true);
  assert.match(!wrongId.ok ? wrongId.error : '', /reply id 8 does not match the query id 7/);
  const wrongType = decodeReply(valid(7), 7, 'app.lab.test', 'AAAA');
  assert.match(!wrongType.ok ? wrongType.error : '', /another question/);
});

test('a header that promises records it does not carry is malformed', () => {
  const b = valid(7);
  b.writeUInt16BE(5, 6); // ANCOUNT = 5, no records follow
  const r = decodeReply(b, 7, 'app.lab.test', 'A');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error : '', /^malformed DNS reply \(\d+ bytes\)/);
});

test('a compression-pointer loop is malformed, not a hang', () => {
  const b = Buffer.alloc(14);
  b.writeUInt16BE(7, 0);
  b.writeUInt16BE(0x8000, 2);
  b.writeUInt16BE(1, 4); // one question whose name points at itself
  b.writeUInt16BE(0xc00c, 12);
  const r = decodeReply(b, 7, 'app.lab.test', 'A');
  assert.equal(r.ok, false);
});

test('records are capped', () => {
  const answers = Array.from({ length: 250 }, (_, i) => ({ type: 'A' as const, name: 'app.lab.test', ttl: 1, class: 'IN' as const, data: `198.51.100.${i}` }));
  const r = decodeReply(valid(3, answers), 3, 'app.lab.test', 'A');
  assert.equal(r.ok && r.summary.answers.length, MAX_RECORDS);
});

test('property: any bytes decode to a value (ok or an error text), never an exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 65535 }), (bytes, id) => {
      const r = decodeReply(bytes, id, 'app.lab.test', 'A');
      assert.ok(r.ok || (typeof r.error === 'string' && r.error.length > 0 && r.error.length < 300));
    }),
    { numRuns: 3000 },
  );
});

test('property: a valid reply with mutated bytes or cut short never throws; an intact one decodes', () => {
  const base = valid(4242, [
    { type: 'CNAME', name: 'app.lab.test', ttl: 9, class: 'IN', data: 'edge.lab.test' },
    { type: 'A', name: 'edge.lab.test', ttl: 9, class: 'IN', data: '198.51.100.9' },
  ]);
  assert.equal(decodeReply(base, 4242, 'app.lab.test', 'A').ok, true);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(base.length), (edits, cut) => {
      const b = Buffer.from(base);
      for (const [i, v] of edits) b[i] = v;
      const r = decodeReply(b.subarray(0, cut), 4242, 'app.lab.test', 'A');
      if (r.ok) {
        assert.ok(r.summary.answers.length <= MAX_RECORDS);
        for (const a of r.summary.answers) assert.equal(typeof a.address, 'string');
      } else assert.equal(typeof r.error, 'string');
    }),
    { numRuns: 3000 },
  );
});
