import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDfPing } from './df-ping.js';

test('ping -M do outputs: a reply passes; frag needed names the router and its MTU; a cached PMTU is a local too-big; silence is lost', () => {
  assert.deepEqual(
    parseDfPing(
      'PING 203.0.113.10 (203.0.113.10) 1452(1480) bytes of data.\n1460 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.4 ms\n\n--- 203.0.113.10 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n',
      '203.0.113.10',
    ),
    { outcome: 'pass' },
  );
  assert.deepEqual(parseDfPing('From 198.51.100.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n\n1 packets transmitted, 0 received, +1 errors, 100% packet loss\n', '203.0.113.10'), {
    outcome: 'too-big',
    from: '198.51.100.1',
    mtu: 1400,
  });
  assert.deepEqual(parseDfPing('ping: local error: message too long, mtu=1400\n\n1 packets transmitted, 0 received, +1 errors, 100% packet loss\n', '203.0.113.10'), {
    outcome: 'too-big',
    mtu: 1400,
    from: 'local',
  });
  assert.deepEqual(parseDfPing('1 packets transmitted, 0 received, 100% packet loss, time 0ms\n', '203.0.113.10'), { outcome: 'lost' });
  assert.deepEqual(parseDfPing('ping: connect: Network is unreachable\n', '203.0.113.10'), { outcome: 'error', reason: 'connect: Network is unreachable' });
});
