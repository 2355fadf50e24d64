/**
 * The daemon end to end on loopback (root-namespace safe: only 127.0.0.1 literals): real checks,
 * real diagnoses, real HTTP, real store; then the CLI's bad-input paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { get, startDaemon, until } from './testing.js';
import { closedPort } from '../probes/test-servers.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ndx-mon-e2e-'));

test('monitor daemon: a closed port shows as TCP-001 in /metrics and /api, history survives a restart, SIGHUP-style reload', async () => {
  const port = await closedPort();
  const cfg = join(dir, 'mon.yaml');
  const text = `interval: 1s\ntargets:\n  - name: closed\n    target: tcp://127.0.0.1:${port}\n    labels: { region: sh }\n  - name: lo\n    target: 127.0.0.1\n`;
  writeFileSync(cfg, text);
  const data = join(dir, 'data');
  const a = await startDaemon(cfg, data);
  const log = a.log;
  try {
    await until('TCP-001', async () => ((await get(a.base, '/metrics')).body.includes('code="TCP-001"') ? true : null));
    const m = await get(a.base, '/metrics');
    assert.ok(m.ms < 1000);
    assert.match(m.body, /^netdx_fault_info\{region="sh",target="closed",code="TCP-001",slug="port-closed",layer="transport",severity="error",primary="true"\} 1$/m);
    assert.match(m.body, /^netdx_up\{region="sh",target="closed"\} 0$/m);
    assert.match(m.body, /^netdx_up\{target="lo"\} 1$/m);
    assert.match(m.body, /^netdx_layer_status\{region="sh",target="closed",layer="transport"\} 2$/m);
    assert.match(m.body, /^netdx_icmp_rtt_seconds\{target="lo"\} /m);
    assert.match(m.body, /^netdx_icmp_loss_ratio\{target="lo"\} 0$/m);
    assert.match(m.body, /^netdx_last_diagnosis_timestamp_seconds\{region="sh",target="closed"\} /m);
    assert.match(m.body, /^process_cpu_seconds_total /m);
    await until('down', async () => ((await get(a.base, '/api/targets/closed')).body.includes('"state": "down"') ? true : null));
    const api = JSON.parse((await get(a.base, '/api/targets')).body) as Array<{ name: string; state: string; findings: Array<{ code: string; primary: boolean }> }>;
    const closed = api.find((x) => x.name === 'closed')!;
    assert.equal(closed.state, 'down');
    assert.deepEqual(
      closed.findings.filter((f) => f.primary).map((f) => f.code),
      ['TCP-001'],
    );
    const rep = await get(a.base, '/api/targets/closed/report');
    assert.equal(JSON.parse(rep.body).schema, 'netdx.report/v1');
    assert.equal((await get(a.base, '/api/targets/lo/report')).status, 404);
    assert.equal((await get(a.base, '/api/targets/nope')).status, 404);
    const probe = await get(a.base, `/probe?module=tcp_connect&target=127.0.0.1:${port}`);
    assert.match(probe.body, /^probe_success 0$/m);
    assert.match(probe.body, /^netdx_fault_info\{code="TCP-001"/m);

    // reload: a bad file keeps the old config and says why; a good one applies
    writeFileSync(cfg, text + '    bogus: 1\n');
    assert.equal(a.d.reload(), false);
    assert.match(log.join('\n'), /config reload failed, keeping the old config: .*mon\.yaml:8: unknown field 'bogus'/);
    assert.match((await get(a.base, '/metrics')).body, /^netdx_config_last_reload_successful 0$/m);
    writeFileSync(cfg, text + `  - name: lo2\n    target: 127.0.0.2\n`);
    assert.equal(a.d.reload(), true);
    assert.equal(a.d.monitor().targets().length, 3);
    assert.equal(a.d.monitor().target('closed')!.state, 'down', 'an unchanged target keeps its state');
  } finally {
    await a.stop();
  }
  // restart: the state and the report come back from the store before any check
  const b = await startDaemon(cfg, data);
  try {
    const r = b.d.monitor().target('closed')!;
    assert.equal(r.state, 'down');
    assert.equal(r.report?.primary?.code, 'TCP-001');
    const hist = JSON.parse((await get(b.base, '/api/targets/closed/history')).body) as Array<{ to: string }>;
    assert.ok(hist.some((h) => h.to === 'down'));
  } finally {
    await b.stop();
  }
});

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
  });
}

test('monitor CLI: bad config or listen address is one clear line and nothing starts', async () => {
  const w = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const cases: Array<[string[], number, RegExp]> = [
    [['monitor', '--config', w('unknown.yaml', 'targets:\n  - name: a\n    target: 127.0.0.1\n    frobnicate: 1\n')], 64, /unknown\.yaml:4: unknown field 'frobnicate'/],
    [['monitor', '--config', w('dup.yaml', 'targets:\n  - name: a\n    target: 127.0.0.1\n  - name: a\n    target: 127.0.0.2\n')], 64, /dup\.yaml:4: duplicate target name 'a'/],
    [['monitor', '--config', w('dur.yaml', 'interval: soon\ntargets:\n  - name: a\n    target: 127.0.0.1\n')], 64, /dur\.yaml:1: interval 'soon'/],
    [['monitor', '--config', w('ca.yaml', `targets:\n  - name: a\n    target: 127.0.0.1:443\n    ca: ${dir}/no-such-ca.pem\n`)], 3, /ca\.yaml:4: field ca: --ca .*cannot read \(ENOENT\)/],
    [['monitor', '--config', join(dir, 'absent.yaml')], 3, /config '.*absent\.yaml': cannot read/],
    [['monitor', '--config', w('ok.yaml', 'targets:\n  - name: a\n    target: 127.0.0.1\n'), '--listen', 'everywhere'], 64, /--listen 'everywhere': expected ADDR:PORT/],
    [['monitor', '--config', w('zh.yaml', 'targets:\n  - name: a\n    target: 127.0.0.1\n    frobnicate: 1\n'), '--lang', 'zh'], 64, /zh\.yaml:4：未知字段 'frobnicate'/],
  ];
  for (const [args, code, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /listening/);
  }
});

/** The daemon in its own mount namespace with a small tmpfs as --data (root only; invisible outside). */
async function isolatedDaemon(name: string, mountOpts: string): Promise<{ base: string; pid: number; data: string; stderr: () => string; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const port = await closedPort();
  const data = join(dir, `${name}-data`);
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(cfg, `interval: 1s\nrediagnose: 10s\ntargets:\n  - name: closed\n    target: tcp://127.0.0.1:${port}\n  - name: lo\n    target: 127.0.0.1\n`);
  const listenPort = await closedPort();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(data, { recursive: true });
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount -t tmpfs -o ${mountOpts} ndx-store-test "${data}" && exec "${process.execPath}" "${BIN}" monitor --config "${cfg}" --listen 127.0.0.1:${listenPort} --data "${data}"`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${listenPort}`;
  await until('listening', async () => ((await fetch(`${base}/-/healthy`).catch(() => null))?.ok ? true : null), 20_000);
  return {
    base,
    pid: child.pid!,
    data,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

async function checksOf(base: string, target: string): Promise<number> {
  return Number(new RegExp(`^netdx_checks_total\\{target="${target}"\\} (\\d+)$`, 'm').exec((await get(base, '/metrics')).body)?.[1] ?? 'NaN');
}

const asRoot = { skip: process.getuid?.() === 0 ? false : 'needs root (a private mount namespace with a tmpfs)', timeout: 60_000 };

test('a read-only --data disk: the daemon starts, says so on stderr and in netdx_store_writable, and monitors', asRoot, async () => {
  const d = await isolatedDaemon('ro', 'ro,size=4m');
  try {
    await until('TCP-001', async () => ((await get(d.base, '/metrics')).body.includes('code="TCP-001"') ? true : null), 20_000);
    assert.match((await get(d.base, '/metrics')).body, /^netdx_store_writable 0$/m);
    assert.match(d.stderr(), /cannot open the store under .* monitoring without history|the store .* cannot be written .* monitoring goes on/);
    const before = await checksOf(d.base, 'lo');
    await until('checks to go on', async () => ((await checksOf(d.base, 'lo')) > before ? true : null), 10_000);
  } finally {
    await d.stop();
  }
});

test('the store disk failing mid-run (full): one line on stderr, netdx_store_writable 0, monitoring goes on', asRoot, async () => {
  const { execFileSync } = await import('node:child_process');
  const d = await isolatedDaemon('full', 'size=4m');
  try {
    await until('TCP-001', async () => ((await get(d.base, '/metrics')).body.includes('code="TCP-001"') ? true : null), 20_000);
    assert.match((await get(d.base, '/metrics')).body, /^netdx_store_writable 1$/m);
    execFileSync('nsenter', ['-t', String(d.pid), '-m', 'sh', '-c', `dd if=/dev/zero of="${d.data}/fill" bs=64k 2>/dev/null; true`]);
    // the next write (the rediagnosis after 10 s) fails
    await until('store not writable', async () => (/^netdx_store_writable 0$/m.test((await get(d.base, '/metrics')).body) ? true : null), 30_000);
    assert.match(d.stderr(), /the store .* cannot be written \(.*\); monitoring goes on/);
    const before = await checksOf(d.base, 'lo');
    await until('checks to go on', async () => ((await checksOf(d.base, 'lo')) > before ? true : null), 10_000);
    assert.equal(d.stderr().match(/cannot be written/g)?.length, 1, 'said once');
  } finally {
    await d.stop();
  }
});

test('500 targets failing at once: diagnoses queue under the limit, /metrics answers within 1 s, memory stays bounded; shutdown drops the queue', { timeout: 90_000 }, async () => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => closedPort()));
  const cfg = join(dir, 'many.yaml');
  writeFileSync(cfg, 'interval: 2s\nconcurrency: 4\ntargets:\n' + Array.from({ length: 500 }, (_, i) => `  - name: t${i}\n    target: tcp://127.0.0.1:${ports[i % ports.length]}\n`).join(''));
  const m = await startDaemon(cfg, null);
  try {
    let worst = 0;
    let queuedMax = 0;
    let runningMax = 0;
    const end = Date.now() + 8000;
    while (Date.now() < end) {
      const r = await get(m.base, '/metrics');
      worst = Math.max(worst, r.ms);
      queuedMax = Math.max(queuedMax, Number(/^netdx_escalations_queued (\d+)$/m.exec(r.body)?.[1] ?? 0));
      runningMax = Math.max(runningMax, Number(/^netdx_escalations_running (\d+)$/m.exec(r.body)?.[1] ?? 0));
      await sleep(250);
    }
    assert.ok(worst < 1000, `/metrics took ${Math.round(worst)} ms`);
    assert.ok(queuedMax > 400, `queue ${queuedMax}`);
    assert.equal(runningMax, 4);
    assert.ok(process.memoryUsage().rss < 300 * 1024 * 1024, `rss ${process.memoryUsage().rss}`);
  } finally {
    const t0 = Date.now();
    await m.stop();
    assert.ok(Date.now() - t0 < 20_000, 'shutdown waits for the running diagnoses only');
  }
});

