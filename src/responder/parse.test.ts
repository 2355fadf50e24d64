import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hopsFromTtl, parseSavedSyn } from './syn.js';
import { parseClientHello } from './clienthello.js';
import { MAX_LINE, parseTcpRequest, parseUdpRequest, tokenMatches } from './protocol.js';
import { EchoCounts, RateLimiter } from './limits.js';

// A real saved SYN from loopback (Linux 6.x): 127.0.0.1:59468 → 127.0.0.1:36315, MSS 65495, SACK, TS, wscale 10.
const LOOPBACK_SYN = '4500003cce51400040066e687f0000017f000001e84c8ddb1187809f00000000a002ffd7fe3000000204ffd70402080a50de4073000000000103030a';

test('parseSavedSyn: a real IPv4 SYN — addresses, ports, TTL, MSS, window scale, SACK, timestamps', () => {
  const v = parseSavedSyn(Buffer.from(LOOPBACK_SYN, 'hex'));
  assert.ok(v);
  assert.equal(v.family, 4);
  assert.equal(v.src, '127.0.0.1');
  assert.equal(v.srcPort, 59468);
  assert.equal(v.dstPort, 36315);
  assert.equal(v.ttl, 64);
  assert.equal(v.hops, 0);
  assert.equal(v.mss, 65495);
  assert.equal(v.wscale, 10);
  assert.equal(v.sackOk, true);
  assert.equal(v.timestamps, true);
  assert.deepEqual(v.options, ['mss', 'sack-ok', 'ts', 'nop', 'wscale']);
});

test('parseSavedSyn: a clamped MSS and a lower TTL after 3 routers', () => {
  const b = Buffer.from(LOOPBACK_SYN, 'hex');
  b[8] = 61;
  b.writeUInt16BE(1200, 42);
  const v = parseSavedSyn(b);
  assert.equal(v?.mss, 1200);
  assert.equal(v?.hops, 3);
});

test('parseSavedSyn: IPv6 SYN, addresses compressed', () => {
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip[6] = 6;
  ip[7] = 62;
  Buffer.from('20010db8000100000000000000000010', 'hex').copy(ip, 8);
  Buffer.from('20010db8002000000000000000000002', 'hex').copy(ip, 24);
  const tcp = Buffer.from(LOOPBACK_SYN, 'hex').subarray(20);
  const v = parseSavedSyn(Buffer.concat([ip, tcp]));
  assert.equal(v?.family, 6);
  assert.equal(v?.src, '2001:db8:1::10');
  assert.equal(v?.dst, '2001:db8:20::2');
  assert.equal(v?.hops, 2);
});

test('parseSavedSyn: not a SYN, truncated, other protocol → null', () => {
  const b = Buffer.from(LOOPBACK_SYN, 'hex');
  const ack = Buffer.from(b);
  ack[33] = 0x10;
  assert.equal(parseSavedSyn(ack), null);
  assert.equal(parseSavedSyn(b.subarray(0, 30)), null);
  const udp = Buffer.from(b);
  udp[9] = 17;
  assert.equal(parseSavedSyn(udp), null);
});

test('parseSavedSyn / parseClientHello: arbitrary bytes never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      parseSavedSyn(bytes);
      parseClientHello(bytes);
      const syn = Buffer.from(LOOPBACK_SYN, 'hex');
      const mixed = Buffer.concat([syn.subarray(0, 40), Buffer.from(bytes)]);
      mixed[32] = (Math.min(15, 5 + (bytes.length >> 2)) << 4) | 0;
      parseSavedSyn(mixed);
    }),
  );
});

test('hopsFromTtl: initial 64/128/255', () => {
  assert.equal(hopsFromTtl(64), 0);
  assert.equal(hopsFromTtl(57), 7);
  assert.equal(hopsFromTtl(120), 8);
  assert.equal(hopsFromTtl(250), 5);
});

