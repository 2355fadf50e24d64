/**
 * Application heartbeat (`--heartbeat 'send=PING;expect=PONG;every=10s'`): one connection (TCP, or
 * TLS for TLS targets), a line sent every `every`, a reply containing `expect` awaited for each.
 * Records per-beat reply times, losses, the observed interval, and — when the peer closes the
 * session — how long after the last beat it did so (the peer's idle timeout).
 */
import { nodeTls } from '../model/builtin.js';
import net from 'node:net';

import { performance } from 'node:perf_hooks';
import { usageError } from '../model/errors.js';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { ProbeContext } from './types.js';
import type { HeartbeatSpec } from '../model/options.js';

export type { HeartbeatSpec };

/** Parses `send=PING;expect=PONG;every=10s[;count=3][;timeout=2s]` (\n, \r, \t escapes in send/expect). */
export function parseHeartbeat(text: string): HeartbeatSpec {
  const bad = (why: string, zh: string): never => {
    const shown = text.slice(0, 100);
    throw usageError({
      en: `--heartbeat '${shown}': ${why} (expected send=TEXT;expect=TEXT;every=DURATION[;count=N][;timeout=DURATION])`,
      zh: `--heartbeat '${shown}'：${zh}（应为 send=TEXT;expect=TEXT;every=DURATION[;count=N][;timeout=DURATION]）`,
    });
  };
  const kv = new Map<string, string>();
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const i = part.indexOf('=');
    if (i < 1) bad(`'${part.slice(0, 40)}' is not key=value`, `'${part.slice(0, 40)}' 不是 key=value`);
    const k = part.slice(0, i).trim().toLowerCase();
    if (!['send', 'expect', 'every', 'count', 'timeout'].includes(k)) bad(`unknown key '${k.slice(0, 20)}'`, `未知的键 '${k.slice(0, 20)}'`);
    kv.set(k, part.slice(i + 1));
  }
  const unescape = (s: string): string => s.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c]!);
  const dur = (s: string, what: string): number => {
    const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(s.trim());
    if (!m) bad(`${what} '${s}' is not a duration`, `${what} '${s}' 不是时长`);
    const v = Number(m![1]) * (m![2] === 'ms' ? 0.001 : m![2] === 'm' ? 60 : 1);
    if (!(v >= 0.05 && v <= 600)) bad(`${what} must be between 50ms and 10m`, `${what} 应在 50ms 到 10m 之间`);
    return v;
  };
  const send = kv.get('send');
  const expect = kv.get('expect');
  const every = kv.get('every');
  if (!send) bad('send= is missing', '缺少 send=');
  if (!expect) bad('expect= is missing', '缺少 expect=');
  if (!every) bad('every= is missing', '缺少 every=');
  const everySec = dur(every!, 'every');
  const count = kv.has('count') ? Number(kv.get('count')) : 3;
  if (!Number.isInteger(count) || count < 1 || count > 100) bad('count must be 1 to 100', 'count 应为 1 到 100');
  const replySec = kv.has('timeout') ? dur(kv.get('timeout')!, 'timeout') : Math.min(everySec, 2);
  const s = unescape(send!);
  return { send: s.endsWith('\n') ? s : `${s}\n`, expect: unescape(expect!), everySec, count, replySec };
}

export interface HeartbeatQuery {
  address: string;
  port: number;
  tls: boolean;
  servername: string | null;
  spec: HeartbeatSpec;
}

export function run(q: HeartbeatQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const { spec } = q;
  const data: ObservationData['app.heartbeat'] = {
    address: q.address,
    port: q.port,
    tls: q.tls,
    send: spec.send.trim(),
    expect: spec.expect,
    everySec: spec.everySec,
    beats: [],
    answered: 0,
    sent: 0,
    intervalSec: null,
    peerClosed: null,
    error: null,
    ms: 0,
  };
  return new Promise((resolve) => {
    const sock: net.Socket = q.tls
      ? nodeTls().connect({ host: q.address, port: q.port, rejectUnauthorized: false, ...(q.servername ? { servername: q.servername } : {}) })
      : net.connect({ host: q.address, port: q.port });
    let buf = '';
    let lastBeatAt = 0;
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', finish);
      sock.destroy();
      const at = data.beats.map((b) => b.atMs);
      if (at.length > 1) data.intervalSec = Math.round(((at[at.length - 1]! - at[0]!) / (at.length - 1) / 1000) * 100) / 100;
      data.ms = Math.round(now());
      resolve([observation('app.heartbeat', data, now())]);
    };
    ctx.signal.addEventListener('abort', finish);
    const beat = (): void => {
      if (done) return;
      if (data.sent >= spec.count) return finish();
      lastBeatAt = now();
      data.beats.push({ atMs: Math.round(lastBeatAt), replyMs: null });
      data.sent++;
      sock.write(spec.send);
      // Next beat after `every`; the reply window is `replySec` (shorter than `every`).
      timer = setTimeout(beat, spec.everySec * 1000);
    };
    sock.once(q.tls ? 'secureConnect' : 'connect', beat);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf = (buf + d).slice(-4096);
      const cur = data.beats[data.beats.length - 1];
      if (cur && cur.replyMs === null && buf.includes(spec.expect) && now() - cur.atMs <= spec.replySec * 1000) {
        cur.replyMs = Math.round((now() - cur.atMs) * 10) / 10;
        data.answered++;
        buf = '';
      }
    });
    const closed = (event: 'fin' | 'rst'): void => {
      if (done) return;
      if (data.sent > 0) data.peerClosed = { event, afterIdleSec: Math.round((now() - lastBeatAt) / 100) / 10, atMs: Math.round(now()) };
      else data.error = `connection ${event === 'rst' ? 'reset' : 'closed'} before the first heartbeat`;
      finish();
    };
    sock.on('end', () => closed('fin'));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') return closed('rst');
      data.error = err.code ?? err.message;
      finish();
    });
    sock.on('close', () => closed('fin'));
  });
}
