/**
 * Bench of `netdx monitor` beside prometheus-blackbox-exporter driven by a real
 * Prometheus, on the same lab targets: N TCP services (40 addresses × N/40 ports) behind one
 * router in namespaces of its own (`ndx-tr-<pid>-mon-…`, removed at the end; nothing in the root
 * namespace). Measures steady-state CPU per check, memory and check latency; then how long a
 * fault takes to show in /metrics; then 500+ targets failing at once (queue, memory, /metrics
 * time). Every process it starts is stopped by PID.
 *
 *   sudo node dist/bench/monitor.js [--targets 1000] [--interval 10] [--seconds 60] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chain, available } from '../native/testing-netns.js';
import { cpuSeconds, pct, rssMB } from './proc.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('targets', 1000);
const INTERVAL = arg('interval', 10);
const SECONDS = arg('seconds', 60);
const JSON_OUT = process.argv.includes('--json');
const BIN = fileURLToPath(new URL('../../bin/netdx.js', import.meta.url));
const ADDRS = 40;
const PORTS = Math.ceil(N / ADDRS);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

const why = available();
if (why) {
  log(`skipped: ${why}`);
  process.exit(0);
}

const c = chain(1, 'mon');
const procs: ChildProcess[] = [];
const stopAll = (): void => {
  for (const p of procs) if (p.pid && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  c.destroy();
};
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

const dir = mkdtempSync(join(tmpdir(), 'ndx-bench-mon-'));
const addr = (i: number): string => `203.0.113.${100 + i}`;
const targets: Array<{ name: string; host: string; port: number }> = [];
for (let i = 0; i < N; i++) targets.push({ name: `t${i}`, host: addr(i % ADDRS), port: 20000 + Math.floor(i / ADDRS) });

async function curlIn(ns: string, url: string): Promise<{ body: string; ms: number }> {
  const t0 = performance.now();
  const body = await new Promise<string>((resolve) => {
    const p = spawn('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '10', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', () => resolve(out));
  });
  return { body, ms: performance.now() - t0 };
}

function startIn(host: string, cmd: string, args: string[]): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', c.ns(host), cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr?.on('data', () => undefined);
  procs.push(p);
  return p;
}

async function stop(p: ChildProcess): Promise<void> {
  if (!p.pid || p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  await Promise.race([new Promise((r) => p.once('exit', r)), sleep(15_000)]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

const MON_URL = 'http://127.0.0.1:9716';
const metric = (body: string, name: string): number[] => [...body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
const sum = (xs: number[]): number => xs.reduce((x, y) => x + y, 0);

async function main(): Promise<void> {
  await startTargets();
  const mon = startMonitor();
  const netdx = await measureNetdx(mon);
  const fault = await measureFault();
  const storm = await measureStorm(mon);
  await stop(mon);
  const blackbox = await measureBlackbox();
  const out = { targets: N, intervalS: INTERVAL, seconds: SECONDS, netdx, fault, storm, blackbox };
  if (JSON_OUT) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else printTable(out);
}

/** Targets: addresses on b's loopback, routed by r1; one listener per port on every address. */
async function startTargets(): Promise<void> {
  for (let i = 0; i < ADDRS; i++) c.sh('b', 'ip', ['addr', 'add', `${addr(i)}/32`, 'dev', 'lo']);
  c.sh('r1', 'ip', ['route', 'add', '203.0.113.96/27', 'via', '203.0.113.2']);
  c.sh('r1', 'ip', ['route', 'add', '203.0.113.128/27', 'via', '203.0.113.2']);
  const server = `const net=require('net');for(let p=20000;p<${20000 + PORTS};p++){net.createServer(s=>{s.on('error',()=>{});s.destroy()}).listen({port:p,host:'0.0.0.0',backlog:1024})}`;
  startIn('b', process.execPath, ['-e', server]);
  await sleep(800);
}

function startMonitor(): ChildProcess {
  const cfg = join(dir, 'monitor.yaml');
  writeFileSync(cfg, `interval: ${INTERVAL}s\ntargets:\n` + targets.map((t) => `  - name: ${t.name}\n    target: tcp://${t.host}:${t.port}\n`).join(''));
  return startIn('a', process.execPath, [BIN, 'monitor', '--config', cfg, '--listen', '127.0.0.1:9716', '--data', join(dir, 'data')]);
}

