import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeGet, unreachableRuleMatches } from './route-get.js';
import { parsePolicyRules } from './parse/rules.js';
import type { ExecFn, ExecResult } from './exec.js';
import { fixture, routeGetFixture } from './fixture-files.js';

/** Answers `ip -j -4 route get …` from a recorded run, and the rule/route listings from the lab capture. */
function recorded(name: string): { exec: ExecFn; calls: string[][] } {
  const f = routeGetFixture(name);
  const calls: string[][] = [];
  const exec: ExecFn = async (_file, args) => {
    calls.push([...args]);
    const fam = args[1] === '-6' ? 6 : 4;
    if (args[2] === 'rule') return { stdout: fixture(`lab-ip-rule${fam}.json`), stderr: '', code: 0, failure: null };
    if (args[2] === 'route' && args[3] === 'show') return { stdout: fixture(`lab-ip-route${fam}.json`), stderr: '', code: 0, failure: null };
    const r: ExecResult = { stdout: f.stdout, stderr: f.stderr, code: f.rc, failure: null };
    return r;
  };
  return { exec, calls };
}

async function replay(name: string) {
  const f = routeGetFixture(name);
  const [dst = '', ...rest] = f.args;
  const opts: { from?: string; mark?: string; iif?: string } = {};
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i];
    if (k === 'from' || k === 'mark' || k === 'iif') opts[k] = rest[i + 1] as string;
  }
  const { exec, calls } = recorded(name);
  return { r: await routeGet(dst, { ...opts, exec }), calls };
}

test('a route: the kernel choice, parsed', async () => {
  const { r, calls } = await replay('mark');
  assert.ok(r.ok);
  assert.deepEqual([r.value.gateway, r.value.dev, r.value.table], ['198.51.100.2', 'a0', '100']);
  assert.deepEqual(calls[0], ['-j', '-4', 'route', 'get', '100.100.1.1', 'mark', '0x1']);
});

test('each refusal of the kernel maps to its kind, recorded in a real namespace', async () => {
  const expect: Record<string, string> = {
    blackhole: 'blackhole',
    'v6-blackhole': 'blackhole',
    'rule-blackhole': 'blackhole',
    unreachable: 'unreachable',
    'v6-unreachable': 'unreachable',
    prohibit: 'prohibit',
    'rule-prohibit': 'prohibit',
    'v6-prohibit': 'prohibit',
    'no-route': 'no-route',
    'v6-no-route': 'no-route',
    throw: 'no-route',
    // ENETUNREACH from an `unreachable` policy rule: told apart by reading the rules.
    'rule-unreachable': 'unreachable',
    'v6-rule-unreachable': 'unreachable',
    // With iif and forwarding off the kernel says "No route to host" with no unreachable route.
    'iif-no-forwarding': 'error',
  };
  for (const [name, kind] of Object.entries(expect)) {
    const { r } = await replay(name);
    assert.ok(!r.ok, name);
    assert.equal(r.kind, kind, name);
  }
  const { r } = await replay('no-route');
  assert.deepEqual(r, { ok: false, error: 'Network is unreachable', kind: 'no-route' });
});

test('the unreachable-rule check honours the rule selectors', () => {
  const rules = parsePolicyRules(fixture('lab-ip-rule4.json'), 4);
  assert.equal(unreachableRuleMatches(rules, '100.64.96.1', {}), true); // 610: to 100.64.96.0/24 unreachable
  assert.equal(unreachableRuleMatches(rules, '100.64.95.1', {}), false);
  assert.equal(unreachableRuleMatches(rules, '100.64.97.1', {}), false); // 600 needs oif a0
  const marked = parsePolicyRules('[{"priority":5,"src":"all","fwmark":"0x4","fwmask":"0xf","action":"unreachable"}]', 4);
  assert.equal(unreachableRuleMatches(marked, '100.64.1.1', { mark: '0x14' }), true);
  assert.equal(unreachableRuleMatches(marked, '100.64.1.1', { mark: '0x1' }), false);
  assert.equal(unreachableRuleMatches(marked, '100.64.1.1', {}), false);
});

test('arguments are checked before anything runs', async () => {
  const { exec, calls } = recorded('default-gw');
  for (const [dst, opts] of [
    ['example', {}],
    ['-h', {}],
    ['198.51.100.1', { from: '2001:db8::1' }],
    ['198.51.100.1', { mark: '1; reboot' }],
    ['198.51.100.1', { iif: '-x' }],
  ] as const) {
    const r = await routeGet(dst, { ...opts, exec });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, 'error');
  }
  assert.equal(calls.length, 0);
});

test('ip missing or its output unreadable is an error outcome', async () => {
  const gone: ExecFn = async () => ({ stdout: '', stderr: '', code: null, failure: 'ENOENT' });
  assert.deepEqual(await routeGet('198.51.100.1', { exec: gone }), { ok: false, error: 'ip not installed', kind: 'error' });
  const junk: ExecFn = async () => ({ stdout: '[{"dst":7}]', stderr: '', code: 0, failure: null });
  const r = await routeGet('198.51.100.1', { exec: junk });
  assert.ok(!r.ok && r.kind === 'error' && r.error.includes('"dst"'));
});

test('live: the loopback route of this machine (read-only lookup, no packet)', { skip: process.platform !== 'linux' }, async () => {
  const r = await routeGet('127.0.0.1');
  if (!r.ok && r.error === 'ip not installed') return;
  assert.ok(r.ok, !r.ok ? r.error : '');
  assert.deepEqual([r.value.type, r.value.dev, r.value.family], ['local', 'lo', 4]);
});
