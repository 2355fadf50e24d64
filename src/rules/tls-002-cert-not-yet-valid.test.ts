import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './tls-002-cert-not-yet-valid.js';
import { assertFinding, clock, commands, NOW, run } from './fixtures.js';
import { cert, fromNode, handshake, intermediate, verifyFailed } from './tls-fixtures.js';
import { OBSERVED_CASES, RECORDED_AT } from './tls-observed.js';

const DAY = 86_400_000;
const future = cert({ notBefore: new Date(NOW.getTime() + 5 * DAY).toISOString() });

test('invalid: CERT_NOT_YET_VALID → TLS-002 that points at the clock first', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_NOT_YET_VALID', { chain: [future, intermediate()] })]));
  assert.equal(f.title, 'The certificate of app.lab.test (203.0.113.10:443) is not valid before 2026-12-01');
  assert.match(f.explanation, /5 days from this machine's clock.*check it first \(HOST-003\)/);
  assert.match(f.evidence[0]!.summary, /notBefore 2026-12-01T08:00:00\.000Z, local time 2026-11-26T08:00:00\.000Z \(5 days earlier\)/);
  assert.deepEqual(commands(f), ['timedatectl set-ntp true']);
});

test('invalid: a clock behind the server is shown as evidence', () => {
  const f = assertFinding(rule, run(rule, [verifyFailed('CERT_NOT_YET_VALID', { chain: [future] }), clock([-6 * DAY])], { lang: 'zh' }));
  assert.match(f.evidence[1]!.summary, /慢 518400 秒/);
  assert.match(f.explanation, /本机时间落后/);
});

test('invalid: the recorded not-yet-valid server', () => {
  const c = OBSERVED_CASES.find((x) => x.name === 'not-yet-valid')!;
  const f = assertFinding(rule, run(rule, [fromNode(c)], { now: RECORDED_AT }));
  assert.match(f.title, /not valid before 2040-01-01/);
});

test('valid: healthy, expired (TLS-001), or no data → null', () => {
  assert.equal(run(rule, [handshake()]), null);
  assert.equal(run(rule, [verifyFailed('CERT_HAS_EXPIRED', { chain: [cert({ notAfter: new Date(NOW.getTime() - DAY).toISOString() })] })]), null);
  assert.equal(run(rule, []), null);
});
