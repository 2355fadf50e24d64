/**
 * A real Prometheus (Debian package `prometheus`) scrapes the monitor while a fault is injected
 * (the watched TLS server's certificate is swapped for an expired one), and the Prometheus query
 * API returns netdx_fault_info{code="TLS-001"}. Loopback only: Prometheus binds 127.0.0.1 on a
 * free port with its own temporary data dir and is stopped by its PID in the teardown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { certPair, startDaemon, until } from './testing.js';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

async function query(base: string, q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(j.status, 'success');
  return j.data.result;
}

test(
  'Prometheus scrapes the monitor and its query API returns the injected fault as netdx_fault_info{code="TLS-001"}',
  { skip: hasPrometheus ? false : 'prometheus not installed (Debian package prometheus)', timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndx-mon-prom-'));
    const c = await certPair(dir);
    const srv = tls.createServer({ key: c.key, cert: c.valid }, (s) => s.on('error', () => {}));
    srv.on('tlsClientError', () => {});
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const tlsPort = (srv.address() as net.AddressInfo).port;
    const cfg = join(dir, 'mon.yaml');
    writeFileSync(cfg, `interval: 1s\ntargets:\n  - name: app\n    target: tls://127.0.0.1:${tlsPort}\n    sni: expired.lab.test\n    ca: ${c.ca}\n    labels: { region: sh }\n`);
    const m = await startDaemon(cfg, join(dir, 'data'));
    const monitorAddr = m.base.replace('http://', '');
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${join(process.cwd(), 'deploy/prometheus/netdx-rules.yml')}\nscrape_configs:\n  - job_name: netdx\n    static_configs:\n      - targets: ['${monitorAddr}']\n`,
    );
    let prom: ChildProcess | null = null;
    let promLog = '';
    try {
      prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--web.enable-lifecycle'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      prom.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
      const promBase = `http://127.0.0.1:${promPort}`;
      await until('prometheus ready', async () => ((await fetch(`${promBase}/-/ready`).catch(() => null))?.ok ? true : null), 30_000, 250);
      await until('first scrape', async () => ((await query(promBase, 'netdx_state{target="app"} == 1')).length > 0 ? true : null), 30_000, 250);
      assert.equal((await query(promBase, 'netdx_fault_info')).length, 0);
      srv.setSecureContext({ key: c.key, cert: c.expired });
      const r = await until(
        'netdx_fault_info{code="TLS-001"} in Prometheus',
        async () => {
          const res = await query(promBase, 'netdx_fault_info{code="TLS-001",primary="true"}');
          return res.length > 0 ? res : null;
        },
        30_000,
        250,
      );
      assert.equal(r[0]!.metric['target'], 'app');
      assert.equal(r[0]!.metric['region'], 'sh');
      assert.equal(r[0]!.metric['slug'], 'cert-expired');
      // the alert rule fires with the code once the state is down (a target that goes down before
      // its diagnosis ends first alerts without a code, then with it)
      const alerts = await until(
        'NetdxTargetDown firing with its code',
        async () => {
          const res = await query(promBase, 'ALERTS{alertname="NetdxTargetDown",alertstate="firing",code="TLS-001"}');
          return res.length > 0 ? res : null;
        },
        30_000,
        250,
      );
      assert.equal(alerts[0]!.metric['target'], 'app');
      assert.equal(alerts[0]!.metric['slug'], 'cert-expired');
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nprometheus log tail:\n${promLog}\nmonitor log:\n${m.log.join('\n')}`);
    } finally {
      if (prom?.pid) {
        process.kill(prom.pid, 'SIGTERM');
        await Promise.race([once(prom, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
        if (prom.exitCode === null) process.kill(prom.pid, 'SIGKILL');
      }
      await m.stop();
      srv.close();
    }
  },
);
