import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parsePingOutput, MAX_ERRORS } from './ping-output.js';

/** A recorded output (test/fixtures/ping, see capture.sh): the command line, then what ping printed. */
function recorded(name: string): { address: string; text: string } {
  const text = readFileSync(new URL(`../../test/fixtures/ping/${name}.txt`, import.meta.url), 'utf8');
  const [cmd = '', ...rest] = text.split('\n');
  return { address: cmd.trim().split(' ').pop()!, text: rest.join('\n') };
}
const parse = (name: string) => {
  const r = recorded(name);
  return parsePingOutput(r.text, r.address);
};

test('replies: counts and the summary’s RTT line (v4, v6, loopback)', () => {
  const l = parse('loopback-v4');
  assert.deepEqual(l, { address: '127.0.0.1', sent: 4, received: 4, lossPct: 0, rtt: { min: 0.04, avg: 0.041, max: 0.043, stddev: 0.001 }, errors: [] });
  for (const name of ['loopback-v6', 'reply-v4', 'reply-v6']) {
    const r = parse(name);
    assert.deepEqual([r.sent, r.received, r.lossPct, r.errors.length], [4, 4, 0, 0], name);
    assert.ok(r.rtt && r.rtt.min <= r.rtt.avg && r.rtt.avg <= r.rtt.max, name);
  }
});

test('loss: half the echoes unanswered', () => {
  const r = parse('loss-half-v4');
  assert.deepEqual([r.sent, r.received, r.lossPct], [4, 2, 50]);
  assert.ok(r.rtt);
});

test('silence: 100% loss, no RTT, no errors', () => {
  for (const name of ['silent-v4', 'silent-v6', 'output-drop-v4']) {
    const r = parse(name);
    assert.equal(r.received, 0, name);
    assert.equal(r.lossPct, 100, name);
    assert.equal(r.rtt, null, name);
    assert.deepEqual(r.errors, [], name);
  }
});

test('ICMP errors from a router, by wording', () => {
  const cases: Array<[string, number, number, string, string]> = [
    ['host-unreachable-v4', 3, 1, 'host-unreachable', '198.51.100.2'],
    ['net-unreachable-v4', 3, 0, 'net-unreachable', '198.51.100.2'],
    ['port-unreachable-v4', 3, 3, 'port-unreachable', '198.51.100.2'],
    ['host-prohibited-v4', 3, 10, 'host-prohibited', '198.51.100.2'],
    ['admin-prohibited-v4', 3, 13, 'admin-prohibited', '198.51.100.2'],
    ['ttl-exceeded-v4', 11, 0, 'time-exceeded', '198.51.100.2'],
    ['address-unreachable-v6', 1, 3, 'address-unreachable', '2001:db8:1::2'],
    ['admin-prohibited-v6', 1, 1, 'admin-prohibited', '2001:db8:1::2'],
    ['port-unreachable-v6', 1, 4, 'port-unreachable', '2001:db8:1::2'],
    ['no-route-v6', 1, 0, 'no-route', '2001:db8:1::2'],
    ['hop-limit-v6', 3, 0, 'time-exceeded', '2001:db8:1::2'],
  ];
  for (const [name, type, code, what, from] of cases) {
    const r = parse(name);
    assert.ok(r.errors.length >= 1, name);
    assert.deepEqual(r.errors[0], { type, code, from, name: what }, name);
    assert.equal(r.received, 0, name);
  }
  assert.equal(parse('host-unreachable-v4').sent, 16, 'the summary counts every echo sent during -w');
});

test('frag-needed / packet-too-big carry the next-hop MTU; the local error is the reason', () => {
  const v4 = parse('frag-needed-v4');
  assert.deepEqual(v4.errors[0], { type: 3, code: 4, from: '198.51.100.2', name: 'frag-needed', mtu: 1280 });
  assert.equal(v4.reason, 'local error: message too long, mtu=1280');
  const v6 = parse('packet-too-big-v6');
  assert.deepEqual(v6.errors[0], { type: 2, code: 0, from: '2001:db8:1::2', name: 'packet-too-big', mtu: 1280 });
  assert.deepEqual(parse('local-mtu-v4').errors, []);
});

test('ping could not send: no echo counted, the reason kept', () => {
  const cases: Array<[string, string]> = [
    ['no-route-v4', 'connect: Network is unreachable'],
    ['unreachable-route-v4', 'connect: No route to host'],
    ['blackhole-route-v4', 'connect: Invalid argument'],
    ['prohibit-route-v4', 'connect: Permission denied (a prohibit route or the local firewall)'],
  ];
  for (const [name, reason] of cases) {
    const r = parse(name);
    assert.deepEqual([r.sent, r.received, r.rtt, r.reason], [0, 0, null, reason], name);
  }
});

test('killed before the summary: counts what it saw', () => {
  const r = parsePingOutput(
    'PING 198.51.100.2 (198.51.100.2) 56(84) bytes of data.\n64 bytes from 198.51.100.2: icmp_seq=1 ttl=64 time=0.5 ms\n64 bytes from 198.51.100.2: icmp_seq=2 ttl=64 time=1.5 ms\n',
    '198.51.100.2',
  );
  assert.deepEqual(r, { address: '198.51.100.2', sent: 2, received: 2, lossPct: 0, rtt: { min: 0.5, avg: 1, max: 1.5, stddev: 0.5 }, errors: [] });
});

test('property: any text parses to a sane value, without throwing', () => {
  const lines = fc.constantFrom(
    '64 bytes from 198.51.100.2: icmp_seq=1 ttl=64 time=0.5 ms',
    'From 198.51.100.1 icmp_seq=1 Destination Host Unreachable',
    'From 198.51.100.1 icmp_seq=9 Frag needed and DF set (mtu = 1400)',
    '3 packets transmitted, 1 received, 66.6667% packet loss, time 400ms',
    '5 packets transmitted, 9 received',
    'rtt min/avg/max/mdev = 1/2/3/4 ms',
    'ping: socket: Operation not permitted',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(lines, fc.string({ maxLength: 120 })), { maxLength: 80 }), (ls) => {
      const r = parsePingOutput(ls.join('\n'), '198.51.100.2');
      assert.ok(r.received <= r.sent);
      assert.ok(r.lossPct >= 0 && r.lossPct <= 100);
      assert.ok(r.errors.length <= MAX_ERRORS);
      if (r.received === 0) assert.equal(r.rtt, null);
    }),
    { numRuns: 2000 },
  );
  const huge = 'From 198.51.100.1 icmp_seq=1 Destination Host Unreachable\n'.repeat(20_000);
  assert.equal(parsePingOutput(huge, '198.51.100.2').errors.length, MAX_ERRORS);
});
