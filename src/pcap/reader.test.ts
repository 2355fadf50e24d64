import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureError, CaptureReader, type RawPacket } from './reader.js';
import { decode, Decoded, ip4, ip6, ipText, parseIpWords } from './decode.js';
import { CaptureWriter, ether, frame, icmp, ip, tcp, udp } from './writer.js';

const C = { ip: '198.51.100.2', mac: '02:00:00:00:00:02' };
const S = { ip: '203.0.113.10', mac: '02:00:00:00:00:01' };
const C6 = { ip: '2001:db8:1::2', mac: '02:00:00:00:00:02' };
const S6 = { ip: '2001:db8:2::10', mac: '02:00:00:00:00:01' };

interface Seen {
  n: number;
  tsUs: number;
  linktype: number;
  caplen: number;
  origLen: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

function readAll(buf: Buffer, chunk = buf.length): { seen: Seen[]; warnings: string[] } {
  const seen: Seen[] = [];
  const d = new Decoded();
  const r = new CaptureReader(
    (p: RawPacket) => {
      decode(d, p.linktype, p.buf, p.off, p.caplen);
      seen.push({
        n: p.n,
        tsUs: p.tsUs,
        linktype: p.linktype,
        caplen: p.caplen,
        origLen: p.origLen,
        src: ipText(d.ipVer, d.src0, d.src1, d.src2, d.src3),
        dst: ipText(d.ipVer, d.dst0, d.dst1, d.dst2, d.dst3),
        sport: d.sport,
        dport: d.dport,
      });
    },
    'test',
    64,
  );
  for (let o = 0; o < buf.length; o += chunk) r.push(buf.subarray(o, o + chunk));
  const info = r.finish();
  return { seen, warnings: info.warnings };
}

const T0 = 1_700_000_000_123_456;

function sample(o: ConstructorParameters<typeof CaptureWriter>[0]): Buffer {
  const w = new CaptureWriter(o);
  w.packet(T0, frame(C, S, 6, tcp({ sport: 40000, dport: 443, seq: 1, flags: 2, mss: 1460 })));
  w.packet(T0 + 1500, frame(S, C, 6, tcp({ sport: 443, dport: 40000, seq: 9, ack: 2, flags: 18 })));
  w.packet(T0 + 2500, frame(C6, S6, 17, udp(5353, 53, Buffer.alloc(20))));
  return w.toBuffer();
}

for (const [label, o] of [
  ['pcap little-endian µs', { format: 'pcap' }],
  ['pcap big-endian µs', { format: 'pcap', bigEndian: true }],
  ['pcap nanoseconds', { format: 'pcap', nano: true }],
  ['pcapng little-endian', { format: 'pcapng' }],
  ['pcapng big-endian ns', { format: 'pcapng', bigEndian: true, nano: true }],
] as const) {
  test(`reads ${label}: packets, times, addresses, ports`, () => {
    const { seen, warnings } = readAll(sample(o));
    assert.deepEqual(warnings, []);
    assert.equal(seen.length, 3);
    assert.deepEqual(
      seen.map((s) => [s.n, s.src, s.dst, s.sport, s.dport]),
      [
        [1, '198.51.100.2', '203.0.113.10', 40000, 443],
        [2, '203.0.113.10', '198.51.100.2', 443, 40000],
        [3, '2001:db8:1::2', '2001:db8:2::10', 5353, 53],
      ],
    );
    assert.ok(Math.abs(seen[0]!.tsUs - T0) < 1, `ts ${seen[0]!.tsUs}`);
    assert.ok(Math.abs(seen[2]!.tsUs - (T0 + 2500)) < 1);
  });
}

test('fed one byte at a time, the reader sees exactly what it sees in one piece', () => {
  for (const fmt of ['pcap', 'pcapng'] as const) {
    const buf = sample({ format: fmt });
    assert.deepEqual(readAll(buf, 1), readAll(buf));
    assert.deepEqual(readAll(buf, 7), readAll(buf));
  }
});

test('pcapng: several interfaces with their own link types and timestamp resolutions; simple packet blocks', () => {
  const w = new CaptureWriter({ format: 'pcapng', linktype: 1 });
  const raw = w.interface(101, 9); // raw IP, nanoseconds
  const sll = w.interface(113, 6);
  const sll2 = w.interface(276, 3); // milliseconds
  const nul = w.interface(0, 6);
  w.packet(T0, frame(C, S, 6, tcp({ sport: 1, dport: 2, seq: 0, flags: 2 })), { iface: 0 });
  w.packet(T0 + 10, ip({ src: C.ip, dst: S.ip, proto: 17 }, udp(3, 4, Buffer.alloc(4))), { iface: raw, resol: 1e9 });
  const sllHdr = Buffer.alloc(16);
  sllHdr.writeUInt16BE(6, 4);
  sllHdr.writeUInt16BE(0x86dd, 14);
  w.packet(T0 + 20, Buffer.concat([sllHdr, ip({ src: C6.ip, dst: S6.ip, proto: 6 }, tcp({ sport: 5, dport: 6, seq: 0, flags: 2 }))]), { iface: sll });
  const sll2Hdr = Buffer.alloc(20);
  sll2Hdr.writeUInt16BE(0x0800, 0);
  w.packet(T0 - (T0 % 1000) + 5000, Buffer.concat([sll2Hdr, ip({ src: S.ip, dst: C.ip, proto: 17 }, udp(7, 8, Buffer.alloc(0)))]), { iface: sll2, resol: 1e3 });
  const nulHdr = Buffer.alloc(4);
  nulHdr.writeUInt32LE(2);
  w.packet(T0 + 40, Buffer.concat([nulHdr, ip({ src: '127.0.0.1', dst: '127.0.0.1', proto: 17 }, udp(9, 10, Buffer.alloc(1)))]), { iface: nul });
  w.simplePacket(frame(S, C, 17, udp(11, 12, Buffer.alloc(3))));
  const { seen, warnings } = readAll(w.toBuffer());
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    seen.map((s) => [s.linktype, s.src, s.sport, s.dport]),
    [
      [1, '198.51.100.2', 1, 2],
      [101, '198.51.100.2', 3, 4],
      [113, '2001:db8:1::2', 5, 6],
      [276, '203.0.113.10', 7, 8],
      [0, '127.0.0.1', 9, 10],
      [1, '203.0.113.10', 11, 12],
    ],
  );
  assert.ok(Math.abs(seen[1]!.tsUs - (T0 + 10)) < 1);
  assert.equal(seen[3]!.tsUs, T0 - (T0 % 1000) + 5000);
});

