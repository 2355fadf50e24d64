/**
 * The cheap check: one probe per interval, the one the target's protocol needs — an ICMP echo,
 * a TCP connect, a TLS handshake with verification, or an HTTP(S) GET. Every check has a hard
 * deadline (its own timer, see probeContext in src/probes/types.ts for why not
 * AbortSignal.timeout), so a target that hangs every probe costs one deadline, never more.
 * Used by the monitor loop and by the blackbox-compatible /probe endpoint.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import { defaultExec } from '../system/exec.js';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import type { Target } from '../model/target.js';
import type { DiagnoseOptions } from '../model/options.js';
import { native } from '../probes/native.js';

export interface CheckResult {
  ok: boolean;
  /** Wall time of the whole check (resolution included), ms. */
  ms: number;
  /** Epoch ms when the check ended. */
  at: number;
  /** The address probed (null: the name did not resolve). */
  address: string | null;
  /** Short reason of a failure, null when ok. */
  reason: string | null;
  /**
   * What the monitor compares between checks: the failure class, or for a pass what would make
   * the last diagnosis stale (the leaf certificate, the HTTP status). Not the address: a
   * round-robin name must not look like a change every interval.
   */
  signature: string;
  resolveMs: number;
  /** ICMP echo RTT in ms (icmp checks), null when lost. */
  rttMs?: number | null;
  /** Earliest notAfter (epoch ms) in the presented chain (tls, https). */
  certNotAfter?: number | null;
  /** Latest notAfter of the earliest-expiring certificate in the chain as verified: here the same chain. */
  tlsVersion?: string | null;
  httpStatus?: number | null;
  httpContentLength?: number | null;
  httpVersion?: string | null;
  /** Phase times (ms) where the protocol has them: connect, tls, processing, transfer. */
  phases?: Partial<Record<'connect' | 'tls' | 'processing' | 'transfer' | 'setup' | 'rtt', number>>;
}

export interface CheckSpec {
  target: Target;
  options: Pick<DiagnoseOptions, 'sni' | 'ca' | 'cert' | 'key' | 'pin' | 'tlsMin' | 'tlsMax'>;
  timeoutMs: number;
}

export type CheckFn = (spec: CheckSpec, signal?: AbortSignal) => Promise<CheckResult>;

