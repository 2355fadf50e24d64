/**
 * The monitor inside the lab (root, network namespaces; nothing touches the root namespace):
 * a route change made while the monitor watches appears as the route fault (NET-004) in
 * /metrics within two intervals plus the diagnosis. The monitor runs in the lab's client2 host
 * and is stopped by its PID; the lab is this test's own run, torn down at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/lab.js';
import { ADDR } from '../lab/topology.js';
import { until } from './testing.js';

const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const root = process.getuid?.() === 0;

function inNs(ns: string, argv: string[]): Promise<string> {
  return new Promise((resolve) => execFile('ip', ['netns', 'exec', ns, ...argv], { timeout: 10_000, encoding: 'utf8' }, (_e, out) => resolve(out ?? '')));
}

test('lab: a route change while watched appears as NET-004 within two intervals plus its diagnosis', { skip: root ? false : 'needs root (the lab)', timeout: 120_000 }, async (t) => {
  const lab = await Lab.up({ log: () => {} });
  const ns = lab.ns('client2');
  let mon: ChildProcess | null = null;
  let log = '';
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ndx-mon-lab-'));
    const cfg = join(dir, 'mon.yaml');
    writeFileSync(
      cfg,
      `interval: 1s\ntargets:\n  - name: www\n    target: 203.0.113.10:443\n    ca: ${lab.pki.ca}\n    sni: www.lab.test\n    expect-gateway: ${ADDR.gw2Lan}\n    labels: { site: lab }\n`,
    );
    mon = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'monitor', '--config', cfg, '--listen', '127.0.0.1:9716'], { stdio: ['ignore', 'ignore', 'pipe'] });
    mon.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const metrics = (): Promise<string> => inNs(ns, ['curl', '-s', '--max-time', '2', 'http://127.0.0.1:9716/metrics']);
    await until('www up', async () => (/^netdx_state\{site="lab",target="www"\} 1$/m.test(await metrics()) ? true : null), 30_000, 200);
    const t0 = Date.now();
    await inNs(ns, ['ip', 'route', 'add', '203.0.113.0/24', 'via', ADDR.wrongLan]);
    const seen = await until(
      'NET-004 in /metrics',
      async () => (/^netdx_fault_info\{site="lab",target="www",code="NET-004",.*primary="true"\} 1$/m.test(await metrics()) ? Date.now() : null),
      60_000,
      100,
    );
    const body = await metrics();
    const diagS = Number(/^netdx_diagnosis_duration_seconds\{site="lab",target="www"\} (\S+)$/m.exec(body)?.[1] ?? 'NaN');
    const took = seen - t0;
    t.diagnostic(`route change → NET-004 in /metrics after ${took} ms (diagnosis ${Math.round(diagS * 1000)} ms, interval 1 s)`);
    assert.ok(took <= 2000 + diagS * 1000 + 1500, `NET-004 after ${took} ms (diagnosis ${diagS} s)`);
    const report = JSON.parse(await inNs(ns, ['curl', '-s', 'http://127.0.0.1:9716/api/targets/www/report'])) as { primary: { code: string } };
    assert.equal(report.primary.code, 'NET-004');
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nmonitor stderr:\n${log}`);
  } finally {
    if (mon?.pid && mon.exitCode === null) {
      process.kill(mon.pid, 'SIGTERM');
      await Promise.race([once(mon, 'exit'), new Promise((r) => setTimeout(r, 15_000))]);
      if (mon.exitCode === null && mon.signalCode === null) process.kill(mon.pid, 'SIGKILL');
    }
    await lab.down();
  }
});