test('decode: VLAN tags, IPv6 extension headers, fragments, TCP options, ICMP quoting a packet', () => {
  const d = new Decoded();
  const syn = tcp({ sport: 40000, dport: 443, seq: 7, flags: 2, mss: 1400, wscale: 7 });
  const tagged = ether(C.mac, S.mac, 0x0800, ip({ src: C.ip, dst: S.ip, proto: 6 }, syn), 100);
  decode(d, 1, tagged, 0, tagged.length);
  assert.deepEqual([d.vlan, d.ipVer, d.sport, d.dport, d.mss, d.wscale, d.flags], [100, 4, 40000, 443, 1400, 7, 2]);
  // IPv6 with a hop-by-hop header then TCP.
  const hbh = Buffer.concat([Buffer.from([6, 0, 1, 4, 0, 0, 0, 0]), syn]);
  const v6 = ip({ src: C6.ip, dst: S6.ip, proto: 0 }, hbh);
  decode(d, 101, v6, 0, v6.length);
  assert.deepEqual([d.ipVer, d.proto, d.sport, d.mss], [6, 6, 40000, 1400]);
  // A non-first IPv4 fragment carries no ports.
  const frag = ip({ src: C.ip, dst: S.ip, proto: 17, fragOffset: 1480, id: 9 }, Buffer.alloc(100));
  decode(d, 101, frag, 0, frag.length);
  assert.deepEqual([d.fragment, d.fragOffset, d.sport], [true, 1480, -1]);
  // ICMP port unreachable quoting a UDP datagram; frag-needed with its MTU.
  const quoted = ip({ src: C.ip, dst: S.ip, proto: 17 }, udp(5000, 53, Buffer.alloc(0)));
  const un = ip({ src: S.ip, dst: C.ip, proto: 1 }, icmp(3, 3, 0, quoted));
  decode(d, 101, un, 0, un.length);
  assert.deepEqual([d.icmpType, d.icmpCode, d.qVer, d.qProto, ip4(d.qSrc3), d.qSport, d.qDport], [3, 3, 4, 17, C.ip, 5000, 53]);
  const fn = ip({ src: '203.0.113.1', dst: C.ip, proto: 1 }, icmp(3, 4, 1400, quoted));
  decode(d, 101, fn, 0, fn.length);
  assert.equal(d.icmpMtu, 1400);
  // ICMPv6 packet too big quoting IPv6/TCP.
  const q6 = ip({ src: C6.ip, dst: S6.ip, proto: 6 }, syn);
  const ptb = ip({ src: '2001:db8:9::1', dst: C6.ip, proto: 58 }, icmp(2, 0, 1280, q6));
  decode(d, 101, ptb, 0, ptb.length);
  assert.deepEqual([d.icmpType, d.icmpMtu, d.qVer, d.qSport, ip6(d.qDst0, d.qDst1, d.qDst2, d.qDst3)], [2, 1280, 6, 40000, S6.ip]);
});