/** A deadline signal whose timer is held strongly (see probeContext). */
export function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; clear: () => void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('deadline')), Math.max(1, ms));
  timer.unref();
  const onParent = (): void => ac.abort(parent?.reason);
  parent?.addEventListener('abort', onParent, { once: true });
  if (parent?.aborted) ac.abort(parent.reason);
  return {
    signal: ac.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

class CheckFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

function aborted(signal: AbortSignal, timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new CheckFailure('timeout', `no answer within ${timeoutMs} ms`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

async function resolve(target: Target, signal: AbortSignal, timeoutMs: number): Promise<string> {
  if (target.ipFamily !== null) return target.host;
  try {
    const r = await Promise.race([lookup(target.host, { all: false }), aborted(signal, timeoutMs)]);
    return r.address;
  } catch (err) {
    if (err instanceof CheckFailure) throw err;
    throw new CheckFailure('dns', `name did not resolve: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const TLS_VERSION_NAME: Record<string, string> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

/** Earliest notAfter (epoch ms) over the presented chain and the leaf's fingerprint. */
export function chainFacts(peer: tls.DetailedPeerCertificate | null | undefined): { notAfter: number | null; leaf: string | null } {
  if (!peer || !peer.raw) return { notAfter: null, leaf: null };
  let earliest: number | null = null;
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = peer;
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    const t = Date.parse(c.valid_to);
    if (Number.isFinite(t) && (earliest === null || t < earliest)) earliest = t;
    c = c.issuerCertificate;
  }
  return { notAfter: earliest, leaf: peer.fingerprint256 ?? null };
}

function pinMatches(pin: string, peer: tls.DetailedPeerCertificate): boolean {
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = peer;
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    if (pin.startsWith('sha256:') && c.fingerprint256.replace(/:/g, '').toUpperCase() === pin.slice(7)) return true;
    if (pin.startsWith('sha256/') && c.pubkey && createHash('sha256').update(c.pubkey).digest('base64') === pin.slice(7)) return true;
    c = c.issuerCertificate;
  }
  return false;
}

interface TlsOutcome {
  socket: tls.TLSSocket;
  notAfter: number | null;
  leaf: string | null;
  version: string | null;
  error: CheckFailure | null;
}

/** Verifies like the diagnosis does: the chain against the CA (or the system store), then the name, then the pin. */
function verifyTls(socket: tls.TLSSocket, hostname: string, pin: string | undefined): TlsOutcome {
  const peer = socket.getPeerCertificate(true);
  const { notAfter, leaf } = chainFacts(peer);
  const version = socket.getProtocol();
  let error: CheckFailure | null = null;
  if (!socket.authorized) {
    const code = (socket.authorizationError as unknown as string | Error | null) ?? 'UNKNOWN';
    error = new CheckFailure(`tls:${String(code)}`, `certificate not trusted: ${String(code)}`);
  } else if (tls.checkServerIdentity(hostname, peer)) {
    error = new CheckFailure('tls:ERR_TLS_CERT_ALTNAME_INVALID', `certificate does not name ${hostname}`);
  }
  if (!error && pin && !pinMatches(pin, peer)) error = new CheckFailure('tls:PIN', 'no certificate of the chain matches the pin');
  return { socket, notAfter, leaf, version, error };
}

function tlsOptions(spec: CheckSpec, address: string): tls.ConnectionOptions {
  const sni = spec.options.sni ?? (spec.target.ipFamily === null ? spec.target.host : undefined);
  return {
    host: address,
    port: spec.target.port ?? 443,
    ...(sni ? { servername: sni } : {}),
    rejectUnauthorized: false,
    ...(spec.options.ca ? { ca: spec.options.ca } : {}),
    ...(spec.options.cert && spec.options.key ? { cert: spec.options.cert, key: spec.options.key } : {}),
    ...(spec.options.tlsMin ? { minVersion: spec.options.tlsMin } : {}),
    ...(spec.options.tlsMax ? { maxVersion: spec.options.tlsMax } : {}),
  };
}

function connectTcp(address: string, port: number, signal: AbortSignal): Promise<{ socket: net.Socket; ms: number }> {
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ host: address, port, noDelay: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(new CheckFailure('timeout', 'connect timed out'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolveP({ socket, ms: performance.now() - t0 });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new CheckFailure(`tcp:${err.code ?? 'error'}`, `connect failed: ${err.code ?? err.message}`));
    });
  });
}

function handshake(spec: CheckSpec, address: string, signal: AbortSignal): Promise<TlsOutcome & { ms: number }> {
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    const opts = tlsOptions(spec, address);
    const socket = tls.connect(opts);
    const onAbort = (): void => {
      socket.destroy();
      reject(new CheckFailure('timeout', 'TLS handshake timed out'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      const hostname = spec.options.sni ?? spec.target.host;
      resolveP({ ...verifyTls(socket, hostname, spec.options.pin), ms: performance.now() - t0 });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      const code = err.code ?? 'error';
      const kind = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/.test(code) ? `tcp:${code}` : `tls:${code}`;
      reject(new CheckFailure(kind, `TLS handshake failed: ${code}`));
    });
  });
}

async function echo(address: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const api = await native();
  if (api) {
    const r = await api.icmpEcho({ address, timeoutMs });
    if (r.outcome === 'reply' && r.rttMs !== null) return r.rttMs;
    if (r.outcome === 'icmp-error') throw new CheckFailure(`icmp:${r.icmp?.name ?? 'error'}`, `ICMP error from ${r.from ?? '?'}: ${r.icmp?.name ?? ''}`);
    if (r.outcome === 'timeout') throw new CheckFailure('timeout', `no echo reply within ${timeoutMs} ms`);
    throw new CheckFailure(`icmp:${r.errno ?? 'error'}`, `echo failed: ${r.errno ?? 'error'}`);
  }
  // No raw sockets: one `ping` (costs a process; said in docs/monitor.md), through the shared ExecFn.
  const wait = Math.max(1, Math.ceil(timeoutMs / 1000));
  const r = await defaultExec('ping', ['-n', '-c', '1', '-W', String(wait), ...(net.isIPv6(address) ? ['-6'] : []), address], { signal, timeoutMs: timeoutMs + 1000 });
  if (r.failure !== null && r.failure !== 'timeout') throw new CheckFailure('icmp:unavailable', `ping: ${r.failure === 'ENOENT' ? 'not installed' : r.failure}`);
  const m = /time=([0-9.]+) ms/.exec(r.stdout);
  if (m) return Number(m[1]);
  throw new CheckFailure('timeout', `no echo reply within ${timeoutMs} ms`);
}

function httpGet(spec: CheckSpec, address: string, signal: AbortSignal): Promise<{ status: number; length: number | null; version: string; tls: TlsOutcome | null; phases: CheckResult['phases'] }> {
  const t = spec.target;
  const secure = t.protocol === 'https';
  const hostHeader = t.port === (secure ? 443 : 80) ? t.host : `${t.ipFamily === 6 ? `[${t.host}]` : t.host}:${t.port}`;
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    let tConnect = 0;
    let tTls = 0;
    let tlsOut: TlsOutcome | null = null;
    const common = {
      host: address,
      port: t.port ?? (secure ? 443 : 80),
      path: t.path ?? '/',
      method: 'GET',
      agent: false as const,
      headers: { host: hostHeader, 'user-agent': 'netdx-monitor', connection: 'close' },
    };
    const req = secure ? https.request({ ...common, ...tlsOptions(spec, address) }) : http.request(common);
    const onAbort = (): void => {
      req.destroy();
      reject(new CheckFailure('timeout', 'HTTP request timed out'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (s: net.Socket) => {
      s.once('connect', () => (tConnect = performance.now()));
      if (secure) {
        s.once('secureConnect', () => {
          tTls = performance.now();
          tlsOut = verifyTls(s as tls.TLSSocket, spec.options.sni ?? t.host, spec.options.pin);
          if (tlsOut.error) {
            signal.removeEventListener('abort', onAbort);
            req.destroy();
            reject(tlsOut.error);
          }
        });
      }
    });
    req.on('response', (res) => {
      const tResp = performance.now();
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        const end = performance.now();
        const lenHeader = res.headers['content-length'];
        const connectAt = tConnect || t0;
        resolveP({
          status: res.statusCode ?? 0,
          length: lenHeader !== undefined ? Number(lenHeader) : bytes,
          version: res.httpVersion,
          tls: tlsOut,
          phases: { connect: connectAt - t0, ...(secure ? { tls: (tTls || connectAt) - connectAt } : {}), processing: tResp - (tTls || connectAt), transfer: end - tResp },
        });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      const code = err.code ?? 'error';
      reject(new CheckFailure(/^E(CONN|HOST|NET|TIMEDOUT)/.test(code) ? `tcp:${code}` : secure && /CERT|SSL|TLS/.test(code) ? `tls:${code}` : `http:${code}`, `HTTP request failed: ${code}`));
    });
    req.end();
  });
}

/** One cheap check of a target; never throws. */
export const runCheck: CheckFn = async (spec, parent) => {
  const t0 = performance.now();
  const dl = deadline(spec.timeoutMs, parent);
  const r: CheckResult = { ok: false, ms: 0, at: 0, address: null, reason: null, signature: '', resolveMs: 0 };
  try {
    const address = await resolve(spec.target, dl.signal, spec.timeoutMs);
    r.address = address;
    r.resolveMs = performance.now() - t0;
    const t = spec.target;
    if (t.protocol === 'icmp' || t.port === null) {
      const ts = performance.now();
      r.rttMs = await Promise.race([echo(address, Math.max(1, spec.timeoutMs - r.resolveMs), dl.signal), aborted(dl.signal, spec.timeoutMs)]);
      r.phases = { setup: 0, rtt: performance.now() - ts };
      r.ok = true;
      r.signature = 'ok';
    } else if (t.protocol === 'tcp') {
      const c = await connectTcp(address, t.port, dl.signal);
      c.socket.destroy();
      r.phases = { connect: c.ms };
      r.ok = true;
      r.signature = 'ok';
    } else if (t.protocol === 'tls') {
      const h = await handshake(spec, address, dl.signal);
      h.socket.destroy();
      r.certNotAfter = h.notAfter;
      r.tlsVersion = h.version ? (TLS_VERSION_NAME[h.version] ?? h.version) : null;
      r.phases = { tls: h.ms };
      if (h.error) throw h.error;
      r.ok = true;
      r.signature = `ok:${h.leaf ?? ''}`;
    } else {
      const g = await httpGet(spec, address, dl.signal);
      r.httpStatus = g.status;
      r.httpContentLength = g.length;
      r.httpVersion = g.version;
      r.phases = g.phases;
      if (g.tls) {
        r.certNotAfter = g.tls.notAfter;
        r.tlsVersion = g.tls.version ? (TLS_VERSION_NAME[g.tls.version] ?? g.tls.version) : null;
      }
      r.ok = g.status >= 200 && g.status < 400;
      r.signature = `${r.ok ? 'ok' : 'http'}:${g.status}:${g.tls?.leaf ?? ''}`;
      if (!r.ok) r.reason = `HTTP status ${g.status}`;
    }
  } catch (err) {
    r.ok = false;
    if (err instanceof CheckFailure) {
      r.reason = err.message;
      r.signature = err.kind;
    } else {
      r.reason = `check failed: ${err instanceof Error ? err.message : String(err)}`;
      r.signature = 'error';
    }
    if (dl.signal.aborted && r.signature !== 'timeout') {
      r.signature = 'timeout';
      r.reason = `no answer within ${spec.timeoutMs} ms`;
    }
  } finally {
    dl.clear();
  }
  r.ms = performance.now() - t0;
  r.at = Date.now();
  return r;
};
