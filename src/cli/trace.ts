/** `netdx trace TARGET`: mtr-style loss and RTT per hop, all TTLs probed in parallel. */
import type { Command } from 'commander';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { EXIT, usageError } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import { ofKind, type Observation } from '../model/observation.js';
import type { Finding } from '../model/report.js';
import { parsePort, parseTarget, shown } from '../model/target.js';
import { DEFAULT_OPTIONS } from '../model/options.js';
import { detectLang, t } from '../report/i18n.js';
import { renderTrace } from '../report/trace.js';
import { judgeFindings } from '../diagnose/judge.js';
import { TRACE_DEFAULTS } from '../probes/trace.js';

export interface RawTraceOptions {
  proto?: string;
  port?: string;
  count?: string;
  paths?: string;
  maxHops?: string;
  interval?: string;
  json?: boolean;
  lang?: string;
}

export interface TraceOptions {
  proto: 'icmp' | 'udp' | 'tcp' | null;
  port: number | null;
  count: number;
  paths: number;
  maxHops: number;
  intervalMs: number;
  json: boolean;
  lang: Lang;
}

function int(text: string | undefined, name: string, lo: number, hi: number, dflt: number): number {
  if (text === undefined) return dflt;
  if (!/^\d+$/.test(text.trim())) throw usageError({ en: `--${name} '${shown(text)}': expected a whole number ${lo}…${hi}`, zh: `--${name} '${shown(text)}'：应为 ${lo}…${hi} 之间的整数` });
  const n = Number(text);
  if (n < lo || n > hi) throw usageError({ en: `--${name} ${n}: out of range (expected ${lo}…${hi})`, zh: `--${name} ${n}：超出范围（应为 ${lo}…${hi}）` });
  return n;
}

/** Validates the options once, at the edge. */
export function parseTraceOptions(raw: RawTraceOptions, env: NodeJS.ProcessEnv = process.env): TraceOptions {
  const proto = raw.proto?.toLowerCase() ?? null;
  if (proto !== null && proto !== 'icmp' && proto !== 'udp' && proto !== 'tcp')
    throw usageError({ en: `--proto '${shown(raw.proto!)}': expected icmp, udp or tcp`, zh: `--proto '${shown(raw.proto!)}'：应为 icmp、udp 或 tcp` });
  if (raw.lang !== undefined && raw.lang !== 'en' && raw.lang !== 'zh') throw usageError({ en: `--lang '${shown(raw.lang)}': expected en or zh`, zh: `--lang '${shown(raw.lang)}'：应为 en 或 zh` });
  return {
    proto,
    port: raw.port === undefined ? null : parsePort(raw.port, '--port'),
    count: int(raw.count, 'count', 1, 100, TRACE_DEFAULTS.count),
    paths: int(raw.paths, 'paths', 1, 16, TRACE_DEFAULTS.paths),
    maxHops: int(raw.maxHops, 'max-hops', 1, 64, TRACE_DEFAULTS.maxHops),
    intervalMs: int(raw.interval, 'interval', 10, 5000, TRACE_DEFAULTS.intervalMs),
    json: !!raw.json,
    lang: detectLang(raw.lang, env),
  };
}

/** The rules a trace alone can decide: unreachable reported, blackhole, loss, latency. */
const TRACE_CODES = ['NET-010', 'NET-003', 'NET-007', 'NET-008'] as const;

export { renderTrace };

/** The path findings of a trace, judged and ranked like a diagnosis' (only the path rules run). */
export function traceFindings(obs: Observation[], input: string, address: string, lang: Lang): Finding[] {
  const target = { ...parseTarget(address), input };
  const ctx = { target, options: { ...DEFAULT_OPTIONS, lang }, observations: obs, snapshot: null, lang, now: new Date() };
  return judgeFindings(ctx, TRACE_CODES).findings;
}

/** Why a trace could not start: the target's name did not resolve (getaddrinfo's code, e.g. ENOTFOUND). */
export function lookupFailedText(host: string, err: unknown, lang: Lang): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || code === '') return t(lang, 'trace.lookupFailedNoCode', { host: shown(host) });
  return t(lang, 'trace.lookupFailed', { host: shown(host), code: shown(code) });
}

export function register(program: Command): void {
  program
    .command('trace')
    .description('trace the path to TARGET: loss and RTT per hop (mtr-style), all hops probed in parallel')
    .argument('<target>', 'HOST, IP or HOST:PORT (a port makes TCP-SYN probes to that port the default)')
    .option('--proto <proto>', 'icmp | udp | tcp (default: tcp when the target has a port, else icmp)')
    .option('-p, --port <port>', 'destination port for tcp/udp probes')
    .option('-c, --count <n>', `probes per hop (default ${TRACE_DEFAULTS.count})`)
    .option('--paths <n>', 'flows to trace: vary the 5-tuple to find parallel (load-balanced) paths (default 1)')
    .option('--max-hops <n>', `highest TTL (default ${TRACE_DEFAULTS.maxHops})`)
    .option('--interval <ms>', `time between rounds in ms (default ${TRACE_DEFAULTS.intervalMs})`)
    .option('--json', 'print JSON (netdx.trace/v1)')
    .option('--lang <lang>', 'en | zh (default from LANG)')
    .action(async (input: string, raw: RawTraceOptions) => {
      const o = parseTraceOptions(raw);
      const target = parseTarget(input, o.port !== null ? { port: o.port } : {});
      const proto = o.proto ?? (target.port !== null ? 'tcp' : 'icmp');
      let address = target.host;
      if (!isIP(address)) {
        try {
          address = (await lookup(target.host)).address;
        } catch (err) {
          process.stderr.write(`netdx: ${lookupFailedText(target.host, err, o.lang)}\n`);
          process.exitCode = EXIT.fault;
          return;
        }
      }
      const startedAt = new Date();
      const t0 = performance.now();
      const [{ run }, { probeContext }] = await Promise.all([import('../probes/trace.js'), import('../probes/types.js')]);
      const budgetMs = o.count * o.intervalMs + 3000;
      const obs = await run(
        { address, proto, port: proto === 'icmp' ? null : (target.port ?? o.port), count: o.count, paths: o.paths, maxHops: o.maxHops, intervalMs: o.intervalMs },
        probeContext(budgetMs),
      );
      const tr = ofKind(obs, 'trace.path')[0]!.data;
      const findings = traceFindings(obs, input, address, o.lang);
      const ms = performance.now() - t0;
      if (o.json) {
        process.stdout.write(JSON.stringify({ schema: 'netdx.trace/v1', target: input, address, startedAt: startedAt.toISOString(), durationMs: Math.round(ms), trace: tr, findings }, null, 2) + '\n');
      } else {
        process.stdout.write(renderTrace(tr, findings, o.lang, ms));
      }
      const faulty = findings.some((f) => f.severity === 'error') || (!tr.reached && tr.method !== 'unavailable');
      process.exitCode = tr.method === 'unavailable' ? EXIT.cannot : faulty ? EXIT.fault : EXIT.ok;
    });
}
