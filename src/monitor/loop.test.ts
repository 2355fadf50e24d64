import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Monitor, type MonitorHooks } from './loop.js';
import { parseMonitorConfig, type MonitorConfig } from './config.js';
import type { CheckResult } from './checks.js';
import type { Report } from '../model/report.js';
import type { StateChange } from './store.js';

function config(n: number, extra = '', perTarget = ''): MonitorConfig {
  const targets = Array.from({ length: n }, (_, i) => `  - name: t${i}\n    target: tcp://198.51.100.${(i % 250) + 1}:${1000 + i}\n${perTarget}`).join('');
  return parseMonitorConfig(`interval: 1s\n${extra}targets:\n${targets}`, 'test.yaml', 'en');
}

const res = (ok: boolean, signature = ok ? 'ok' : 'timeout'): CheckResult => ({ ok, ms: 1, at: Date.now(), address: '198.51.100.1', reason: ok ? null : 'no answer', signature, resolveMs: 0 });

function report(code: string | null): Report {
  const f = code ? [{ code, slug: 'x', layer: 'transport' as const, severity: 'error' as const, title: 't', explanation: 'e', evidence: [], fix: [] }] : [];
  return {
    schema: 'netdx.report/v1',
    target: { input: 'x', host: 'x', port: 1, protocol: 'tcp' },
    startedAt: '',
    durationMs: 5,
    verdict: code ? 'fault' : 'ok',
    primary: f[0] ?? null,
    findings: f,
    layers: [],
    observations: [],
  } as unknown as Report;
}

function hooks(over: Partial<MonitorHooks> = {}): MonitorHooks & { changes: StateChange[]; diagnosed: string[] } {
  const changes: StateChange[] = [];
  const diagnosed: string[] = [];
  return {
    check: async () => res(true),
    diagnose: async (t) => {
      diagnosed.push(t.name);
      return report('TCP-002');
    },
    onChange: (c) => changes.push(c),
    changes,
    diagnosed,
    ...over,
  };
}

test('hysteresis: down after 2 failures in a row, up after 1 pass; a target down 1 check in 3 never flaps', async () => {
  const h = hooks();
  const m = new Monitor(config(1), h);
  const r = m.targets()[0]!;
  // down 1 interval in 3, for 11 intervals (the last one passes)
  for (let i = 0; i < 11; i++) m.apply(r, res(i % 3 !== 2));
  assert.deepEqual(
    h.changes.map((c) => c.to),
    ['up'],
  );
  m.apply(r, res(false));
  assert.equal(r.state, 'up');
  m.apply(r, res(false));
  assert.equal(r.state, 'down');
  m.apply(r, res(true));
  assert.equal(r.state, 'up');
  assert.deepEqual(
    h.changes.map((c) => `${c.from}->${c.to}`),
    ['unknown->up', 'up->down', 'down->up'],
  );
  await m.stop();
});

test('hysteresis is configurable per target (down-after, up-after)', async () => {
  const h = hooks();
  const m = new Monitor(config(1, 'down-after: 3\nup-after: 2\n'), h);
  const r = m.targets()[0]!;
  m.apply(r, res(true));
  assert.equal(r.state, 'unknown');
  m.apply(r, res(true));
  assert.equal(r.state, 'up');
  m.apply(r, res(false));
  m.apply(r, res(false));
  assert.equal(r.state, 'up');
  m.apply(r, res(false));
  assert.equal(r.state, 'down');
  await m.stop();
});

test('escalation: a failing check is diagnosed once per failure kind; a healthy target never; recovery after a fault is', async () => {
  const h = hooks();
  const m = new Monitor(config(1), h);
  const r = m.targets()[0]!;
  m.apply(r, res(true));
  m.apply(r, res(true));
  assert.equal(h.diagnosed.length, 0);
  m.apply(r, res(false, 'timeout'));
  await m.stop();
  assert.equal(h.diagnosed.length, 1);
  assert.equal(r.report?.primary?.code, 'TCP-002');
  m.apply(r, res(false, 'timeout'));
  await m.stop();
  assert.equal(h.diagnosed.length, 1, 'same failure, recent diagnosis: not again');
  m.apply(r, res(false, 'tcp:ECONNREFUSED'));
  await m.stop();
  assert.equal(h.diagnosed.length, 2, 'another failure: diagnosed again');
  m.apply(r, res(true));
  await m.stop();
  assert.equal(h.diagnosed.length, 3, 'recovered after a fault: diagnosed to clear the findings');
  m.apply(r, res(true, 'ok:NEWCERT'));
  await m.stop();
  assert.equal(h.diagnosed.length, 4, 'a changed certificate: diagnosed');
});

