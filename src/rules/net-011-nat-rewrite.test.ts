import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-011-nat-rewrite.js';
import { assertFinding, run } from './fixtures.js';
import { view } from './responder-fixtures.js';

test('invalid: the responder sees the gateway’s public address → NET-011 (info) naming it', () => {
  const f = assertFinding(rule, run(rule, [view({ seen: { address: '198.51.100.9', port: 61000 } })]));
  assert.equal(f.severity, 'info');
  assert.equal(f.title, 'A NAT on the path rewrites this client to 198.51.100.9');
  assert.match(f.explanation, /coming from 198\.51\.100\.9:61000, while it left this machine as 100\.64\.1\.10:40000/);
  assert.match(f.fix[0]!.summary, /allow 198\.51\.100\.9/);
});

test('invalid: zh; a port-only rewrite counts too', () => {
  const f = assertFinding(rule, run(rule, [view({ seen: { address: '100.64.1.10', port: 1234 } })], { lang: 'zh' }));
  assert.match(f.title, /NAT/);
  assert.match(f.evidence[0]!.summary, /（端口被改写）$/);
});

test('valid: same address and port; responder unreachable; no responder', () => {
  assert.equal(run(rule, [view()]), null);
  assert.equal(run(rule, [view({ outcome: 'unreachable', seen: null, local: null })]), null);
  assert.equal(run(rule, []), null);
});