/** Steady state of `netdx monitor`: checks, CPU, memory, check latency, /metrics scrape time. */
async function measureNetdx(mon: ChildProcess) {
  const a = c.ns('a');
  log(`netdx monitor: ${N} targets, interval ${INTERVAL}s; warm-up ${2 * INTERVAL}s`);
  await sleep(2 * INTERVAL * 1000);
  const m0 = (await curlIn(a, `${MON_URL}/metrics`)).body;
  const checks0 = sum(metric(m0, 'netdx_checks_total'));
  const cpu0 = cpuSeconds(mon.pid!);
  const lat: number[] = [];
  const scrapeMs: number[] = [];
  let rssMax = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(INTERVAL * 1000);
    const s = await curlIn(a, `${MON_URL}/metrics`);
    scrapeMs.push(s.ms);
    lat.push(...metric(s.body, 'netdx_check_duration_seconds').map((x) => x * 1000));
    rssMax = Math.max(rssMax, rssMB(mon.pid!));
  }
  const m1 = (await curlIn(a, `${MON_URL}/metrics`)).body;
  const checks = sum(metric(m1, 'netdx_checks_total')) - checks0;
  const cpu = cpuSeconds(mon.pid!) - cpu0;
  const wall = (Date.now() - t0) / 1000;
  const netdx = {
    checks,
    wallS: wall,
    cpuS: cpu,
    cpuPct: (100 * cpu) / wall,
    cpuMsPerCheck: (1000 * cpu) / checks,
    rssMaxMB: rssMax,
    latencyMs: { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) },
    metricsScrapeMs: { median: pct(scrapeMs, 50), max: Math.max(...scrapeMs) },
    up: sum(metric(m1, 'netdx_up')),
  };
  log(`netdx: ${JSON.stringify(netdx)}`);
  return netdx;
}

/** A fault: one target's port rejects; time until its code is in /metrics. */
async function measureFault() {
  const a = c.ns('a');
  const victim = targets[0]!;
  const injected = Date.now();
  c.sh('b', 'iptables', ['-I', 'INPUT', '-d', victim.host, '-p', 'tcp', '--dport', String(victim.port), '-j', 'REJECT', '--reject-with', 'tcp-reset']);
  let faultMs = NaN;
  let faultCode = '';
  let diagMs = NaN;
  while (Date.now() - injected < (3 * INTERVAL + 30) * 1000) {
    const b = (await curlIn(a, `${MON_URL}/metrics`)).body;
    const m = new RegExp(`^netdx_fault_info\\{target="${victim.name}",code="([A-Z]+-\\d+)".*primary="true"\\} 1$`, 'm').exec(b);
    if (m) {
      faultMs = Date.now() - injected;
      faultCode = m[1]!;
      diagMs = 1000 * Number(new RegExp(`^netdx_diagnosis_duration_seconds\\{target="${victim.name}"\\} (\\S+)$`, 'm').exec(b)?.[1] ?? NaN);
      break;
    }
    await sleep(200);
  }
  c.sh('b', 'iptables', ['-D', 'INPUT', '-d', victim.host, '-p', 'tcp', '--dport', String(victim.port), '-j', 'REJECT', '--reject-with', 'tcp-reset']);
  const fault = { code: faultCode, shownAfterMs: faultMs, diagnosisMs: diagMs, boundMs: 2 * INTERVAL * 1000 + diagMs };
  log(`fault: ${JSON.stringify(fault)}`);
  return fault;
}

/** Many failing at once: the first ports dropped on every address. */
async function measureStorm(mon: ChildProcess) {
  const a = c.ns('a');
  const dropPorts = Math.ceil(500 / ADDRS);
  const failing = targets.filter((t) => t.port < 20000 + dropPorts).length;
  c.sh('b', 'iptables', ['-I', 'INPUT', '-p', 'tcp', '--dport', `20000:${20000 + dropPorts - 1}`, '-j', 'DROP']);
  const storm = { failing, metricsMsMax: 0, rssMaxMB: 0, queuedMax: 0, runningMax: 0, diagnosed: 0 };
  const s0 = Date.now();
  while (Date.now() - s0 < Math.max(40, 3 * INTERVAL) * 1000) {
    const r = await curlIn(a, `${MON_URL}/metrics`);
    storm.metricsMsMax = Math.max(storm.metricsMsMax, r.ms);
    storm.rssMaxMB = Math.max(storm.rssMaxMB, rssMB(mon.pid!));
    storm.queuedMax = Math.max(storm.queuedMax, ...metric(r.body, 'netdx_escalations_queued'));
    storm.runningMax = Math.max(storm.runningMax, ...metric(r.body, 'netdx_escalations_running'));
    storm.diagnosed = sum(metric(r.body, 'netdx_diagnoses_total'));
    await sleep(1000);
  }
  c.sh('b', 'iptables', ['-D', 'INPUT', '-p', 'tcp', '--dport', `20000:${20000 + dropPorts - 1}`, '-j', 'DROP']);
  log(`storm: ${JSON.stringify(storm)}`);
  return storm;
}

