/**
 * ICMP echo: count, loss, RTT statistics and the ICMP errors routers send back.
 * Uses the raw-network module when available (method 'raw'), else the system `ping`
 * (iputils; method 'ping'); when neither works the observation says 'unavailable' and why.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { observation, type IcmpError, type Observation, type ObservationData } from '../model/observation.js';
import type { ProbeContext } from './types.js';
import { native } from './tcp.js';

export interface IcmpQuery {
  address: string;
  count: number;
}

type Echo = ObservationData['icmp.echo'];

const ERROR_LINES: Array<[RegExp, number, number, string]> = [
  [/Destination Net Unreachable/i, 3, 0, 'net-unreachable'],
  [/Destination Host Unreachable/i, 3, 1, 'host-unreachable'],
  [/Destination Protocol Unreachable/i, 3, 2, 'protocol-unreachable'],
  [/Destination Port Unreachable/i, 3, 3, 'port-unreachable'],
  [/Frag needed and DF set/i, 3, 4, 'frag-needed'],
  [/Destination Net Prohibited/i, 3, 9, 'net-prohibited'],
  [/Destination Host Prohibited/i, 3, 10, 'host-prohibited'],
  [/Packet filtered/i, 3, 13, 'admin-prohibited'],
  [/Time to live exceeded/i, 11, 0, 'time-exceeded'],
  // ICMPv6 wording of iputils
  [/Destination unreachable: No route/i, 1, 0, 'no-route'],
  [/Destination unreachable: Administratively prohibited/i, 1, 1, 'admin-prohibited'],
  [/Destination unreachable: Address unreachable/i, 1, 3, 'address-unreachable'],
  [/Destination unreachable: Port unreachable/i, 1, 4, 'port-unreachable'],
  [/Packet too big/i, 2, 0, 'packet-too-big'],
];

/** Parses iputils `ping -n` output (stdout + stderr). Pure; never throws. */
export function parsePingOutput(text: string, address: string): Omit<Echo, 'method'> {
  const errors: IcmpError[] = [];
  const rtts: number[] = [];
  let sent = 0;
  let received = 0;
  let reason: string | undefined;
  for (const line of text.split('\n').slice(0, 10_000)) {
    const reply = /bytes from [^:]+: .*time=([0-9.]+) ms/.exec(line);
    if (reply) {
      rtts.push(Number(reply[1]));
      continue;
    }
    const from = /^From ([0-9a-fA-F:.]+)(?: \([^)]*\))?:? icmp_seq=\d+ (.*)$/.exec(line.trim());
    if (from) {
      for (const [re, type, code, name] of ERROR_LINES) {
        if (re.test(from[2]!)) {
          const mtu = /mtu = (\d+)/.exec(from[2]!);
          if (errors.length < 50) errors.push({ type, code, from: from[1]!, name, ...(mtu ? { mtu: Number(mtu[1]) } : {}) });
          break;
        }
      }
      continue;
    }
    const stats = /(\d+) packets transmitted, (\d+) received/.exec(line);
    if (stats) {
      sent = Number(stats[1]);
      received = Number(stats[2]);
      continue;
    }
    const err = /^ping: (.*)$/.exec(line.trim());
    if (err && !reason) reason = err[1]!.slice(0, 200);
  }
  if (sent === 0 && rtts.length > 0) sent = rtts.length;
  if (received === 0 && rtts.length > 0) received = rtts.length;
  const rtt = rtts.length > 0 ? stats(rtts) : null;
  const out: Omit<Echo, 'method'> = { address, sent, received, lossPct: sent > 0 ? Math.round(((sent - received) / sent) * 1000) / 10 : 0, rtt, errors };
  if (reason) out.reason = reason;
  return out;
}

function stats(xs: number[]): NonNullable<Echo['rtt']> {
  const avg = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - avg) ** 2, 0) / xs.length);
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return { min: r(Math.min(...xs)), avg: r(avg), max: r(Math.max(...xs)), stddev: r(sd) };
}

function systemPing(q: IcmpQuery, ctx: ProbeContext): Promise<{ text: string; spawnError: string | null }> {
  return new Promise((resolve) => {
    const waitS = Math.max(0.2, Math.min(2, ctx.budgetMs / 1000 - 0.05 * q.count));
    const args = ['-n', '-c', String(q.count), '-i', '0.05', '-W', waitS.toFixed(2)];
    if (q.address.includes(':')) args.unshift('-6');
    args.push(q.address);
    let text = '';
    let done = false;
    const child = spawn('ping', args, { env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? ''}:/usr/bin:/bin:/usr/sbin:/sbin` } });
    const finish = (spawnError: string | null): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve({ text, spawnError });
    };
    // On abort, SIGINT makes ping print its statistics before it exits.
    const onAbort = (): void => void child.kill('SIGINT');
    ctx.signal.addEventListener('abort', onAbort);
    child.stdout.on('data', (d: Buffer) => (text += d.toString().slice(0, 65536)));
    child.stderr.on('data', (d: Buffer) => (text += d.toString().slice(0, 65536)));
    child.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ENOENT' ? 'ping is not installed' : err.message));
    child.on('close', () => finish(null));
  });
}

export async function run(q: IcmpQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const nat = await native();
  if (nat) {
    const per = Math.max(200, Math.floor(ctx.budgetMs - 50));
    const results = await Promise.all(
      Array.from({ length: q.count }, (_, i) => new Promise<Awaited<ReturnType<typeof nat.icmpEcho>>>((res) => setTimeout(() => res(nat.icmpEcho({ address: q.address, timeoutMs: per - i * 20, seq: i + 1 })), i * 20))),
    );
    const rtts = results.filter((r) => r.outcome === 'reply' && r.rttMs !== null).map((r) => r.rttMs!);
    const errors = results.flatMap((r) => (r.icmp ? [r.icmp] : []));
    const data: Echo = { address: q.address, method: 'raw', sent: q.count, received: rtts.length, lossPct: Math.round(((q.count - rtts.length) / q.count) * 1000) / 10, rtt: rtts.length ? stats(rtts) : null, errors };
    return [observation('icmp.echo', data, performance.now() - t0)];
  }
  const { text, spawnError } = await systemPing(q, ctx);
  const ms = performance.now() - t0;
  if (spawnError) {
    const reason = `${spawnError}; no raw-socket module either`;
    return [
      observation('icmp.echo', { address: q.address, method: 'unavailable', sent: 0, received: 0, lossPct: 0, rtt: null, errors: [], reason }, ms),
      observation('check.unknown', { layer: 'network', check: 'icmp echo', reason }, ms),
    ];
  }
  const parsed = parsePingOutput(text, q.address);
  if (parsed.sent === 0 && parsed.reason && /permission|operation not permitted|socket/i.test(parsed.reason)) {
    const reason = `ping could not open an ICMP socket: ${parsed.reason}`;
    return [
      observation('icmp.echo', { ...parsed, method: 'unavailable', reason }, ms),
      observation('check.unknown', { layer: 'network', check: 'icmp echo', reason }, ms),
    ];
  }
  return [observation('icmp.echo', { ...parsed, method: 'ping' }, ms)];
}
