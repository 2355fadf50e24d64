import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meta, rule } from './tls-009-handshake-stall.js';
import { assertFinding, commands, run, tcp } from './fixtures.js';
import { failedHandshake, fromNode, handshake } from './tls-fixtures.js';
import { OBSERVED_CASES } from './tls-observed.js';

test('invalid: TCP open, no ServerHello within the budget → TLS-009 pointing below (NET-009 first)', () => {
  const f = assertFinding(rule, run(rule, [tcp({ ms: 1.2 }), failedHandshake({ outcome: 'stall', ms: 2500 })]));
  assert.equal(f.title, 'The TLS handshake with app.lab.test (203.0.113.10:443) gets no answer');
  assert.match(f.explanation, /within 2500 ms.*path MTU blackhole first \(NET-009\)/);
  assert.equal(f.evidence[0]!.summary, 'TCP 203.0.113.10:443 open in 1 ms');
  assert.equal(f.evidence[1]!.summary, 'TLS app.lab.test (203.0.113.10:443): ClientHello sent, no ServerHello within 2500 ms');
  assert.deepEqual(commands(f), ['iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu']);
});

test('invalid: the recorded silent server', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'silent (stall)')!;
  assertFinding(rule, run(rule, [fromNode(c)]));
});

test('valid: a stall with a non-TLS banner is TLS-010; healthy; no data → null', () => {
  assert.equal(run(rule, [failedHandshake({ outcome: 'stall', banner: 'N' })]), null);
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, []), null);
  assert.equal(meta.explains?.includes('TLS-010'), false);
});
