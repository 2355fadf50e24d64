import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addrBytes, buildEcho, buildSyn, buildUdp, udpChecksumId, bytesToAddr, checksum, icmpName, onesSum, parseIcmp, parseTcp, pseudoSum } from './packet.js';

/** An IPv4 header (checksum left 0: the parsers do not verify it). */
function ipv4(proto: number, src: string, dst: string, payload: Buffer, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h[8] = ttl;
  h[9] = proto;
  addrBytes(src).copy(h, 12);
  addrBytes(dst).copy(h, 16);
  return Buffer.concat([h, payload]);
}

/** An ICMP error quoting `quoted` (an IPv4 packet). */
function icmpError(type: number, code: number, quoted: Buffer, rest = 0): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = code;
  b.writeUInt32BE(rest, 4);
  const msg = Buffer.concat([b, quoted]);
  msg.writeUInt16BE(checksum(msg), 2);
  return msg;
}

test('checksum: RFC 1071 example and a packet carrying its checksum sums to 0xffff', () => {
  const ex = Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(onesSum(ex), 0xddf2);
  assert.equal(checksum(ex), 0x220d);
  const echo = buildEcho({ family: 4, ident: 0x1234, seq: 7, size: 64 });
  assert.equal(onesSum(echo), 0xffff);
});

test('addresses: IPv4 and IPv6 literals round-trip through bytes', () => {
  for (const a of ['198.51.100.7', '0.0.0.0', '255.255.255.255']) assert.equal(bytesToAddr(addrBytes(a)), a);
  for (const a of ['2001:db8::1', '::1', '::', '2001:db8:1:2:3:4:5:6', 'fe80::1:0:0:1']) assert.equal(bytesToAddr(addrBytes(a)), a);
  assert.equal(bytesToAddr(addrBytes('::ffff:198.51.100.1')), '::ffff:c633:6401');
  assert.throws(() => addrBytes('not-an-ip'));
});

test('Paris ICMP: the checksum is the same for every seq of one ident (and differs across idents)', () => {
  const sums = new Set<number>();
  for (let seq = 0; seq < 2000; seq += 37) {
    const b = buildEcho({ family: 4, ident: 0xbeef, seq, size: 56, constantChecksum: true });
    assert.equal(onesSum(b), 0xffff, 'valid checksum');
    assert.equal(b.readUInt16BE(6), seq);
    sums.add(b.readUInt16BE(2));
  }
  assert.equal(sums.size, 1);
  const other = buildEcho({ family: 4, ident: 0xbef0, seq: 1, size: 56, constantChecksum: true });
  assert.ok(!sums.has(other.readUInt16BE(2)));
  // Without the option the checksum follows the seq.
  assert.notEqual(buildEcho({ family: 4, ident: 1, seq: 1, size: 56 }).readUInt16BE(2), buildEcho({ family: 4, ident: 1, seq: 2, size: 56 }).readUInt16BE(2));
});

test('Paris UDP: the datagram carries exactly the requested checksum, and it is valid', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 0xfffe }), fc.integer({ min: 10, max: 1500 }), fc.boolean(), (want, size, v6) => {
      const src = v6 ? '2001:db8::1' : '198.51.100.1';
      const dst = v6 ? '2001:db8::2' : '203.0.113.9';
      const b = buildUdp({ src, dst, sport: 40000, dport: 33434, size, checksum: want });
      assert.equal(b.length, Math.max(10, size));
      assert.equal(b.readUInt16BE(6), want);
      assert.equal(onesSum(b, pseudoSum(src, dst, 17, b.length)), 0xffff);
      assert.equal(b.readUInt16BE(0), 40000);
      assert.equal(b.readUInt16BE(2), 33434);
    }),
  );
  assert.throws(() => buildUdp({ src: '198.51.100.1', dst: '203.0.113.9', sport: 1, dport: 2, size: 10, checksum: 0 }));
  fc.assert(fc.property(fc.integer(), (n) => udpChecksumId(n) >= 1 && udpChecksumId(n) <= 0xfffe));
});

test('TCP SYN: valid checksum, SYN flag, MSS option', () => {
  const b = buildSyn({ src: '198.51.100.1', dst: '203.0.113.9', sport: 41000, dport: 443, seq: 0xdeadbeef });
  assert.equal(onesSum(b, pseudoSum('198.51.100.1', '203.0.113.9', 6, b.length)), 0xffff);
  assert.equal(b[13], 0x02);
  assert.equal(b.readUInt32BE(4), 0xdeadbeef);
  assert.deepEqual([b[20], b[21], b.readUInt16BE(22)], [2, 4, 1460]);
});