test('SIGHUP reloads the config of the running daemon; a bad file keeps the old one', { timeout: 30_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const cfg = join(dir, 'hup.yaml');
  writeFileSync(cfg, 'targets:\n  - name: a\n    target: 127.0.0.1\n');
  const port = await closedPort();
  const child = spawn(process.execPath, [BIN, 'monitor', '--config', cfg, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await until('listening', async () => (stderr.includes('listening') ? true : null), 15_000);
    writeFileSync(cfg, 'targets:\n  - name: a\n    target: 127.0.0.1\n  - name: b\n    target: 127.0.0.2\n');
    child.kill('SIGHUP');
    await until('reloaded', async () => (stderr.includes('config reloaded') ? true : null), 10_000);
    assert.match((await get(`http://127.0.0.1:${port}`, '/metrics')).body, /^netdx_monitor_targets 2$/m);
    writeFileSync(cfg, 'targets:\n  - name: a\n    target: 127.0.0.1\n  - name: a\n    target: 127.0.0.2\n');
    child.kill('SIGHUP');
    await until('reload refused', async () => (stderr.includes('reload failed') ? true : null), 10_000);
    assert.match(stderr, /config reload failed, keeping the old config: .*hup\.yaml:4: duplicate target name 'a'/);
    assert.match((await get(`http://127.0.0.1:${port}`, '/metrics')).body, /^netdx_monitor_targets 2$/m);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
  }
});