test('parseClientHello: a hello written by node:tls, with SNI and ALPN', async () => {
  const tls = await import('node:tls');
  const net = await import('node:net');
  const first = await new Promise<Buffer>((resolve) => {
    const srv = net.createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        srv.close();
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port, servername: 'www.lab.test', ALPNProtocols: ['h2', 'http/1.1'] });
      c.on('error', () => {});
    });
  });
  const h = parseClientHello(first);
  assert.ok(h);
  assert.equal(h.sni, 'www.lab.test');
  assert.deepEqual(h.alpn, ['h2', 'http/1.1']);
  assert.ok(h.versions.includes('TLS1.3'));
  assert.ok(h.cipherSuites > 3);
});

test('parseTcpRequest: each op, and each bad input with its error', () => {
  assert.deepEqual(parseTcpRequest('{"op":"arrived"}'), { ok: true, req: { op: 'arrived' } });
  assert.deepEqual(parseTcpRequest('{"op":"sink","bytes":10,"token":"x"}'), { ok: true, req: { op: 'sink', bytes: 10, token: 'x' } });
  assert.deepEqual(parseTcpRequest('{"op":"hold","seconds":5}'), { ok: true, req: { op: 'hold', seconds: 5 } });
  const bad: [string, string][] = [
    ['nope', 'malformed'],
    ['[1]', 'malformed'],
    ['{"op":"shell"}', 'unknown-op'],
    ['{"op":"sink","bytes":-1}', 'bad-field'],
    ['{"op":"sink","bytes":1.5}', 'bad-field'],
    ['{"op":"hold","seconds":99999}', 'bad-field'],
    ['{"op":"time"}', 'bad-field'],
    ['{"op":"arrived","token":5}', 'bad-field'],
    [`{"op":"arrived","pad":"${'x'.repeat(MAX_LINE)}"}`, 'too-long'],
  ];
  for (const [line, err] of bad) {
    const p = parseTcpRequest(line);
    assert.equal(p.ok, false, line);
    if (!p.ok) assert.equal(p.error, err, line);
  }
});

test('parseUdpRequest: echo, count, mtu; padding allowed; sizes bounded', () => {
  assert.equal(parseUdpRequest('{"op":"echo","id":1,"seq":2,"t1":3}      ').ok, true);
  assert.equal(parseUdpRequest('{"op":"mtu","id":1,"sizes":[1500,1400]}').ok, true);
  assert.equal(parseUdpRequest('{"op":"mtu","id":1,"sizes":[20000]}').ok, false);
  assert.equal(parseUdpRequest('{"op":"mtu","id":1,"sizes":[]}').ok, false);
  assert.equal(parseUdpRequest('{"op":"count"}').ok, false);
});

test('request parsers: arbitrary text and JSON never throw and always say why', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
      for (const p of [parseTcpRequest(s), parseUdpRequest(s)]) if (!p.ok) assert.ok(p.detail.length > 0);
    }),
  );
});

test('tokenMatches: no configured token authenticates nobody; wrong and missing tokens fail', () => {
  assert.equal(tokenMatches(null, 'x'), false);
  assert.equal(tokenMatches('s3cret', undefined), false);
  assert.equal(tokenMatches('s3cret', 's3cret'), true);
  assert.equal(tokenMatches('s3cret', 's3cre'), false);
});

test('RateLimiter: burst then refill; the table stays bounded', () => {
  let t = 0;
  const r = new RateLimiter(10, 20, 3, () => t);
  let ok = 0;
  for (let i = 0; i < 30; i++) if (r.take('a')) ok++;
  assert.equal(ok, 20);
  t = 1000;
  ok = 0;
  for (let i = 0; i < 30; i++) if (r.take('a')) ok++;
  assert.equal(ok, 10);
  for (const k of ['b', 'c', 'd', 'e']) r.take(k);
  assert.equal(r.size, 3);
  const e = new EchoCounts(2);
  e.add('x');
  e.add('y');
  e.add('z');
  assert.equal(e.size, 2);
  assert.equal(e.get('x'), 0);
});
