/**
 * One ICMP echo of an exact IP packet size with Don't Fragment set: does it pass, is it lost, or
 * does someone (a router, or the local stack from a cached path MTU) say it is too big? Raw
 * socket when the native module is available, else `ping -M do -s N`. Used by the tunnel MTU
 * check (VPN-006) against the tunnel endpoint and through the tunnel.
 */
import { defaultExec } from '../system/exec.js';
import type { ProbeContext } from './types.js';
import { native } from './native.js';
import { parsePingOutput } from './ping-output.js';

export interface DfPingQuery {
  address: string;
  /** Whole IP packet size in bytes. */
  size: number;
  timeoutMs: number;
  /** Firewall mark (SO_MARK / ping -m), e.g. a WireGuard fwmark. */
  mark?: number;
}

export interface DfPingResult {
  outcome: 'pass' | 'lost' | 'too-big' | 'error';
  /** The MTU a frag-needed / packet-too-big / local EMSGSIZE named. */
  mtu?: number;
  /** Who said too big (a router's address; 'local' for the sending host). */
  from?: string;
  method: 'raw' | 'ping';
  reason?: string;
}

/** iputils output of one `ping -M do` → result. Pure. */
export function parseDfPing(text: string, address: string): Omit<DfPingResult, 'method'> {
  const local = /local error: message too long, mtu[= ]+(\d+)/i.exec(text) ?? /sendmsg: Message too long/i.exec(text);
  if (local) return local[1] ? { outcome: 'too-big', mtu: Number(local[1]), from: 'local' } : { outcome: 'too-big', from: 'local' };
  const s = parsePingOutput(text, address);
  if (s.received > 0) return { outcome: 'pass' };
  const big = s.errors.find((e) => e.name === 'frag-needed' || e.name === 'packet-too-big');
  if (big) return { outcome: 'too-big', from: big.from, ...(big.mtu ? { mtu: big.mtu } : {}) };
  if (s.sent === 0 && s.reason) return { outcome: 'error', reason: s.reason };
  return { outcome: 'lost' };
}

async function pingOnce(q: DfPingQuery, signal: AbortSignal): Promise<string> {
  const six = q.address.includes(':');
  const payload = Math.max(0, q.size - (six ? 48 : 28));
  const args = ['-n', '-c', '1', '-M', 'do', '-s', String(payload), '-W', Math.max(0.2, q.timeoutMs / 1000).toFixed(2), ...(q.mark ? ['-m', String(q.mark)] : []), q.address];
  if (six) args.unshift('-6');
  // ping's own -W bounds the wait; the probe's signal ends it early, the deadline is a backstop.
  const r = await defaultExec('ping', args, { signal, timeoutMs: q.timeoutMs + 1000 });
  if (r.failure === 'ENOENT') return 'ping: not installed';
  return `${r.stdout.slice(0, 8192)}${r.stderr.slice(0, 8192)}`;
}

export async function dfPing(q: DfPingQuery, ctx: ProbeContext): Promise<DfPingResult> {
  const nat = await native();
  if (nat) {
    const r = await nat.icmpEcho({ address: q.address, timeoutMs: q.timeoutMs, size: q.size, df: true, ...(q.mark ? { mark: q.mark } : {}) });
    if (r.outcome === 'reply') return { outcome: 'pass', method: 'raw' };
    if (r.outcome === 'icmp-error' && r.icmp && (r.icmp.name === 'frag-needed' || r.icmp.name === 'packet-too-big'))
      return { outcome: 'too-big', from: r.icmp.from, ...(r.icmp.mtu ? { mtu: r.icmp.mtu } : {}), method: 'raw' };
    if (r.outcome === 'error' && r.errno === 'EMSGSIZE') return { outcome: 'too-big', from: 'local', method: 'raw' };
    if (r.outcome === 'timeout' || r.outcome === 'icmp-error') return { outcome: 'lost', method: 'raw' };
    // Any other local error: let ping try (it knows the cached path MTU).
  }
  return { ...parseDfPing(await pingOnce(q, ctx.signal), q.address), method: 'ping' };
}

/** The probe convention's name (run(query, ctx)), for the namespace test harness. */
export { dfPing as run };
