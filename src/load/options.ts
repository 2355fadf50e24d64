/**
 * `netdx load` options, validated once at the edge. Every run is bounded in time and in count:
 * the defaults are modest, a run above LIMITS.safeRate or longer than LIMITS.safeDurationMs needs
 * --allow-heavy, and nothing goes above the hard ceilings whatever the flags.
 */
import { usageError } from '../model/errors.js';
import type { Lang } from '../model/layer.js';
import { parseTarget, shown, type Target } from '../model/target.js';
import { parseDuration } from '../cli/diagnose-options.js';
import { parseHostPort } from '../responder/address.js';

export const LIMITS = {
  defaultDurationMs: 10_000,
  /** Longer runs need --allow-heavy. */
  safeDurationMs: 60_000,
  /** Hard ceiling of a run, with or without flags. */
  maxDurationMs: 600_000,
  defaultConnections: 10,
  maxConnections: 10_000,
  /** Higher fixed rates need --allow-heavy. */
  safeRate: 2000,
  maxRate: 100_000,
  /** Hard ceiling of attempts in one run. */
  maxAttempts: 2_000_000,
  defaultTimeoutMs: 5000,
  maxBytes: 16 * 1024 ** 3,
  maxStreams: 64,
} as const;

export interface RawLoadOptions {
  connections?: string;
  rate?: string;
  duration?: string;
  steps?: string;
  timeout?: string;
  tls?: boolean;
  http?: string;
  sni?: string;
  ca?: string;
  insecure?: boolean;
  bytes?: string;
  streams?: string;
  responder?: string;
  token?: string;
  allowHeavy?: boolean;
  json?: boolean;
  lang?: string;
}

export interface LoadOptions {
  target: Target;
  /** The phases of one attempt. */
  mode: 'tcp' | 'tls' | 'http' | 'https';
  path: string;
  connections: number;
  /** Attempts per second at full load; null = as fast as `connections` allow (closed loop). */
  rate: number | null;
  durationMs: number;
  /** Load grows in this many equal steps up to the full level (the turning point is the first failing step). */
  steps: number;
  timeoutMs: number;
  sni: string | null;
  caFile: string | null;
  insecure: boolean;
  /** Throughput against a responder: bytes per stream and direction. */
  throughput: { bytes: number; streams: number; responder: { host: string; port: number }; token: string | null } | null;
  json: boolean;
  lang: Lang;
  /** --connections or --rate given (with --bytes alone only the throughput test runs). */
  connectionsGiven?: boolean;
}

function int(text: string | undefined, name: string, lo: number, hi: number, dflt: number): number {
  if (text === undefined) return dflt;
  if (!/^\d+$/.test(text.trim())) throw usageError({ en: `--${name} '${shown(text)}': expected a whole number ${lo}…${hi}`, zh: `--${name} '${shown(text)}'：应为 ${lo}…${hi} 之间的整数` });
  const n = Number(text);
  if (n < lo || n > hi) throw usageError({ en: `--${name} ${n}: out of range (expected ${lo}…${hi})`, zh: `--${name} ${n}：超出范围（应为 ${lo}…${hi}）` });
  return n;
}

/** '500', '500/s', '30000/m' → per second. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|min))?$/.exec(text.trim());
  if (!m) throw usageError({ en: `--rate '${shown(text)}': expected attempts per second like 200, 200/s or 6000/m`, zh: `--rate '${shown(text)}'：应为每秒尝试次数，如 200、200/s 或 6000/m` });
  const n = Number(m[1]) / (m[2] && m[2] !== 's' ? 60 : 1);
  if (!(n > 0)) throw usageError({ en: `--rate '${shown(text)}': must be above 0`, zh: `--rate '${shown(text)}'：必须大于 0` });
  return n;
}

/** '1M', '512K', '1G', '1000' (bytes; K/M/G are powers of 1024). */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?$/i.exec(text.trim());
  if (!m) throw usageError({ en: `${what} '${shown(text)}': expected a size like 100M, 512K or 1G`, zh: `${what} '${shown(text)}'：应为大小，如 100M、512K 或 1G` });
  const unit = (m[2] ?? '').toUpperCase()[0];
  const mult = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * mult);
}

