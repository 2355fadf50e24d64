import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScenarios, fillArgs, type CheckContext, type Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';
import { PLANNED } from './planned.js';
import { OPEN_ISSUES } from './open-issues.js';
import { RULES } from '../rules/index.js';
import { parseTarget } from '../model/target.js';

const ctx: CheckContext = {
  codes: new Set(RULES.map((r) => r.meta.code)),
  openIssues: OPEN_ISSUES,
  parseTarget: (t) => void parseTarget(t, {}),
};

test('every scenario of the index is valid: sorted unique ids, catalog codes, pending only on an open issue', () => {
  assert.deepEqual(checkScenarios(SCENARIOS, ctx), []);
});

test('every fault code of the catalog has a scenario (as expected primary or expected warning) or a reason in PLANNED', () => {
  const covered = new Set(SCENARIOS.flatMap((s) => [s.expect, ...(s.alsoExpect ?? [])]));
  const planned = new Set(PLANNED.map((p) => p.code));
  const missing = RULES.map((r) => r.meta.code).filter((c) => !covered.has(c) && !planned.has(c));
  assert.deepEqual(missing, [], `codes without a scenario: ${missing.join(', ')}`);
  const stale = [...planned].filter((c) => covered.has(c));
  assert.deepEqual(stale, [], `PLANNED lists codes that have a scenario now: ${stale.join(', ')}`);
  for (const p of PLANNED) assert.ok(OPEN_ISSUES.has(p.issue), `${p.code} is planned for issue ${p.issue}, which is closed`);
});

test('there is a healthy baseline per protocol, and the seed incident has both regions', () => {
  const healthy = SCENARIOS.filter((s) => s.expect === 'ok' && !s.inject);
  const protocols = new Set(healthy.map((s) => parseTarget(s.target, {}).protocol));
  for (const p of ['icmp', 'tcp', 'tls', 'http', 'https'] as const) assert.ok(protocols.has(p), `no healthy ${p} baseline`);
  const seed = SCENARIOS.filter((s) => s.id.startsWith('seed-') && s.story.zh?.includes('上海区域路由表错误指向香港某ISP'));
  assert.ok(
    seed.some((s) => s.host === 'client2' && s.expect !== 'ok'),
    'the misrouted Shanghai side',
  );
  assert.ok(
    SCENARIOS.some((s) => s.id.startsWith('seed-') && (s.host ?? 'client') === 'client' && s.expect === 'ok' && s.inject === seed[0]?.inject),
    'the fine Beijing side under the same injection',
  );
});

const base: Scenario = { id: 'ok-x', story: { en: 'x' }, expect: 'ok', target: 'www.lab.test:443' };

test('checkScenarios: each bad scenario gets its one-line reason', () => {
  const cases: Array<[Scenario[], string]> = [
    [[{ ...base, id: 'OK-X' }], "scenario OK-X: id must be lower-case words joined by '-'"],
    [[base, { ...base }], 'scenario ok-x: duplicate id'],
    [
      [
        { ...base, id: 'ok-z' },
        { ...base, id: 'ok-a' },
      ],
      'scenario ok-a: the index is not sorted (after ok-z)',
    ],
    [[{ ...base, story: { en: ' ' } }], 'scenario ok-x: story.en is empty'],
    [[{ ...base, id: 'net-999-x', expect: 'NET-999' }], "scenario net-999-x: expect 'NET-999' is not a code of the fault catalog"],
    [[{ ...base, id: 'tls-001-x', expect: 'TLS-002' }], "scenario tls-001-x: id must start with 'tls-002-' (or 'seed-')"],
    [[{ ...base, alsoExpect: ['NET-999'] }], "scenario ok-x: alsoExpect 'NET-999' is not a code of the fault catalog"],
    [[{ ...base, id: 'tls-001-x', expect: 'TLS-001', pendingIssue: 6 }], 'scenario tls-001-x: pending on issue 6, which is not open: run it for real (drop pendingIssue)'],
    [
      [{ ...base, target: 'no such host' }],
      "scenario ok-x: target: target 'no such host': 'no such host' is not a host name or IP address (expected HOST, HOST:PORT, [IPv6]:PORT or a tcp://, tls://, http://, https:// URL)",
    ],
    [[{ ...base, args: ['--ca', '{nope}'] }], 'scenario ok-x: unknown placeholder {nope}'],
    [[{ ...base, offline: 'NET-999' }], "scenario ok-x: offline 'NET-999' is not a code of the fault catalog"],
    [[{ ...base, id: 'tls-001-x', expect: 'TLS-001', offline: 'TLS-002' }], "scenario tls-001-x: offline 'TLS-002' differs from expect 'TLS-001'"],
  ];
  for (const [list, msg] of cases) assert.deepEqual(checkScenarios(list, { ...ctx, openIssues: new Set([4, 5]) }), [msg]);
  // A healthy run that expects a warning may be named after the warning.
  assert.deepEqual(checkScenarios([{ ...base, id: 'tls-008-x', alsoExpect: ['TLS-008'] }], ctx), []);
});

test('fillArgs replaces placeholders and refuses unknown ones', () => {
  assert.deepEqual(fillArgs(['--ca', '{ca}', '--pin', '{www-pin}', 'plain'], { ca: '/x/ca.pem', 'www-pin': 'sha256:AB' }), ['--ca', '/x/ca.pem', '--pin', 'sha256:AB', 'plain']);
  assert.throws(() => fillArgs(['{ca}'], {}), /unknown placeholder \{ca\}/);
});
