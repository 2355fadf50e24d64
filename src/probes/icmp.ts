/**
 * ICMP echo: count, loss, RTT statistics and the ICMP errors routers send back.
 * The raw-network module when available (method 'raw'), else the system `ping` of iputils
 * (method 'ping'), else 'unavailable' with the reason (and a 'check.unknown').
 */
import { ipFamily } from '../model/prefix.js';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { NativeApi, NativeEchoResult } from '../native/api.js';
import { native } from './native.js';
import { defaultExec } from '../system/exec.js';
import { parsePingOutput, rttStats } from './ping-output.js';
import type { ProbeContext } from './types.js';

export interface IcmpQuery {
  address: string;
  count: number;
  /** Firewall mark of the echoes (a WireGuard fwmark: towards its endpoint they must take the underlay route). */
  mark?: number;
}

/** Seams for tests. */
export interface IcmpDeps {
  native: () => Promise<NativeApi | null>;
  /** The ping program (iputils). */
  ping: string;
}
const DEFAULT_DEPS: IcmpDeps = { native, ping: 'ping' };

type Echo = ObservationData['icmp.echo'];
const MAX_COUNT = 100;
const MAX_OUTPUT = 256 * 1024;

/**
 * ping's arguments: -i 0.2 s (iputils' floor for non-root) keeps 4 echoes near 0.6 s; as root,
 * a budget too short for that gets a shorter interval (not below 50 ms). -W waits for the last
 * reply within what is left of the budget.
 */
export function pingArgs(address: string, count: number, budgetMs: number, root: boolean, mark = 0): string[] {
  const budgetS = budgetMs / 1000;
  let interval = 0.2;
  if (root && count > 1 && interval * (count - 1) > budgetS * 0.6) interval = Math.max(0.05, (budgetS * 0.6) / (count - 1));
  const wait = Math.max(0.2, Math.min(2, budgetS - interval * (count - 1) - 0.05));
  const args = ['-n', '-c', String(count), '-i', interval.toFixed(2), '-W', wait.toFixed(2)];
  if (ipFamily(address) === 6) args.unshift('-6');
  if (mark) args.push('-m', String(mark));
  args.push(address);
  return args;
}

/** One run of the system ping through the shared ExecFn; on abort it gets SIGINT and prints what it received so far. */
async function systemPing(program: string, args: string[], ctx: ProbeContext): Promise<{ text: string; spawnError: string | null; exit: number | null }> {
  const r = await defaultExec(program, args, { signal: ctx.signal, killSignal: 'SIGINT', timeoutMs: Math.max(1000, Math.round(ctx.budgetMs) + 2000) });
  const text = (r.stdout + r.stderr).slice(0, MAX_OUTPUT);
  const spawnError = r.failure === 'ENOENT' ? `${program} is not installed` : r.failure !== null && r.failure !== 'timeout' ? `${program}: ${r.failure}` : null;
  return { text, spawnError, exit: r.code };
}

/** The echoes of the raw-network module, spaced by 5 ms, each with the remaining budget. */
/** null when every echo failed locally (e.g. an address form the module does not take): ping then. */
async function rawEcho(nat: NativeApi, q: IcmpQuery, ctx: ProbeContext): Promise<Echo | null> {
  const t0 = performance.now();
  const one = async (i: number): Promise<NativeEchoResult> => {
    await new Promise((r) => setTimeout(r, i * 5));
    const left = ctx.budgetMs - (performance.now() - t0) - 20;
    if (ctx.signal.aborted || left < 20) return { outcome: 'timeout', from: null, rttMs: null, icmp: null, errno: null };
    return nat.icmpEcho({ address: q.address, timeoutMs: left, seq: i + 1, ...(q.mark ? { mark: q.mark } : {}) });
  };
  const results = await Promise.all(Array.from({ length: q.count }, (_, i) => one(i)));
  if (results.every((r) => r.outcome === 'error')) return null;
  const rtts = results.filter((r) => r.outcome === 'reply' && r.rttMs !== null).map((r) => r.rttMs!);
  const errors = results.flatMap((r) => (r.icmp ? [r.icmp] : [])).slice(0, 50);
  const local = results.find((r) => r.outcome === 'error' && r.errno)?.errno;
  const data: Echo = {
    address: q.address,
    method: 'raw',
    sent: q.count,
    received: rtts.length,
    lossPct: Math.round(((q.count - rtts.length) / q.count) * 1000) / 10,
    rtt: rtts.length ? rttStats(rtts) : null,
    errors,
  };
  if (local) data.reason = local;
  return data;
}

function unavailable(address: string, reason: string, ms: number): Observation[] {
  return [
    observation('icmp.echo', { address, method: 'unavailable', sent: 0, received: 0, lossPct: 0, rtt: null, errors: [], reason }, ms),
    observation('check.unknown', { layer: 'network', check: 'icmp echo', reason }, ms),
  ];
}

export async function run(q: IcmpQuery, ctx: ProbeContext, deps: IcmpDeps = DEFAULT_DEPS): Promise<Observation[]> {
  const t0 = performance.now();
  if (ipFamily(q.address) === null) return unavailable(q.address, 'not an IP address', 0);
  const count = Math.max(1, Math.min(MAX_COUNT, Math.floor(q.count)));
  const nat = await deps.native();
  if (nat) {
    try {
      const data = await rawEcho(nat, { ...q, count }, ctx);
      if (data) return [observation('icmp.echo', data, performance.now() - t0)];
      ctx.log('icmp: every native echo failed locally, using ping');
    } catch (err) {
      ctx.log(`icmp: native echo failed, using ping: ${String(err)}`);
    }
  }
  const root = process.getuid?.() === 0;
  const left = ctx.budgetMs - (performance.now() - t0);
  // Unprivileged ping cannot send faster than every 200 ms: send what fits in the budget.
  const fits = root ? count : Math.max(1, Math.min(count, 1 + Math.floor(((left / 1000) * 0.6) / 0.2)));
  if (fits < count) ctx.log(`icmp: ${fits} of ${count} echoes fit the budget at ping's 200 ms interval`);
  const args = pingArgs(q.address, fits, left, root, q.mark ?? 0);
  const { text, spawnError, exit } = await systemPing(deps.ping, args, ctx);
  const ms = performance.now() - t0;
  if (spawnError) return unavailable(q.address, `${spawnError}; no raw-socket module either`, ms);
  const parsed = parsePingOutput(text, q.address);
  if (parsed.sent === 0 && parsed.reason && /^socket:|setuid|capabilit/i.test(parsed.reason)) {
    return unavailable(q.address, `ping could not open an ICMP socket: ${parsed.reason}`, ms);
  }
  if (parsed.sent === 0 && !parsed.reason && parsed.errors.length === 0) return unavailable(q.address, `${deps.ping} printed no result (exit ${exit ?? 'by signal'})`, ms);
  return [observation('icmp.echo', { ...parsed, method: 'ping' }, ms)];
}
