import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-009-pmtu-blackhole.js';
import { assertFinding, commands, run } from './fixtures.js';
import { observation, type ObservationData } from '../model/observation.js';

type P = ObservationData['pmtu.search'];
const pmtu = (over: Partial<P> = {}) =>
  observation('pmtu.search', { target: '203.0.113.10', method: 'raw', largestPass: 1500, smallestFail: null, fragNeeded: null, ifMtu: 1500, dev: 'eth0', probes: 14, tcp: null, ...over } as P);
const tcp = (over: Partial<NonNullable<P['tcp']>> = {}): NonNullable<P['tcp']> => ({
  port: 443,
  outcome: 'stalled',
  mss: 1460,
  pmtu: 1500,
  bytesSent: 65536,
  bytesAcked: 0,
  retransmits: 3,
  ms: 900,
  ...over,
});

test('invalid: 1400 passes, 1401 is silently lost, TCP stalls → NET-009 with the sizes, MSS clamp and the MTU of the interface', () => {
  const f = assertFinding(rule, run(rule, [pmtu({ largestPass: 1400, smallestFail: 1401, tcp: tcp() })]));
  assert.equal(f.title, 'Packets to 203.0.113.10 larger than 1400 bytes are silently lost (PMTU blackhole)');
  assert.deepEqual(commands(f), ['iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu', 'ip link set eth0 mtu 1400']);
  assert.match(f.evidence[0]!.summary, /1400 bytes pass, 1401 bytes get no answer, no fragmentation-needed/);
  assert.match(f.evidence[1]!.summary, /65536 bytes sent in segments of MSS 1460, 0 acknowledged .*stalled/);
});

test('invalid: the target ignores ping but TCP stalls without frag-needed → NET-009 from the TCP test alone (zh)', () => {
  const f = assertFinding(rule, run(rule, [pmtu({ largestPass: null, smallestFail: null, tcp: tcp() })], { lang: 'zh' }));
  assert.match(f.title, /1500/);
  assert.equal(f.evidence.length, 1);
});

test('valid: clean path; frag-needed comes back (discovery works); MSS clamping makes TCP pass; no data', () => {
  assert.equal(run(rule, [pmtu()]), null);
  assert.equal(run(rule, [pmtu({ largestPass: 1400, smallestFail: 1401, fragNeeded: { from: '198.51.100.6', mtu: 1400 } })]), null);
  assert.equal(run(rule, [pmtu({ largestPass: 1400, smallestFail: 1401, tcp: tcp({ outcome: 'passed', bytesAcked: 65536 }) })]), null);
  assert.equal(run(rule, [pmtu({ largestPass: null, smallestFail: null, method: 'unavailable' })]), null);
  assert.equal(run(rule, []), null);
});

test('valid: a TCP stall alone without any retransmission yet, or on a path that loses echoes of every size, is not a blackhole', () => {
  const alone = { largestPass: null, smallestFail: null };
  assert.equal(run(rule, [pmtu({ ...alone, tcp: tcp({ retransmits: 0 }) })]), null);
  const lossyEcho = observation('icmp.echo', { address: '203.0.113.10', method: 'raw', sent: 4, received: 2, lossPct: 50, rtt: { min: 0.1, avg: 0.1, max: 0.1, stddev: 0 }, errors: [] });
  assert.equal(run(rule, [lossyEcho, pmtu({ ...alone, tcp: tcp() })]), null);
});
