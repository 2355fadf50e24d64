/**
 * Fuzzing the capture reader and everything behind it (decoders, flows, DNS/TLS parsers, findings):
 * truncated files, bad block lengths, snaplen cuts, absurd header lengths, random bytes. The
 * result is a clear CaptureError or a (partial) analysis with warnings — never another exception,
 * never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CaptureError, CaptureReader } from './reader.js';
import { Analyzer } from './flows.js';
import { judge } from './findings.js';
import { summarize } from './report.js';
import { CaptureWriter, TcpConv, frame, icmp, ip, udp } from './writer.js';
import { parseDns, TlsStream } from './app.js';

const C = { ip: '198.51.100.2', mac: '02:00:00:00:00:02' };
const S = { ip: '203.0.113.10', mac: '02:00:00:00:00:01' };

function seed(format: 'pcap' | 'pcapng'): Buffer {
  const w = new CaptureWriter({ format });
  const t = new TcpConv(w, C, S, 40000, 443);
  const hello = Buffer.from('16030100310100002d0303' + '00'.repeat(32) + '000002130101000002' + '0000', 'hex');
  t.handshake(1).data('c', hello).tick(1).data('s', 100).tick(1).rst('s');
  w.packet(t.at, frame(C, S, 17, udp(5000, 53, Buffer.from('0001010000010000000000000161036c6162047465737400000100 01'.replace(/ /g, ''), 'hex'))));
  w.packet(t.at, frame(S, C, 1, icmp(3, 4, 1400, ip({ src: C.ip, dst: S.ip, proto: 6 }, Buffer.alloc(20)))));
  return w.toBuffer();
}

function run(buf: Buffer, chunk: number): void {
  const a = new Analyzer();
  const r = new CaptureReader(a.onPacket, 'fuzz', 64);
  try {
    for (let o = 0; o < buf.length && !r.done; o += chunk) r.push(buf.subarray(o, o + chunk));
    const info = r.finish();
    judge(a, { lang: 'en', expectIp: ['203.0.113.99'] });
    summarize(a, info, 'fuzz');
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    assert.ok(err.message.startsWith('fuzz: '));
  }
}

const seeds = [seed('pcap'), seed('pcapng')];

test('mutated captures: a CaptureError or a result, nothing else', () => {
  fc.assert(
    fc.property(fc.nat(1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 12 }), fc.integer({ min: 1, max: 300 }), (which, edits, chunk) => {
      const b = Buffer.from(seeds[which]!);
      for (const [pos, v] of edits) b[pos % b.length] = v;
      run(b, chunk);
    }),
    { numRuns: 400 },
  );
});

test('truncated captures at every length: never an exception other than CaptureError', () => {
  for (const s of seeds) for (let n = 0; n <= s.length; n += 3) run(s.subarray(0, n), 64);
});

test('absurd header lengths (records, blocks, IP, TCP, DNS, TLS) do not hang or throw', () => {
  fc.assert(
    fc.property(fc.nat(1), fc.nat(), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 12, 13, 65535, 1 << 24), (which, pos, v) => {
      const b = Buffer.from(seeds[which]!);
      const at = (pos % Math.max(1, b.length - 4)) & ~3;
      b.writeUInt32LE(v >>> 0, at);
      run(b, 4096);
    }),
    { numRuns: 300 },
  );
});

test('random bytes behind a valid header', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(1), (junk, which) => {
      const head = seeds[which]!.subarray(0, which === 0 ? 24 : 60);
      run(Buffer.concat([head, Buffer.from(junk)]), 97);
    }),
    { numRuns: 300 },
  );
});

test('DNS and TLS parsers on random bytes: a value or null, no exception, no loop', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (u) => {
      const b = Buffer.from(u);
      parseDns(b, 0, b.length);
      const s = new TlsStream();
      s.push(Buffer.concat([Buffer.from([22, 3, 3, b.length >> 8, b.length & 255]), b]), 1, 0);
      s.push(b, 2, 0);
    }),
    { numRuns: 500 },
  );
  // A compression-pointer loop.
  const loop = Buffer.from('000101000001000000000000c00c00010001', 'hex');
  assert.equal(parseDns(loop, 0, loop.length), null);
});
