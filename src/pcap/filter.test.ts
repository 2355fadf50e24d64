import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileFilter, FilterError } from './filter.js';
import { decode, Decoded } from './decode.js';
import { arpPacket, ether, frame, icmp, tcp, udp } from './writer.js';

const C = { ip: '198.51.100.2', mac: '02:00:00:00:00:02' };
const S = { ip: '203.0.113.10', mac: '02:00:00:00:00:01' };
const S6 = { ip: '2001:db8:2::10', mac: '02:00:00:00:00:01' };
const C6 = { ip: '2001:db8:1::2', mac: '02:00:00:00:00:02' };

const dec = (f: Buffer): Decoded => {
  const d = new Decoded();
  decode(d, 1, f, 0, f.length);
  return d;
};
const syn = dec(frame(C, S, 6, tcp({ sport: 40000, dport: 443, seq: 0, flags: 2 })));
const dnsq = dec(frame(C, S, 17, udp(5000, 53, Buffer.alloc(4))));
const ping6 = dec(frame(C6, S6, 58, icmp(128, 0, 0, Buffer.alloc(4))));
const arp = dec(ether(C.mac, 'ff:ff:ff:ff:ff:ff', 0x0806, arpPacket(1, C.mac, C.ip, '00:00:00:00:00:00', '198.51.100.1')));

const m = (expr: string, d: Decoded): boolean => compileFilter(expr)(d);

test('primitives: host, src/dst, net, port, portrange, protocols', () => {
  assert.equal(m('host 203.0.113.10', syn), true);
  assert.equal(m('src host 203.0.113.10', syn), false);
  assert.equal(m('dst 203.0.113.10', syn), true);
  assert.equal(m('net 203.0.113.0/24', syn), true);
  assert.equal(m('net 203.0.112.0/24', syn), false);
  assert.equal(m('net 2001:db8:2::/48', ping6), true);
  assert.equal(m('port 443', syn), true);
  assert.equal(m('src port 443', syn), false);
  assert.equal(m('portrange 400-500', syn), true);
  assert.equal(m('tcp', syn), true);
  assert.equal(m('udp', syn), false);
  assert.equal(m('icmp6', ping6), true);
  assert.equal(m('ip6', ping6), true);
  assert.equal(m('arp', arp), true);
  assert.equal(m('host 198.51.100.1', arp), true);
});

test('operators: and, or, not, parentheses, juxtaposition, repeated values', () => {
  assert.equal(m('tcp and port 443', syn), true);
  assert.equal(m('udp or port 443', syn), true);
  assert.equal(m('not tcp', syn), false);
  assert.equal(m('! (udp || icmp)', syn), true);
  assert.equal(m('tcp port 443', syn), true);
  assert.equal(m('port 53 or 443', syn), true);
  assert.equal(m('port 53 or 443', dnsq), true);
  assert.equal(m('host 203.0.113.99 or 203.0.113.10', syn), true);
  assert.equal(m('(tcp and port 80) or (udp and port 53)', dnsq), true);
  assert.equal(m('', syn), true);
});

test('bad expressions are a FilterError naming the problem', () => {
  for (const [e, re] of [
    ['host', /end of the expression/],
    ['host nope', /not an IP address/],
    ['port 70000', /not a port number/],
    ['net 10.0.0.0', /ADDRESS\/PREFIX/],
    ['tcp and (udp', /end of the expression/],
    ['vlan 10', /unknown word 'vlan'/],
    ['tcp )', /unexpected '\)'/],
  ] as const)
    assert.throws(
      () => compileFilter(e),
      (x: unknown) => x instanceof FilterError && re.test(x.message),
      e,
    );
});

test('random expressions: compile or FilterError, never anything else', () => {
  const word = fc.constantFrom('host', 'net', 'port', 'src', 'dst', 'tcp', 'udp', 'and', 'or', 'not', '(', ')', '!', '198.51.100.2', '2001:db8::/32', '53', '1-2', 'portrange', 'x');
  fc.assert(
    fc.property(fc.array(word, { maxLength: 10 }), (ws) => {
      try {
        compileFilter(ws.join(' '))(syn);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
      }
    }),
  );
});
