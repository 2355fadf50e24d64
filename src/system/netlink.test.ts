import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import fc from 'fast-check';
import { addressBytes, addressText, decodeAttrs, decodeLink, decodeMessages, decodeRouteGet, errnoText, linkRequest, routeGetRequest } from './netlink.js';
import { ParseError } from '../model/errors.js';
import { attr, msg as dumpMsg, u32, valueOrParseError as known } from './testing-netlink.js';

/** An answer to a single request (no NLM_F_MULTI). */
const msg = (type: number, body: Buffer): Buffer => dumpMsg(type, body, 0);

/** rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
const rtmsg = (o: { family: number; dstLen: number; srcLen?: number; table: number; protocol: number; type: number; flags: number }): Buffer => {
  const b = Buffer.alloc(12);
  b.writeUInt8(o.family, 0);
  b.writeUInt8(o.dstLen, 1);
  b.writeUInt8(o.srcLen ?? 0, 2);
  b.writeUInt8(o.table, 4);
  b.writeUInt8(o.protocol, 5);
  b.writeUInt8(o.type, 7);
  b.writeUInt32LE(o.flags >>> 0, 8);
  return b;
};
const ip = (a: string): Buffer => addressBytes(a)!;

test('the route request is the one iproute2 6.1 sends (strace of `ip route get 127.0.0.1`)', () => {
  const req = routeGetRequest({ dst: '127.0.0.1' }, 7);
  // nlmsghdr {36, RTM_GETROUTE, NLM_F_REQUEST, seq 7, pid 0}, rtmsg {AF_INET, /32, flags RTM_F_LOOKUP_TABLE}, RTA_DST 127.0.0.1
  assert.equal(req.toString('hex'), '240000001a000100070000000000000002200000000000000010000008000100' + '7f000001');
  // IPv6: no RTM_F_LOOKUP_TABLE (ip does not set it there), /128.
  const six = routeGetRequest({ dst: '::1', from: '::1', mark: 1, iifIndex: 3 }, 1);
  assert.equal(six.readUInt32LE(0), six.length);
  assert.deepEqual([six.readUInt8(16), six.readUInt8(17), six.readUInt8(18), six.readUInt32LE(24)], [10, 128, 128, 0]);
  const a = decodeAttrs(six.subarray(16), 12);
  assert.deepEqual([...a.keys()], [1, 2, 3, 16]);
  assert.equal(a.get(3)!.readUInt32LE(0), 3);
  assert.throws(() => routeGetRequest({ dst: '127.0.0.1', from: '::1' }, 1), /not an IPv4 address/);
  assert.throws(() => routeGetRequest({ dst: 'fe80::1%eth0' }, 1), /not an IP address/);
});

test('an IPv4 answer from the route cache: a local route, its cache flag, the table named', () => {
  // What the kernel answered to `ip route get 127.0.0.1` (strace): RTM_F_CLONED|RTCF_LOCAL, RTA_TABLE main.
  const body = Buffer.concat([
    rtmsg({ family: 2, dstLen: 32, table: 254, protocol: 0, type: 2, flags: 0x200 | 0x80000000 }),
    attr(15, u32(254)),
    attr(1, ip('127.0.0.1')),
    attr(4, u32(1)),
    attr(7, ip('127.0.0.1')),
    attr(25, u32(0)),
    attr(12, Buffer.alloc(32)),
  ]);
  const r = decodeRouteGet(msg(24, body));
  assert.ok(r.ok);
  assert.equal(r.oif, 1);
  assert.deepEqual(r.route, {
    family: 4,
    type: 'local',
    dst: '127.0.0.1',
    from: null,
    gateway: null,
    dev: null,
    src: '127.0.0.1',
    table: 'main',
    protocol: null,
    metric: null,
    mark: null,
    iif: null,
    flags: [],
    cache: ['local'],
  });
});

test('an IPv6 answer: the protocol and metric of a route that is not a cache entry, from ::, a gateway of the other family', () => {
  const six = decodeRouteGet(
    msg(
      24,
      Buffer.concat([
        rtmsg({ family: 10, dstLen: 128, srcLen: 128, table: 255, protocol: 2, type: 2, flags: 0 }),
        attr(15, u32(255)),
        attr(1, ip('::1')),
        attr(2, ip('::')),
        attr(7, ip('::1')),
        attr(6, u32(0)),
        attr(4, u32(1)),
      ]),
    ),
  );
  assert.ok(six.ok);
  assert.deepEqual([six.route.table, six.route.protocol, six.route.metric, six.route.from, six.route.type], ['local', 'kernel', 0, '::', 'local']);
  const via = Buffer.concat([Buffer.from([10, 0]), ip('2001:db8:1::2')]);
  const v4 = decodeRouteGet(
    msg(24, Buffer.concat([rtmsg({ family: 2, dstLen: 32, table: 100, protocol: 0, type: 1, flags: 0x200 | 4 }), attr(1, ip('100.64.95.1')), attr(18, via), attr(16, u32(1))])),
  );
  assert.ok(v4.ok);
  assert.deepEqual([v4.route.gateway, v4.viaFamily, v4.route.table, v4.route.flags, v4.route.mark], ['2001:db8:1::2', 'inet6', '100', ['onlink'], 1]);
});

test("the kernel's refusal is its errno, worded as strerror words it", () => {
  const err = Buffer.alloc(20);
  err.writeInt32LE(-constants.errno.EHOSTUNREACH, 0);
  const r = decodeRouteGet(msg(2, err));
  assert.deepEqual(r, { ok: false, errno: constants.errno.EHOSTUNREACH });
  assert.equal(errnoText(constants.errno.ENETUNREACH, constants.errno), 'Network is unreachable');
  assert.equal(errnoText(constants.errno.EINVAL, constants.errno), 'Invalid argument');
  assert.equal(errnoText(constants.errno.EXDEV, constants.errno), 'EXDEV');
  assert.equal(errnoText(99999, constants.errno), 'error 99999');
  // An acknowledgement (errno 0) is not an answer to a lookup.
  assert.throws(() => decodeRouteGet(msg(2, Buffer.alloc(20))), ParseError);
});

test('an interface by index or name: RTM_GETLINK, and its answer', () => {
  const byName = linkRequest({ name: 'eth0' }, 1);
  assert.equal(byName.readUInt16LE(4), 18);
  assert.equal(decodeAttrs(byName.subarray(16), 16).get(3)!.toString(), 'eth0\0');
  assert.equal(linkRequest({ index: 7 }, 1).readInt32LE(20), 7);
  const ifi = Buffer.alloc(16);
  ifi.writeInt32LE(7, 4);
  assert.deepEqual(decodeLink(msg(16, Buffer.concat([ifi, attr(3, Buffer.from('eth0\0'))]))), { ok: true, index: 7, name: 'eth0', kind: null, mtu: null });
  // IFLA_LINKINFO (18, nested: the kernel sets NLA_F_NESTED) holding IFLA_INFO_KIND (1).
  const linkinfo = attr(18 | 0x8000, attr(1, Buffer.from('wireguard\0')));
  const mtu = Buffer.alloc(4);
  mtu.writeUInt32LE(1420);
  assert.deepEqual(decodeLink(msg(16, Buffer.concat([ifi, attr(3, Buffer.from('wg0\0')), attr(4, mtu), linkinfo]))), { ok: true, index: 7, name: 'wg0', kind: 'wireguard', mtu: 1420 });
  const nodev = Buffer.alloc(20);
  nodev.writeInt32LE(-constants.errno.ENODEV, 0);
  assert.deepEqual(decodeLink(msg(2, nodev)), { ok: false, errno: constants.errno.ENODEV });
});

test('addresses read and written as iproute2 prints them', () => {
  assert.equal(addressText(ip('2001:db8:0:0:1:0:0:1'), 'x'), '2001:db8::1:0:0:1');
  assert.equal(addressText(ip('::ffff:198.51.100.2'), 'x'), '::ffff:198.51.100.2');
  assert.equal(addressText(ip('::'), 'x'), '::');
  assert.equal(addressText(ip('fe80::1'), 'x'), 'fe80::1');
  assert.throws(() => addressText(Buffer.alloc(5), 'gateway'), /gateway: expected a 4- or 16-byte address, got 5 bytes/);
  assert.equal(addressBytes('300.1.1.1'), null);
});

test('malformed answers: every length checked, a ParseError naming it, never a crash or a hang (fast-check)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes);
      known(() => decodeMessages(b));
      known(() => decodeRouteGet(b));
      known(() => decodeLink(b));
    }),
    { numRuns: 3000 },
  );
  // Answers that are well framed but carry arbitrary attributes.
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.uint8Array({ maxLength: 24 })), { maxLength: 12 }), fc.integer({ min: 0, max: 255 }), (attrs, type) => {
      const body = Buffer.concat([rtmsg({ family: 2, dstLen: 32, table: 254, protocol: 0, type, flags: 0x200 }), ...attrs.map(([t, p]) => attr(t, Buffer.from(p)))]);
      known(() => decodeRouteGet(msg(24, body)));
      known(() => decodeLink(msg(16, body)));
    }),
    { numRuns: 3000 },
  );
  assert.throws(() => decodeMessages(Buffer.concat([msg(24, Buffer.alloc(12)), Buffer.alloc(6)])), /stray bytes/);
  const lying = msg(24, Buffer.alloc(12));
  lying.writeUInt32LE(4000, 0);
  assert.throws(() => decodeRouteGet(lying), /claims 4000 bytes/);
});
