/**
 * TCP connect classification: open, refused (RST), filtered (no answer), rejected (ICMP error for
 * the SYN), unreachable (host/net unreachable), and what happens right after the handshake
 * (reset, close, banner, quiet).
 *
 * The socket API folds an ICMP port-unreachable into ECONNREFUSED, exactly like a RST. To tell them
 * apart the probe uses the raw-network module when it is available (IP_RECVERR gives type, code and
 * sender); otherwise it watches the kernel's ICMP input counters (/proc/net/snmp, per network
 * namespace) across the connect: an ECONNREFUSED that came with an ICMP destination-unreachable
 * is a rejection, not a closed port. The method used is recorded.
 */
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { observation, type IcmpError, type Observation, type ObservationData, type TcpOutcome } from '../model/observation.js';
import type { ProbeContext } from './types.js';
import type { NativeApi } from '../native/api.js';

export interface TcpQuery {
  address: string;
  port: number;
  /** How long to watch the connection after the handshake (reset-after-connect check). */
  afterMs: number;
}

let nativeApi: NativeApi | null | undefined;
/** The raw-network module, when built and permitted (never throws). */
export async function native(): Promise<NativeApi | null> {
  if (nativeApi !== undefined) return nativeApi;
  try {
    const path = '../native/index.js';
    const mod = (await import(path)) as { loadNative?: () => NativeApi | null };
    nativeApi = mod.loadNative?.() ?? null;
  } catch {
    nativeApi = null;
  }
  return nativeApi;
}

/** Icmp InDestUnreachs of this network namespace, or null when unreadable. */
export async function icmpDestUnreachCount(): Promise<number | null> {
  try {
    const text = await readFile('/proc/net/snmp', 'utf8');
    const [head, vals] = text.split('\n').filter((l) => l.startsWith('Icmp:'));
    if (!head || !vals) return null;
    const i = head.split(/\s+/).indexOf('InDestUnreachs');
    const v = Number(vals.split(/\s+/)[i]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

interface ConnectResult {
  outcome: TcpOutcome;
  errno?: string;
  icmp?: IcmpError;
  socket?: net.Socket;
  ms: number;
}

function connect(q: TcpQuery, ctx: ProbeContext): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect({ host: q.address, port: q.port, noDelay: true });
    let done = false;
    const finish = (r: Omit<ConnectResult, 'ms'>): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const onAbort = (): void => {
      sock.destroy();
      finish({ outcome: 'filtered', errno: 'ETIMEDOUT' });
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort);
    sock.once('connect', () => finish({ outcome: 'open', socket: sock }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      sock.destroy();
      if (code === 'ECONNREFUSED') finish({ outcome: 'refused', errno: code });
      else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') finish({ outcome: 'unreachable', errno: code });
      else if (code === 'ETIMEDOUT') finish({ outcome: 'filtered', errno: code });
      else if (code === 'EPERM' || code === 'EACCES') finish({ outcome: 'rejected', errno: code });
      else finish({ outcome: 'error', errno: code });
    });
  });
}

/** Watches an open connection for `ms` without sending: RST, FIN, data (a banner) or quiet. */
function watchAfter(sock: net.Socket, ms: number): Promise<NonNullable<ObservationData['tcp.connect']['after']>> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let bytes = 0;
    let done = false;
    const finish = (event: 'rst' | 'fin' | 'data' | 'quiet'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(event === 'data' ? { event, ms: Math.round(performance.now() - t0), bytes } : { event, ms: Math.round(performance.now() - t0) });
    };
    const timer = setTimeout(() => finish(bytes > 0 ? 'data' : 'quiet'), ms);
    sock.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > 4096) finish('data');
    });
    sock.once('end', () => finish(bytes > 0 ? 'data' : 'fin'));
    sock.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'rst' : 'fin'));
  });
}

const ICMP_NAMES: Record<string, string> = { '3/0': 'net-unreachable', '3/1': 'host-unreachable', '3/3': 'port-unreachable', '3/9': 'net-prohibited', '3/10': 'host-prohibited', '3/13': 'admin-prohibited', '1/4': 'port-unreachable', '1/1': 'admin-prohibited', '1/3': 'address-unreachable', '1/0': 'no-route' };

export async function run(q: TcpQuery, ctx: ProbeContext): Promise<Observation[]> {
  const family: 4 | 6 = q.address.includes(':') ? 6 : 4;
  const nat = await native();
  if (nat) {
    const r = await nat.tcpConnect({ address: q.address, port: q.port, timeoutMs: ctx.budgetMs - q.afterMs });
    const outcome: TcpOutcome =
      r.outcome === 'open' ? 'open' : r.outcome === 'refused' ? 'refused' : r.outcome === 'timeout' ? 'filtered' : r.outcome === 'icmp' ? (r.icmp && /port-unreachable|prohibited/.test(r.icmp.name) ? 'rejected' : 'unreachable') : 'error';
    const data: ObservationData['tcp.connect'] = { address: q.address, port: q.port, family, outcome, ms: Math.round(r.ms * 10) / 10, ...(r.errno ? { errno: r.errno } : {}), ...(r.icmp ? { icmp: r.icmp } : {}) };
    if (outcome === 'open') {
      // The native probe closes its socket; watch a second, ordinary connection for the after-connect check.
      const again = await connect(q, ctx);
      if (again.socket) data.after = await watchAfter(again.socket, q.afterMs);
    }
    return [observation('tcp.connect', data, r.ms)];
  }
  const before = await icmpDestUnreachCount();
  const r = await connect(q, ctx);
  const after = r.outcome === 'refused' || r.outcome === 'unreachable' ? await icmpDestUnreachCount() : null;
  const sawIcmp = before !== null && after !== null && after > before;
  const data: ObservationData['tcp.connect'] = { address: q.address, port: q.port, family, outcome: r.outcome, ms: Math.round(r.ms * 10) / 10, ...(r.errno ? { errno: r.errno } : {}) };
  if (r.outcome === 'refused' && sawIcmp) {
    // ECONNREFUSED that arrived as ICMP: a firewall REJECT (port-unreachable), not a listening-socket RST.
    data.outcome = 'rejected';
    data.icmp = { type: family === 4 ? 3 : 1, code: family === 4 ? 3 : 4, from: 'unknown (seen by the ICMP counters, sender not captured)', name: ICMP_NAMES[family === 4 ? '3/3' : '1/4']! };
  } else if (r.outcome === 'unreachable' && sawIcmp) {
    data.icmp = { type: family === 4 ? 3 : 1, code: -1, from: 'unknown (seen by the ICMP counters, sender not captured)', name: r.errno === 'ENETUNREACH' ? 'net-unreachable' : 'host-unreachable-or-prohibited' };
  }
  // Watch a few round trips after the handshake (a reset-after-accept comes within an RTT or two).
  if (r.socket) data.after = await watchAfter(r.socket, Math.min(q.afterMs, Math.max(50, 5 * r.ms)));
  return [observation('tcp.connect', data, r.ms)];
}
