import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FIRST_BYTES, printable, ServerRecords } from './tls-records.js';
import { bannerOf } from './tls-banner.js';

const record = (type: number, body: number[]): number[] => [type, 3, 3, body.length >> 8, body.length & 0xff, ...body];
const hs = (t: number, len: number): number[] => [t, 0, len >> 8, len & 0xff, ...new Array<number>(len).fill(0)];

test('TLS 1.2 server flight: ServerHello, Certificate, CertificateRequest, ServerHelloDone (split anywhere)', () => {
  const bytes = Buffer.from([...record(22, [...hs(2, 40), ...hs(11, 300)]), ...record(22, [...hs(13, 20), ...hs(14, 0)])]);
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const r = new ServerRecords();
    r.feed(bytes.subarray(0, cut));
    r.feed(bytes.subarray(cut));
    assert.deepEqual(r.handshakes, [2, 11, 13, 14]);
    assert.equal(r.certificateRequested, true);
    assert.equal(r.tls, true);
    assert.equal(r.serverHello, true);
  }
});

test('ServerHelloDone without CertificateRequest: not requested; nothing read after ChangeCipherSpec', () => {
  const r = new ServerRecords();
  r.feed(Buffer.from([...record(22, [...hs(2, 10), ...hs(14, 0)]), ...record(20, [1]), ...record(22, hs(13, 4))]));
  assert.equal(r.certificateRequested, false);
  assert.equal(r.encrypted, true);
  assert.deepEqual(r.handshakes, [2, 14]);
});

test('a plaintext fatal alert', () => {
  const r = new ServerRecords();
  r.feed(Buffer.from(record(21, [2, 70])));
  assert.deepEqual(r.alert, { fatal: true, name: 'protocol_version' });
  assert.equal(r.certificateRequested, null);
});

test('not TLS: the first bytes are kept for a banner', () => {
  const r = new ServerRecords();
  r.feed(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'));
  assert.equal(r.tls, false);
  assert.equal(bannerOf(r.first), 'SSH-2.0-OpenSSH_9.2');
  assert.equal(bannerOf(Buffer.from(record(21, [2, 40]))), null, 'a TLS alert is not a banner');
});

test('printable: control bytes become dots, whitespace one space, at most 120 characters', () => {
  assert.equal(printable(Buffer.from('J\x00\x00\x00\n5.7.33\x00\x01hi\r\n')), 'J... 5.7.33..hi');
  assert.equal(printable(Buffer.alloc(5000, 0x41)).length, 120);
});

test('property: any chunks never throw, and memory stays bounded', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), (chunks) => {
      const r = new ServerRecords();
      for (const c of chunks) r.feed(c);
      assert.ok(r.first.length <= FIRST_BYTES);
      assert.ok(r.handshakes.length <= 32);
      assert.equal(
        r.bytes,
        chunks.reduce((a, c) => a + c.length, 0),
      );
      assert.ok(printable(r.first).length <= 120);
    }),
    { numRuns: 2000 },
  );
});

test('property: records of valid framing split at random points give the same handshake list', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 200 })), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 5 }), (msgs, cuts) => {
      const body = msgs.flatMap(([t, len]) => hs(t, len));
      const bytes = Buffer.from(record(22, body));
      const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
      const r = new ServerRecords();
      let at = 0;
      for (const p of [...points, bytes.length]) {
        r.feed(bytes.subarray(at, p));
        at = p;
      }
      assert.deepEqual(r.handshakes, msgs.map(([t]) => t).slice(0, 32));
    }),
    { numRuns: 500 },
  );
});