test('a failure that lasts is diagnosed again after `rediagnose`', async () => {
  let now = 1_000_000;
  const h = hooks({ now: () => now });
  const m = new Monitor(config(1, 'rediagnose: 1m\n'), h);
  const r = m.targets()[0]!;
  m.apply(r, res(false));
  await m.stop();
  now += 30_000;
  m.apply(r, res(false));
  await m.stop();
  assert.equal(h.diagnosed.length, 1);
  now += 31_000;
  m.apply(r, res(false));
  await m.stop();
  assert.equal(h.diagnosed.length, 2);
});

test('500 targets failing at once: at most `concurrency` diagnoses run, the rest queue, all get diagnosed', async () => {
  let running = 0;
  let peak = 0;
  const h = hooks({
    diagnose: async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(2);
      running--;
      return report('NET-003');
    },
  });
  const m = new Monitor(config(500, 'concurrency: 4\n'), h);
  for (const r of m.targets()) m.apply(r, res(false));
  assert.equal(m.diagnosing, 4);
  assert.equal(m.queued, 496);
  await m.stop();
  assert.equal(peak, 4);
  assert.ok(m.targets().every((r) => r.report?.primary?.code === 'NET-003'));
});

test('a target whose probe hangs does not slow the others (per-check deadline, independent schedules)', async () => {
  const seen = new Map<string, number>();
  const h = hooks({
    check: async (spec) => {
      const port = spec.target.port;
      seen.set(String(port), (seen.get(String(port)) ?? 0) + 1);
      if (port === 1000) {
        await sleep(spec.timeoutMs); // hangs until its deadline
        return res(false);
      }
      return res(true);
    },
  });
  const m = new Monitor(config(3, 'check-timeout: 900ms\n'), h);
  m.start();
  await sleep(2600);
  await m.stop();
  assert.ok((seen.get('1001') ?? 0) >= 2, `healthy target checked ${seen.get('1001')} times`);
  assert.ok((seen.get('1002') ?? 0) >= 2);
  assert.ok((seen.get('1000') ?? 0) >= 2, 'the hanging one keeps its own interval');
});

test('reload keeps the state of unchanged targets and starts changed ones fresh', async () => {
  const h = hooks();
  const m = new Monitor(config(2), h);
  for (const r of m.targets()) m.apply(r, res(true));
  const cfg2 = parseMonitorConfig(
    'interval: 1s\ntargets:\n  - name: t0\n    target: tcp://198.51.100.1:1000\n  - name: t1\n    target: tcp://198.51.100.9:9\n  - name: t9\n    target: 198.51.100.3\n',
    'test.yaml',
    'en',
  );
  m.reload(cfg2);
  assert.equal(m.target('t0')!.state, 'up');
  assert.equal(m.target('t1')!.state, 'unknown');
  assert.equal(m.target('t9')!.state, 'unknown');
  assert.equal(m.targets().length, 3);
  await m.stop();
});

test('the reason of a state change is in the config language', async () => {
  const h = hooks();
  const m = new Monitor(parseMonitorConfig('lang: zh\ninterval: 1s\ntargets:\n  - name: a\n    target: tcp://198.51.100.1:1\n', 'z.yaml', 'zh'), h);
  const r = m.targets()[0]!;
  m.apply(r, res(false, 'tcp:ECONNREFUSED'));
  m.apply(r, res(false, 'tcp:ECONNREFUSED'));
  await m.stop();
  assert.equal(h.changes.at(-1)!.reason, 'TCP 连接失败：ECONNREFUSED');
  const { checkReason } = await import('./messages.js');
  assert.equal(checkReason('timeout', 900, 'en'), 'no answer within the check deadline (900 ms)');
  assert.equal(checkReason('tls:CERT_HAS_EXPIRED', 900, 'zh'), 'TLS 握手或证书验证失败：CERT_HAS_EXPIRED');
  assert.equal(checkReason('http:503:', 900, 'en'), 'HTTP status 503');
});
