import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tcp-001-port-closed.js';
import { assertFinding, commands, link, run, snapshot, tcp } from './fixtures.js';

const refused = tcp({ outcome: 'refused', ms: 0.4, errno: 'ECONNREFUSED' });

test('invalid: RST to the SYN → TCP-001 with the address, port and time', () => {
  const f = assertFinding(rule, run(rule, [refused]));
  assert.equal(f.title, 'Nothing listens on 203.0.113.10:443');
  assert.match(f.evidence[0]!.summary, /^TCP 203\.0\.113\.10:443: connection refused \(RST\) after 0 ms \(ECONNREFUSED\)$/);
  assert.deepEqual(f.evidence[0]!.data, { address: '203.0.113.10', port: 443, outcome: 'refused', ms: 0.4, errno: 'ECONNREFUSED' });
  assert.deepEqual(commands(f), ["ss -ltnp 'sport = :443'"]);
  assert.match(f.fix[0]!.summary, /Start the service that should listen on 203\.0\.113\.10:443/);
});

test('an IPv6 target is written [address]:port in the title, the evidence and the fix, in both languages', () => {
  const v6 = tcp({ address: '2001:db8:20::10', port: 443, outcome: 'refused', ms: 0.4, errno: 'ECONNREFUSED' });
  const f = assertFinding(rule, run(rule, [v6], { target: '[2001:db8:20::10]:443' }));
  assert.equal(f.title, 'Nothing listens on [2001:db8:20::10]:443');
  assert.match(f.evidence[0]!.summary, /^TCP \[2001:db8:20::10\]:443: connection refused/);
  assert.match(f.fix[0]!.summary, /listen on \[2001:db8:20::10\]:443, and check that it binds 2001:db8:20::10 \(/);
  const zh = assertFinding(rule, run(rule, [v6], { target: '[2001:db8:20::10]:443', lang: 'zh' }));
  assert.match(zh.title, /^\[2001:db8:20::10\]:443 /);
});

test('invalid: target on this machine, service bound to 127.0.0.1 only → says so, names the process', () => {
  const snap = snapshot({
    links: { ok: true, value: [] },
    listening: { ok: true, value: [{ proto: 'tcp', local: '127.0.0.1', port: 8443, process: 'nginx' }] },
  });
  const snapLinks = {
    ...snap,
    links: {
      ok: true as const,
      value: [{ ...link('eth0'), index: 2, operstate: 'UP', mac: null, master: null, addresses: [{ family: 4 as const, address: '198.51.100.10', prefixlen: 24, scope: 'global' }] }],
    },
  };
  const f = assertFinding(rule, run(rule, [tcp({ address: '198.51.100.10', port: 8443, outcome: 'refused' })], { target: '198.51.100.10:8443', snapshot: snapLinks }));
  assert.match(f.explanation, /only on 127\.0\.0\.1 \(nginx\), not on 198\.51\.100\.10/);
  assert.match(f.evidence[1]!.summary, /port 8443 is bound to 127\.0\.0\.1:8443 \(nginx\)/);
  assert.match(f.fix[0]!.summary, /Make nginx listen on 198\.51\.100\.10/);
});

test('invalid: loopback target, [::1] listener only → the IPv6 bind is named; zh text', () => {
  const snap = snapshot({
    listening: {
      ok: true,
      value: [
        { proto: 'tcp', local: '[::1]', port: 9000, process: null },
        { proto: 'udp', local: '127.0.0.1', port: 9000, process: null },
      ],
    },
  });
  const f = assertFinding(rule, run(rule, [tcp({ address: '127.0.0.1', port: 9000, outcome: 'refused' })], { target: '127.0.0.1:9000', snapshot: snap, lang: 'zh' }));
  assert.equal(f.title, '127.0.0.1:9000 端口未监听/服务未启动');
  assert.match(f.explanation, /只绑定在 \[::1\]/);
});

test('invalid: loopback target and nothing listens on the port at all', () => {
  const snap = snapshot({ listening: { ok: true, value: [{ proto: 'tcp', local: '0.0.0.0', port: 22, process: 'sshd' }] } });
  const f = assertFinding(rule, run(rule, [tcp({ address: '127.0.0.1', port: 9000, outcome: 'refused' })], { target: '127.0.0.1:9000', snapshot: snap }));
  assert.match(f.explanation, /^Nothing on this machine listens on TCP port 9000/);
  assert.deepEqual(f.evidence[1]!.data, { port: 9000, listening: [] });
});

test('a wildcard listener is not "another address": the generic finding stays', () => {
  const snap = snapshot({ listening: { ok: true, value: [{ proto: 'tcp', local: '*', port: 9000, process: 'app' }] } });
  const f = assertFinding(rule, run(rule, [tcp({ address: '127.0.0.1', port: 9000, outcome: 'refused' })], { target: '127.0.0.1:9000', snapshot: snap }));
  assert.match(f.explanation, /^The host 127\.0\.0\.1 answered/);
  assert.match(f.evidence[1]!.summary, /bound to \*:9000 \(app\)/);
});

test('a remote target ignores the local sockets', () => {
  const snap = snapshot({ listening: { ok: true, value: [] } });
  const f = assertFinding(rule, run(rule, [refused], { snapshot: snap }));
  assert.equal(f.evidence.length, 1);
});

test('valid: open, filtered, or no TCP data → null', () => {
  assert.equal(run(rule, [tcp()]), null);
  assert.equal(run(rule, [tcp({ outcome: 'filtered' })]), null);
  assert.equal(run(rule, []), null);
});
