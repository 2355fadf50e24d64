/**
 * TCP connect classification: open, refused (RST), filtered (no answer within the budget),
 * rejected (an ICMP port-unreachable / prohibited answered the SYN), unreachable (host or net
 * unreachable), and, for an open port, what the server does right after the handshake when
 * the client sends nothing (`after`: rst, fin, data with a byte count, or quiet).
 *
 * The socket API folds an ICMP port-unreachable into ECONNREFUSED, like a RST, and an ICMP
 * admin-prohibited into EHOSTUNREACH, like host-unreachable. So the probe connects with the
 * raw-network module when it loads (IP_RECVERR: ICMP type, code, sender), and for an open port
 * watches that same connection for five of the kernel's RTTs (at least 50 ms). Without the module,
 * an ordinary socket connects and is watched for five of its own connect times, and the
 * namespace's ICMP counters read around a refused connect tell a rejection from a RST (no sender
 * or code then); what stays ambiguous is reported as a 'check.unknown'.
 */
import { ipFamily } from '../model/prefix.js';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type IcmpError, type Observation, type ObservationData, type TcpOutcome } from '../model/observation.js';
import type { NativeApi, NativeTcpResult } from '../native/api.js';
import { destUnreachCount } from './icmp-counters.js';
import { native } from './native.js';
import { errCode, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

export interface TcpQuery {
  address: string;
  port: number;
  /** Longest wait after the handshake for the reset-after-connect check (0: none); the probe waits less on a fast path. */
  afterMs: number;
  /** Told the connect's outcome as soon as it is known, before the after-connect watch. */
  onAnswer?: (outcome: ConnectData['outcome']) => void;
}

/** Seams for tests: where the ICMP facts come from. */
export interface TcpDeps {
  native: () => Promise<NativeApi | null>;
  icmpCount: (family: 4 | 6) => Promise<number | null>;
}
const DEFAULT_DEPS: TcpDeps = { native, icmpCount: destUnreachCount };

type ConnectData = ObservationData['tcp.connect'];
type After = NonNullable<ConnectData['after']>;

/** A banner longer than this ends the after-connect watch (enough to know that data came). */
const AFTER_MAX_BYTES = 4096;

interface Attempt {
  outcome: TcpOutcome;
  errno?: string;
  socket?: net.Socket;
  ms: number;
}

export function classifyErrno(code: string): TcpOutcome {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'filtered';
    case 'ECONNRESET':
      return 'reset';
    case 'EPIPE':
      return 'closed';
    case 'EPERM':
    case 'EACCES':
      // The local firewall refused to send the SYN (an OUTPUT DROP/REJECT returns EPERM).
      return 'rejected';
    default:
      return 'error';
  }
}

function attempt(q: TcpQuery, ctx: ProbeContext): Promise<Attempt> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    const sock = new net.Socket();
    const finish = (r: Omit<Attempt, 'ms'>): void => {
      if (done) return;
      done = true;
      detach();
      if (!r.socket) sock.destroy();
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const detach = onAbort(ctx.signal, () => finish({ outcome: 'filtered' }));
    sock.once('connect', () => finish({ outcome: 'open', socket: sock }));
    sock.once('error', (err) => {
      const code = errCode(err) ?? 'error';
      finish({ outcome: classifyErrno(code), errno: code });
    });
    sock.connect({ host: q.address, port: q.port, noDelay: true });
  });
}

/** Watches an open connection for `ms` without sending: RST, FIN, data (a banner) or quiet. */
export function watchAfter(sock: net.Socket, ms: number, signal: AbortSignal): Promise<After> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let bytes = 0;
    let done = false;
    const finish = (event: After['event']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      detach();
      sock.destroy();
      const at = Math.round(performance.now() - t0);
      resolve(bytes > 0 ? { event: 'data', ms: at, bytes } : { event, ms: at });
    };
    // When the time is up, what has already arrived is read first: libuv runs timers before it polls
    // the sockets, so a process that was not scheduled for a while (a loaded machine) would otherwise
    // call a connection quiet whose RST has been waiting in the kernel. setImmediate runs after the poll.
    const timer = setTimeout(() => setImmediate(() => finish('quiet')), ms);
    const detach = onAbort(signal, () => finish('quiet'));
    sock.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes >= AFTER_MAX_BYTES) finish('data');
    });
    sock.once('end', () => finish('fin'));
    sock.once('error', (err) => finish(errCode(err) === 'ECONNRESET' ? 'rst' : 'fin'));
    sock.once('close', () => finish('fin'));
  });
}

const REJECTING = new Set(['port-unreachable', 'admin-prohibited', 'net-prohibited', 'host-prohibited', 'source-policy-failed', 'reject-route']);
const ICMP_NAMES: Record<string, string> = {
  '4/3/0': 'net-unreachable',
  '4/3/1': 'host-unreachable',
  '4/3/2': 'protocol-unreachable',
  '4/3/3': 'port-unreachable',
  '4/3/9': 'net-prohibited',
  '4/3/10': 'host-prohibited',
  '4/3/13': 'admin-prohibited',
  '6/1/0': 'no-route',
  '6/1/1': 'admin-prohibited',
  '6/1/3': 'address-unreachable',
  '6/1/4': 'port-unreachable',
  '6/1/5': 'source-policy-failed',
  '6/1/6': 'reject-route',
};

/** The name of an ICMP error by family, type and code (the module's own name when it has none of ours). */
export function icmpName(family: 4 | 6, e: Pick<IcmpError, 'type' | 'code' | 'name'>): string {
  if ((family === 4 && e.type === 11) || (family === 6 && e.type === 3)) return 'time-exceeded';
  return ICMP_NAMES[`${family}/${e.type}/${e.code}`] ?? e.name;
}