export function parseLoadOptions(input: string, raw: RawLoadOptions, lang: Lang): LoadOptions {
  if (raw.lang !== undefined && raw.lang !== 'en' && raw.lang !== 'zh') throw usageError({ en: `--lang '${shown(raw.lang)}': expected en or zh`, zh: `--lang '${shown(raw.lang)}'：应为 en 或 zh` });
  const target = parseTarget(input, raw.tls ? { protocol: 'tls' } : {});
  if (target.port === null) throw usageError({ en: `target '${shown(input)}': netdx load needs a port (HOST:PORT or a URL)`, zh: `目标 '${shown(input)}'：netdx load 需要端口（HOST:PORT 或 URL）` });
  let mode: LoadOptions['mode'] = target.protocol === 'icmp' ? 'tcp' : target.protocol;
  let path = target.path ?? '/';
  if (raw.http !== undefined) {
    if (!raw.http.startsWith('/')) throw usageError({ en: `--http '${shown(raw.http)}': expected a path starting with /`, zh: `--http '${shown(raw.http)}'：应为以 / 开头的路径` });
    path = raw.http;
    mode = mode === 'tls' || mode === 'https' || raw.tls ? 'https' : 'http';
  }
  const heavy = raw.allowHeavy === true;
  const connections = int(raw.connections, 'connections', 1, LIMITS.maxConnections, LIMITS.defaultConnections);
  const rate = raw.rate === undefined ? null : parseRate(raw.rate);
  if (rate !== null && rate > LIMITS.maxRate) throw usageError({ en: `--rate ${rate}/s: above the hard ceiling of ${LIMITS.maxRate}/s`, zh: `--rate ${rate}/s：超过硬上限 ${LIMITS.maxRate}/s` });
  if (rate !== null && rate > LIMITS.safeRate && !heavy)
    throw usageError({
      en: `--rate ${rate}/s: above ${LIMITS.safeRate}/s needs --allow-heavy (make sure you own the target)`,
      zh: `--rate ${rate}/s：超过 ${LIMITS.safeRate}/s 需要 --allow-heavy（请确认目标归你所有）`,
    });
  const durationMs = raw.duration === undefined ? LIMITS.defaultDurationMs : parseDuration(raw.duration, '--duration');
  if (durationMs <= 0) throw usageError({ en: `--duration '${shown(raw.duration ?? '')}': must be above 0`, zh: `--duration '${shown(raw.duration ?? '')}'：必须大于 0` });
  if (durationMs > LIMITS.maxDurationMs)
    throw usageError({
      en: `--duration ${durationMs / 1000}s: above the hard ceiling of ${LIMITS.maxDurationMs / 1000}s`,
      zh: `--duration ${durationMs / 1000}s：超过硬上限 ${LIMITS.maxDurationMs / 1000}s`,
    });
  if (durationMs > LIMITS.safeDurationMs && !heavy)
    throw usageError({
      en: `--duration ${durationMs / 1000}s: longer than ${LIMITS.safeDurationMs / 1000}s needs --allow-heavy`,
      zh: `--duration ${durationMs / 1000}s：超过 ${LIMITS.safeDurationMs / 1000}s 需要 --allow-heavy`,
    });
  const timeoutMs = raw.timeout === undefined ? LIMITS.defaultTimeoutMs : parseDuration(raw.timeout, '--timeout');
  if (timeoutMs <= 0 || timeoutMs > 60_000) throw usageError({ en: `--timeout: expected a duration from 1ms to 60s`, zh: `--timeout：应为 1ms 到 60s 之间的时长` });
  let throughput: LoadOptions['throughput'] = null;
  if (raw.bytes !== undefined || raw.responder !== undefined) {
    if (raw.bytes === undefined || raw.responder === undefined)
      throw usageError({ en: '--bytes and --responder go together (throughput against a netdx responder)', zh: '--bytes 与 --responder 必须同时指定（对 netdx 响应端测吞吐量）' });
    const bytes = parseSize(raw.bytes, '--bytes');
    if (bytes < 1 || bytes > LIMITS.maxBytes)
      throw usageError({ en: `--bytes ${bytes}: expected 1 byte … ${LIMITS.maxBytes / 1024 ** 3} GiB`, zh: `--bytes ${bytes}：应为 1 字节 … ${LIMITS.maxBytes / 1024 ** 3} GiB` });
    throughput = {
      bytes,
      streams: int(raw.streams, 'streams', 1, LIMITS.maxStreams, 1),
      responder: parseHostPort(raw.responder, '--responder'),
      token: raw.token ?? process.env.NETDX_RESPONDER_TOKEN ?? null,
    };
  } else if (raw.streams !== undefined) throw usageError({ en: '--streams needs --bytes and --responder', zh: '--streams 需要同时指定 --bytes 与 --responder' });
  return {
    target,
    mode,
    path,
    connections,
    rate,
    durationMs,
    steps: int(raw.steps, 'steps', 1, 20, 5),
    timeoutMs,
    sni: raw.sni ?? null,
    caFile: raw.ca ?? null,
    insecure: raw.insecure === true,
    throughput,
    json: raw.json === true,
    lang: raw.lang === 'zh' ? 'zh' : raw.lang === 'en' ? 'en' : lang,
  };
}

/** The most attempts a run may make (a second bound beside the duration). */
export function attemptCap(o: Pick<LoadOptions, 'rate' | 'durationMs'>): number {
  if (o.rate === null) return LIMITS.maxAttempts;
  return Math.min(LIMITS.maxAttempts, Math.ceil((o.rate * o.durationMs) / 1000) + 1);
}