test('decode: a snaplen cut keeps the wire payload length but not beyond the captured bytes', () => {
  const d = new Decoded();
  const f = frame(C, S, 6, tcp({ sport: 1, dport: 2, seq: 0, flags: 24 }, Buffer.alloc(1000)));
  decode(d, 1, f, 0, 80);
  assert.equal(d.payLen, 1000);
  assert.equal(d.payCap, 80 - 14 - 20 - 20);
  // Cut inside the IP header: no transport, no exception.
  decode(d, 1, f, 0, 20);
  assert.equal(d.truncated, true);
  assert.equal(d.sport, -1);
});

test('address text and parsing round-trip', () => {
  for (const a of ['198.51.100.2', '2001:db8::1', '::1', '2001:db8:0:1:1:1:1:1', 'fe80::1:2']) {
    const w = parseIpWords(a)!;
    assert.equal(ipText(w[0], w[1], w[2], w[3], w[4]), a);
  }
  assert.equal(parseIpWords('300.1.1.1'), null);
  assert.equal(parseIpWords('host.lab.test'), null);
});

test('bad input: empty, not a capture, too short: a CaptureError naming the input', () => {
  const r =
    (b: Buffer): (() => void) =>
    () => {
      const rd = new CaptureReader(() => {}, 'x.pcap');
      rd.push(b);
      rd.finish();
    };
  assert.throws(r(Buffer.alloc(0)), (e: unknown) => e instanceof CaptureError && /x\.pcap: empty file/.test(e.message));
  assert.throws(r(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')), (e: unknown) => e instanceof CaptureError && /not a capture/.test(e.message));
  assert.throws(r(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0])), (e: unknown) => e instanceof CaptureError && /too short/.test(e.message));
});

test('damage after a good start: what was read stays, with a warning', () => {
  const buf = sample({ format: 'pcap' });
  const cut = readAll(buf.subarray(0, buf.length - 10));
  assert.equal(cut.seen.length, 2);
  assert.match(cut.warnings[0]!, /cut mid-record/);
  const bad = Buffer.from(buf);
  bad.writeUInt32LE(0x7fffffff, 24 + 16 + bad.readUInt32LE(24 + 8) + 8); // second record's captured length
  const r = readAll(bad);
  assert.equal(r.seen.length, 1);
  assert.match(r.warnings[0]!, /packet 2: damaged record header/);
  const ng = sample({ format: 'pcapng' });
  const ngBad = Buffer.from(ng);
  ngBad.writeUInt32LE(13, 28 + 32 + 4); // the first EPB's length
  const rn = readAll(ngBad);
  assert.equal(rn.seen.length, 0);
  assert.match(rn.warnings[0]!, /damaged pcapng block/);
});

test('pcapng: a packet on an interface no block describes is counted and warned about', () => {
  const w = new CaptureWriter({ format: 'pcapng' });
  w.packet(T0, frame(C, S, 17, udp(1, 2, Buffer.alloc(1))), { iface: 5 });
  w.packet(T0, frame(C, S, 17, udp(1, 2, Buffer.alloc(1))), { iface: 0 });
  const { seen, warnings } = readAll(w.toBuffer());
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.linktype, -1);
  assert.match(warnings[0]!, /interface 5, which no interface block describes/);
});