/** What the raw-network module's second SYN says about a refused/unreachable connect; null when it adds nothing. */
export function fromNative(family: 4 | 6, r: NativeTcpResult): { outcome: TcpOutcome; icmp?: IcmpError } | null {
  if (r.outcome === 'refused') return { outcome: 'refused' };
  if (r.outcome !== 'icmp' || !r.icmp) return null;
  const icmp = { ...r.icmp, name: icmpName(family, r.icmp) };
  return { outcome: REJECTING.has(icmp.name) ? 'rejected' : 'unreachable', icmp };
}

/** The observation fields from the raw-network module's connect. */
export function fromNativeResult(family: 4 | 6, r: NativeTcpResult): Pick<ConnectData, 'outcome' | 'errno' | 'icmp'> {
  const errno = r.errno ? { errno: r.errno } : {};
  switch (r.outcome) {
    case 'open':
      return { outcome: 'open' };
    case 'refused':
      return { outcome: 'refused', errno: r.errno ?? 'ECONNREFUSED' };
    case 'timeout':
      return { outcome: 'filtered' };
    case 'icmp': {
      const told = fromNative(family, r);
      if (told) return { ...told, ...errno };
      return { outcome: r.errno ? classifyErrno(r.errno) : 'unreachable', ...errno };
    }
    default:
      return { outcome: r.errno ? classifyErrno(r.errno) : 'error', ...errno };
  }
}

/** The after-connect watch: a few RTTs, at least AFTER_MIN_MS (a server that refuses at accept time takes a moment), at most afterMs. */
const AFTER_MIN_MS = 50;
const AFTER_RTTS = 5;

/**
 * The raw-network module's connect, bounded by the signal too (its own timeout is the budget). An
 * open connection is watched as it is (no second connection), for RTTs the kernel measured.
 */
async function nativeConnect(nat: NativeApi, q: TcpQuery, family: 4 | 6, timeoutMs: number, ctx: ProbeContext): Promise<NativeTcpResult | null> {
  try {
    return await nat.tcpConnect({
      address: q.address,
      port: q.port,
      timeoutMs: Math.max(1, Math.round(timeoutMs)),
      ...(q.afterMs > 0 ? { after: { minMs: AFTER_MIN_MS, rtts: AFTER_RTTS, maxMs: q.afterMs, maxBytes: AFTER_MAX_BYTES } } : {}),
      ...(q.onAnswer ? { onAnswer: (r: NativeTcpResult) => q.onAnswer?.(fromNativeResult(family, r).outcome) } : {}),
      signal: ctx.signal,
    });
  } catch (err) {
    ctx.log(`tcp: native connect failed, using sockets: ${String(err)}`);
    return null;
  }
}

/** After an open connect: watch a few RTTs (at most afterMs) for a RST, FIN or banner. */
async function after(sock: net.Socket, q: TcpQuery, connectMs: number, ctx: ProbeContext): Promise<After | undefined> {
  const wait = Math.min(q.afterMs, Math.max(AFTER_MIN_MS, AFTER_RTTS * connectMs));
  if (wait <= 0) {
    sock.destroy();
    return undefined;
  }
  return watchAfter(sock, wait, ctx.signal);
}

export async function run(q: TcpQuery, ctx: ProbeContext, deps: TcpDeps = DEFAULT_DEPS): Promise<Observation[]> {
  const t0 = performance.now();
  const fam = ipFamily(q.address);
  const family: 4 | 6 = fam ?? 4;
  if (fam === null) {
    const data: ConnectData = { address: q.address, port: q.port, family, outcome: 'error', ms: 0, errno: 'EINVAL' };
    return [observation('tcp.connect', data, 0)];
  }
  // The raw-network module first: the ICMP answer to the first SYN is the one a router's rate limit lets through.
  const nat = await deps.native();
  if (nat) {
    const r = await nativeConnect(nat, q, family, ctx.budgetMs - q.afterMs - (performance.now() - t0), ctx);
    if (r) {
      // A RST that came before the handshake was seen is an ECONNRESET of the connect: outcome 'reset'.
      const data: ConnectData = { address: q.address, port: q.port, family, ms: round1(r.ms), ...fromNativeResult(family, r) };
      if (data.outcome === 'open' && r.after) data.after = r.after;
      return [observation('tcp.connect', data, r.ms)];
    }
  }
  const out: Observation[] = [];
  const before = await deps.icmpCount(family);
  const r = await attempt(q, ctx);
  const data: ConnectData = { address: q.address, port: q.port, family, outcome: r.outcome, ms: round1(r.ms), ...(r.errno ? { errno: r.errno } : {}) };
  if (r.outcome === 'refused') {
    const afterCount = await deps.icmpCount(family);
    if (before !== null && afterCount !== null) {
      if (afterCount > before) data.outcome = 'rejected';
    } else out.push(unknown('ECONNREFUSED', 'the ICMP counters are unreadable and the raw-network module is not available'));
  } else if (r.outcome === 'unreachable' && r.errno === 'EHOSTUNREACH') {
    out.push(unknown('EHOSTUNREACH', 'the raw-network module is not available'));
  }
  q.onAnswer?.(data.outcome);
  if (r.socket) {
    const a = await after(r.socket, q, r.ms, ctx);
    if (a) data.after = a;
  }
  return [observation('tcp.connect', data, r.ms), ...out];
}

function unknown(errno: string, why: string): Observation {
  const meaning = errno === 'ECONNREFUSED' ? 'a RST (nothing listens) or an ICMP port-unreachable (a firewall REJECT)' : 'an ICMP host-unreachable or an admin-prohibited REJECT';
  return observation('check.unknown', { layer: 'transport', check: 'tcp refusal source', reason: `${errno} is ${meaning}; ${why}, so the probe cannot tell which` });
}