test('parseIcmp: echo reply, time exceeded quoting our echo, frag-needed with the next-hop MTU, UDP and TCP quotes', () => {
  const reply = Buffer.from(buildEcho({ family: 4, ident: 77, seq: 5, size: 16 }));
  reply[0] = 0;
  const r = parseIcmp(4, ipv4(1, '203.0.113.9', '198.51.100.1', reply, 61));
  assert.deepEqual(r, { family: 4, from: '203.0.113.9', ttl: 61, type: 0, code: 0, ident: 77, seq: 5 });

  const probe = ipv4(1, '198.51.100.1', '203.0.113.9', buildEcho({ family: 4, ident: 77, seq: 9, size: 64, constantChecksum: true }), 1);
  const te = parseIcmp(4, ipv4(1, '198.51.100.254', '198.51.100.1', icmpError(11, 0, probe.subarray(0, 28))));
  assert.equal(te?.type, 11);
  assert.equal(te?.from, '198.51.100.254');
  assert.equal(te?.quote?.dst, '203.0.113.9');
  assert.deepEqual([te?.quote?.ident, te?.quote?.seq], [77, 9]);
  assert.equal(icmpName(4, te!.type, te!.code), 'time-exceeded');

  const fn = parseIcmp(4, ipv4(1, '198.51.100.254', '198.51.100.1', icmpError(3, 4, probe.subarray(0, 28), 1400)));
  assert.equal(fn?.mtu, 1400);
  assert.equal(icmpName(4, 3, 4), 'frag-needed');

  const udp = ipv4(17, '198.51.100.1', '203.0.113.9', buildUdp({ src: '198.51.100.1', dst: '203.0.113.9', sport: 40000, dport: 33434, size: 20, checksum: 4242 }));
  const pu = parseIcmp(4, ipv4(1, '203.0.113.9', '198.51.100.1', icmpError(3, 3, udp)));
  assert.deepEqual([pu?.quote?.proto, pu?.quote?.sport, pu?.quote?.dport, pu?.quote?.udpChecksum], [17, 40000, 33434, 4242]);

  const syn = ipv4(6, '198.51.100.1', '203.0.113.9', buildSyn({ src: '198.51.100.1', dst: '203.0.113.9', sport: 41000, dport: 443, seq: 99 }));
  const ap = parseIcmp(4, ipv4(1, '198.51.100.254', '198.51.100.1', icmpError(3, 13, syn.subarray(0, 28))));
  assert.deepEqual([ap?.quote?.proto, ap?.quote?.sport, ap?.quote?.dport, ap?.quote?.tcpSeq], [6, 41000, 443, 99]);
  assert.equal(icmpName(4, 3, 13), 'admin-prohibited');
});

test('parseIcmp (IPv6): packet too big carries the MTU, time exceeded quotes the echo', () => {
  const inner = Buffer.alloc(40 + 8);
  inner[0] = 0x60;
  inner[6] = 58;
  addrBytes('2001:db8::1').copy(inner, 8);
  addrBytes('2001:db8:9::9').copy(inner, 24);
  buildEcho({ family: 6, ident: 5, seq: 6, size: 8 }).copy(inner, 40, 0, 8);
  const head = Buffer.alloc(8);
  head[0] = 2;
  head.writeUInt32BE(1280, 4);
  const ptb = parseIcmp(6, Buffer.concat([head, inner]), '2001:db8::fe', 63);
  assert.equal(ptb?.mtu, 1280);
  assert.equal(icmpName(6, 2, 0), 'packet-too-big');
  assert.deepEqual([ptb?.quote?.ident, ptb?.quote?.seq, ptb?.from, ptb?.ttl], [5, 6, '2001:db8::fe', 63]);
});

test('parseTcp: a SYN-ACK answering our SYN', () => {
  const seg = Buffer.alloc(20);
  seg.writeUInt16BE(443, 0);
  seg.writeUInt16BE(41000, 2);
  seg.writeUInt32BE(1, 4);
  seg.writeUInt32BE(100, 8);
  seg[12] = 5 << 4;
  seg[13] = 0x12;
  assert.deepEqual(parseTcp(4, ipv4(6, '203.0.113.9', '198.51.100.1', seg)), { src: '203.0.113.9', sport: 443, dport: 41000, seq: 1, ack: 100, flags: 0x12 });
});

test('parsers: any bytes give a message or null, never an exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, v6) => {
      const b = Buffer.from(bytes);
      parseIcmp(v6 ? 6 : 4, b, v6 ? '2001:db8::1' : undefined, 1);
      parseTcp(v6 ? 6 : 4, b, v6 ? '2001:db8::1' : undefined);
      // And an IPv4 frame whose body is random
      parseIcmp(4, ipv4(1, '198.51.100.9', '198.51.100.1', b));
    }),
    { numRuns: 2000 },
  );
});