/** blackbox_exporter driven by Prometheus, same targets. */
async function measureBlackbox() {
  const a = c.ns('a');
  writeFileSync(join(dir, 'blackbox.yml'), 'modules:\n  tcp_connect:\n    prober: tcp\n    timeout: 5s\n');
  const bb = startIn('a', 'prometheus-blackbox-exporter', [`--config.file=${join(dir, 'blackbox.yml')}`, '--web.listen-address=127.0.0.1:9115']);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${INTERVAL}s\n  scrape_timeout: ${Math.min(INTERVAL, 10)}s\nscrape_configs:\n  - job_name: blackbox\n    metrics_path: /probe\n    params:\n      module: [tcp_connect]\n    static_configs:\n      - targets:\n` +
      targets.map((t) => `        - ${t.host}:${t.port}\n`).join('') +
      `    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n      - target_label: __address__\n        replacement: 127.0.0.1:9115\n`,
  );
  const prom = startIn('a', 'prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, '--web.listen-address=127.0.0.1:9090']);
  log(`blackbox_exporter + Prometheus: warm-up ${2 * INTERVAL}s`);
  await sleep(2 * INTERVAL * 1000);
  const q = async (expr: string): Promise<number[]> => {
    const r = await curlIn(a, `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`);
    try {
      return (JSON.parse(r.body) as { data: { result: Array<{ value: [number, string] }> } }).data.result.map((x) => Number(x.value[1]));
    } catch {
      return [];
    }
  };
  const bcpu0 = cpuSeconds(bb.pid!);
  const pcpu0 = cpuSeconds(prom.pid!);
  const bt0 = Date.now();
  const blat: number[] = [];
  let brss = 0;
  let prss = 0;
  while (Date.now() - bt0 < SECONDS * 1000) {
    await sleep(INTERVAL * 1000);
    blat.push(...(await q('probe_duration_seconds')).map((x) => x * 1000));
    brss = Math.max(brss, rssMB(bb.pid!));
    prss = Math.max(prss, rssMB(prom.pid!));
  }
  const bwall = (Date.now() - bt0) / 1000;
  const bchecks = (await q(`sum(count_over_time(probe_success[${Math.round(bwall)}s]))`))[0] ?? NaN;
  const bcpu = cpuSeconds(bb.pid!) - bcpu0;
  const pcpu = cpuSeconds(prom.pid!) - pcpu0;
  const success = (await q('sum(probe_success)'))[0] ?? NaN;
  const blackbox = {
    checks: bchecks,
    wallS: bwall,
    cpuS: bcpu,
    cpuPct: (100 * bcpu) / bwall,
    cpuMsPerCheck: (1000 * bcpu) / bchecks,
    rssMaxMB: brss,
    latencyMs: { p50: pct(blat, 50), p95: pct(blat, 95), p99: pct(blat, 99) },
    up: success,
    prometheus: { cpuPct: (100 * pcpu) / bwall, rssMaxMB: prss },
  };
  log(`blackbox: ${JSON.stringify(blackbox)}`);
  await stop(prom);
  await stop(bb);
  return blackbox;
}

interface BenchResult {
  netdx: Awaited<ReturnType<typeof measureNetdx>>;
  fault: Awaited<ReturnType<typeof measureFault>>;
  storm: Awaited<ReturnType<typeof measureStorm>>;
  blackbox: Awaited<ReturnType<typeof measureBlackbox>>;
}

function printTable({ netdx, fault, storm, blackbox }: BenchResult): void {
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  process.stdout.write(
    [
      `${N} TCP targets, ${INTERVAL} s interval, ${SECONDS} s measured`,
      `                         netdx monitor   blackbox_exporter`,
      `checks                   ${String(netdx.checks).padStart(13)}   ${String(blackbox.checks).padStart(17)}`,
      `CPU (% of one core)      ${f(netdx.cpuPct).padStart(13)}   ${f(blackbox.cpuPct).padStart(17)}`,
      `CPU per check (ms)       ${f(netdx.cpuMsPerCheck, 3).padStart(13)}   ${f(blackbox.cpuMsPerCheck, 3).padStart(17)}`,
      `memory (max RSS, MB)     ${f(netdx.rssMaxMB, 0).padStart(13)}   ${f(blackbox.rssMaxMB, 0).padStart(17)}`,
      `check p50/p95/p99 (ms)   ${`${f(netdx.latencyMs.p50)}/${f(netdx.latencyMs.p95)}/${f(netdx.latencyMs.p99)}`.padStart(13)}   ${`${f(blackbox.latencyMs.p50)}/${f(blackbox.latencyMs.p95)}/${f(blackbox.latencyMs.p99)}`.padStart(17)}`,
      `(Prometheus driving blackbox: ${f(blackbox.prometheus.cpuPct)} % CPU, ${f(blackbox.prometheus.rssMaxMB, 0)} MB)`,
      `/metrics scrape: median ${f(netdx.metricsScrapeMs.median, 0)} ms, max ${f(netdx.metricsScrapeMs.max, 0)} ms`,
      `fault → ${fault.code} in /metrics after ${f(fault.shownAfterMs, 0)} ms (diagnosis ${f(fault.diagnosisMs, 0)} ms; bound 2 intervals + diagnosis = ${f(fault.boundMs, 0)} ms)`,
      `${storm.failing} failing at once: queue max ${storm.queuedMax}, running max ${storm.runningMax}, ${storm.diagnosed} diagnosed in the window, /metrics max ${f(storm.metricsMsMax, 0)} ms, RSS max ${f(storm.rssMaxMB, 0)} MB`,
    ].join('\n') + '\n',
  );
}

main()
  .catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    stopAll();
  });
