/** `netdx load TARGET`: concurrent connects / TLS handshakes / HTTP requests, errors as fault codes, the turning point; throughput against a responder. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { EXIT, readError, usageError } from '../model/errors.js';
import { detectLang, t } from '../report/i18n.js';
import { parseLoadOptions, attemptCap, type RawLoadOptions, type LoadOptions } from '../load/options.js';
import { planSteps, runLoad, type RunOutput } from '../load/runner.js';
import { buildLoadReport, type LoadReport } from '../load/report.js';
import { renderLoad } from '../load/render.js';
import { throughput, type DirectionResult } from '../load/throughput.js';
import { shown } from '../model/target.js';

async function resolveTarget(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw usageError({
      en: `target '${shown(host)}': the name does not resolve (${code}); run netdx diagnose to find out why`,
      zh: `目标 '${shown(host)}'：域名无法解析（${code}）；运行 netdx diagnose 查明原因`,
    });
  }
}

export async function runLoadCommand(o: LoadOptions, progress: boolean): Promise<LoadReport> {
  const started = new Date();
  const t0 = performance.now();
  const address = await resolveTarget(o.target.host);
  let ca: Buffer | null = null;
  if (o.caFile) {
    try {
      ca = readFileSync(o.caFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw readError({ en: `--ca '${shown(o.caFile)}': cannot read (${code})`, zh: `--ca '${shown(o.caFile)}'：无法读取（${code}）` }, err);
    }
  }
  const plan = planSteps(o);
  let out: RunOutput = { attempts: plan.map(() => []), stepMs: plan.map(() => 0), generator: { cpu: 0, eventLoopDelayP99Ms: 0, missedLaunches: 0, limited: false } };
  const onProgress = progress
    ? (p: { step: number; steps: number; elapsedMs: number; attempts: number; ok: number; failed: number; inFlight: number }): void =>
        void process.stderr.write(
          `\r\x1b[2K${t(o.lang, 'load.progress', { step: p.step + 1, steps: p.steps, s: (p.elapsedMs / 1000).toFixed(1), attempts: p.attempts, ok: p.ok, failed: p.failed, inFlight: p.inFlight })}`,
        )
    : undefined;
  // With --bytes alone (a throughput test), no connection-rate run unless --connections/--rate ask for one.
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  try {
    if (!o.throughput || o.connectionsGiven) {
      out = await runLoad({ address, port: o.target.port!, mode: o.mode, host: o.target.host, path: o.path, sni: o.sni, ca, insecure: o.insecure, timeoutMs: o.timeoutMs }, plan, {
        maxAttempts: attemptCap(o),
        signal: ac.signal,
        ...(onProgress ? { onProgress } : {}),
      });
    }
    let tput: LoadReport['throughput'] = null;
    if (o.throughput) {
      const a = { host: o.throughput.responder.host, port: o.throughput.responder.port, token: o.throughput.token };
      const results: DirectionResult[] = [];
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      for (const direction of ['upload', 'download'] as const) {
        if (ac.signal.aborted) break;
        if (progress) process.stderr.write(`\r\x1b[2K${t(o.lang, direction === 'upload' ? 'load.upload' : 'load.download')}…`);
        results.push(await throughput(a, { bytes: o.throughput.bytes, streams: o.throughput.streams, direction, timeoutMs: Math.min(o.durationMs, 600_000) }));
      }
      const c = process.cpuUsage(cpu0);
      const cpu = (c.user + c.system) / 1000 / Math.max(1, performance.now() - w0);
      if (cpu > out.generator.cpu) out.generator = { ...out.generator, cpu, limited: out.generator.limited || cpu >= 0.85 };
      tput = { responder: `${a.host}:${a.port}`, streams: o.throughput.streams, bytes: o.throughput.bytes, results };
    }
    return buildLoadReport({
      target: { input: o.target.input, host: o.target.host, address, port: o.target.port!, mode: o.mode, path: o.mode === 'http' || o.mode === 'https' ? o.path : null },
      startedAt: started,
      durationMs: performance.now() - t0,
      load: { connections: o.connections, rate: o.rate, steps: plan.length, timeoutMs: o.timeoutMs },
      plan,
      attempts: out.attempts,
      stepMs: out.stepMs,
      generator: out.generator,
      throughput: tput,
      lang: o.lang,
    });
  } finally {
    process.off('SIGINT', stop);
    if (progress) process.stderr.write('\r\x1b[2K');
  }
}

export function register(program: Command): void {
  program
    .command('load')
    .description('load test TARGET: connects / TLS handshakes / HTTP requests at a rate, latency percentiles, errors as fault codes, the turning point; throughput against a netdx responder')
    .argument('<target>', 'HOST:PORT, [IPv6]:PORT, or tcp:// tls:// http:// https:// URL')
    .option('-c, --connections <n>', 'connections in flight at full load (default 10, at most 10000)')
    .option('--rate <r>', 'attempts per second at full load, e.g. 500/s (default: as fast as the connections allow; above 2000/s needs --allow-heavy)')
    .option('--duration <d>', 'length of the run, e.g. 10s (default 10s; above 60s needs --allow-heavy; at most 600s)')
    .option('--steps <n>', 'the load grows in N equal steps up to the full level; the first failing step is the turning point (default 5)')
    .option('--timeout <d>', 'time limit of one attempt (default 5s)')
    .option('--tls', 'TLS handshake after the connect')
    .option('--http <path>', 'HTTP GET of PATH after the connect (over TLS with --tls or an https:// target)')
    .option('--sni <name>', 'TLS server name (default: the target host name)')
    .option('--ca <file>', 'PEM file of CA certificates to trust')
    .option('--insecure', 'do not verify the server certificate')
    .option('--bytes <size>', 'throughput against --responder: bytes per stream and direction, e.g. 100M')
    .option('--streams <n>', 'parallel streams for the throughput test (default 1)')
    .option('--responder <host:port>', 'a running `netdx responder` (on or next to the server)')
    .option('--token <t>', 'the responder token (or NETDX_RESPONDER_TOKEN)')
    .option('--allow-heavy', 'allow a rate above 2000/s or a run longer than 60s (only against hosts you own)')
    .option('--json', 'print the result as JSON (netdx.load/v1)')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (input: string, raw: RawLoadOptions) => {
      const o = parseLoadOptions(input, raw, detectLang());
      o.connectionsGiven = raw.connections !== undefined || raw.rate !== undefined;
      const report = await runLoadCommand(o, !o.json && !!process.stderr.isTTY);
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : renderLoad(report, o.lang));
      process.exitCode = report.verdict === 'ok' ? EXIT.ok : EXIT.fault;
    });
}
