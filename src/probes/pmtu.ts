/**
 * Path MTU: the largest packet with DF set that reaches the target (ICMP echo), found by a search
 * that probes many sizes at once per round (three rounds cover 68…9000 bytes), plus a TCP test
 * that sends a large payload over a real connection and watches whether full-size segments are
 * acknowledged. A router's "fragmentation needed"/"packet too big" is recorded when it comes back:
 * its absence while large packets vanish is the PMTU blackhole (NET-009).
 *
 * Without raw sockets it searches with the system `ping -M do` (one size at a time, slower).
 */
import { defaultExec } from '../system/exec.js';
import { deviceLink } from '../system/route-get.js';
import { routeNetlink } from '../native/addon.js';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { loadNative, nativeUnavailable } from '../native/index.js';
import type { NativeRawApi } from '../native/api.js';
import type { ProbeContext } from './types.js';

export interface PmtuQuery {
  address: string;
  /** The egress device when the caller already asked the kernel's route (saves an `ip route get`). */
  dev?: string;
  /** A TCP port of the target for the large-payload test (null: ICMP search only). */
  port?: number | null;
  /**
   * The quick check run beside every network-layer walk: raw sockets only (no sequential `ping`
   * fallback, which takes seconds against a blackhole), ICMP only, and a target that does not
   * answer echo is no `unknown` (the echo probe already says so).
   */
  quick?: boolean;
}

type Pmtu = ObservationData['pmtu.search'];
type TcpTest = NonNullable<Pmtu['tcp']>;

/** Sizes probed per round. */
const PER_ROUND = 12;
const MIN_SIZE = { 4: 68, 6: 1280 } as const;

/** The egress device of the route to `address` and its MTU (`ip -j route get`, /sys). */
export async function egress(address: string, signal?: AbortSignal, known?: string): Promise<{ dev: string | null; mtu: number | null }> {
  let dev: string | null = known ?? null;
  const r = known ? null : await defaultExec('ip', ['-j', 'route', 'get', address], { timeoutMs: 1000, ...(signal ? { signal } : {}) });
  if (r?.code === 0) {
    try {
      dev = (JSON.parse(r.stdout) as Array<{ dev?: string }>)[0]?.dev ?? null;
    } catch {
      dev = null;
    }
  }
  if (!dev || !/^[\w.@:-]{1,32}$/.test(dev)) return { dev: null, mtu: null };
  // The kernel asked in-process: right in any network namespace (sysfs shows the one it was mounted
  // in), and no thread-pool round trips (~50 ms when the pool is busy at a walk's start).
  const nl = routeNetlink();
  const link = nl ? deviceLink(nl, dev) : undefined;
  if (link && link.mtu !== null) return { dev, mtu: link.mtu };
  try {
    const mtu = Number((await readFile(`/sys/class/net/${dev}/mtu`, 'utf8')).trim());
    return { dev, mtu: Number.isFinite(mtu) && mtu > 0 ? mtu : null };
  } catch {
    return { dev, mtu: null };
  }
}

/** Sizes strictly between lo and hi, evenly spread (at most n). */
export function spread(lo: number, hi: number, n: number): number[] {
  const gap = hi - lo - 1;
  if (gap <= 0) return [];
  if (gap <= n) return Array.from({ length: gap }, (_, i) => lo + 1 + i);
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((i + 1) * (hi - lo)) / (n + 1)));
}

interface SearchState {
  lo: number; // largest size known to pass
  hi: number; // smallest size known to fail
  fragNeeded: { from: string; mtu: number } | null;
  probes: number;
}

/**
 * The search itself, over a `probe(size) → 'pass' | 'fail' | {mtu, from}` function: each round
 * probes up to PER_ROUND sizes at once and keeps the interval [largest pass, smallest fail].
 * A frag-needed MTU is tried exactly in the next round. Pure apart from the probe function.
 */
export async function search(
  lo: number,
  hi: number,
  probe: (size: number) => Promise<'pass' | 'fail' | { from: string; mtu: number }>,
  signal: AbortSignal,
  first: number | null = null,
): Promise<SearchState> {
  const s: SearchState = { lo, hi, fragNeeded: null, probes: 0 };
  // `first` (the interface MTU) is tried in the first round: on a clean path that round ends the search.
  let hint: number | null = first;
  while (s.hi - s.lo > 1 && !signal.aborted) {
    const sizes = new Set(spread(s.lo, s.hi, PER_ROUND));
    if (hint !== null && hint > s.lo && hint < s.hi) sizes.add(hint);
    hint = null;
    const results = await Promise.all([...sizes].map(async (size) => ({ size, r: await probe(size) })));
    s.probes += results.length;
    for (const { r } of results) {
      if (typeof r === 'object') {
        s.fragNeeded = r;
        hint = r.mtu;
      }
    }
    s.lo = Math.max(s.lo, ...results.filter((x) => x.r === 'pass').map((x) => x.size));
    // A failure below a pass is a lost probe, not a size limit: only failures above the largest pass count.
    const fails = results.filter((x) => x.r !== 'pass' && x.size > s.lo).map((x) => x.size);
    s.hi = Math.min(s.hi > s.lo ? s.hi : hi, ...fails);
    if (s.hi <= s.lo) s.hi = Math.max(hi, s.lo + 1);
  }
  return s;
}

function rawProbe(nat: NativeRawApi, address: string, src: string, timeoutMs: number, signal: AbortSignal): (size: number) => Promise<'pass' | 'fail' | { from: string; mtu: number }> {
  return async (size) => {
    // Two copies: a single lost packet must not look like "too big".
    const send = (): ReturnType<NativeRawApi['probe']> => nat.probe({ proto: 'icmp', dst: address, src, ttl: 64, timeoutMs, size, df: true, flow: nat.nextId(), id: 1, signal });
    const rs = await Promise.all([send(), send()]);
    if (rs.some((r) => r.outcome === 'reply')) return 'pass';
    const fn = rs.find((r) => r.icmp?.mtu !== undefined && (r.icmp.name === 'frag-needed' || r.icmp.name === 'packet-too-big'));
    if (fn?.icmp?.mtu) return { from: fn.icmp.from, mtu: fn.icmp.mtu };
    return 'fail';
  };
}

/** The TCP large-payload test: does a full-size segment get acknowledged? */
async function tcpTest(nat: NativeRawApi, address: string, port: number, budgetMs: number, signal: AbortSignal): Promise<TcpTest> {
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  const r = await nat.tcpOpen({ address, port, timeoutMs: Math.min(budgetMs, 1500), signal });
  if (r.outcome !== 'open' || !r.conn) return { port, outcome: 'connect-failed', mss: null, pmtu: null, bytesSent: 0, bytesAcked: 0, retransmits: 0, ms: ms(), reason: r.errno ?? r.outcome };
  const conn = r.conn;
  try {
    const rtt = Math.max(1, (r.tcpInfo?.rttUs ?? 1000) / 1000);
    const payload = Buffer.alloc(64 * 1024, 0x41);
    const sent = conn.send(payload);
    const bytesSent = typeof sent === 'number' ? sent : 0;
    // Long enough for two retransmission timeouts (min RTO 200 ms) on a short path.
    const deadline = performance.now() + Math.min(Math.max(700, 20 * rtt), Math.max(300, budgetMs - ms()));
    let info = conn.info();
    while (performance.now() < deadline && !signal.aborted) {
      info = conn.info();
      if (info.bytesAcked >= Math.min(bytesSent, 2 * info.sndMss) && info.bytesAcked > 0) break;
      if (conn.error() !== '') break;
      await new Promise((res) => setTimeout(res, Math.max(5, Math.min(50, rtt))));
    }
    const acked = Math.max(0, info.bytesAcked - 1); // bytes_acked counts the SYN
    const passed = acked >= Math.min(bytesSent, info.sndMss);
    return { port, outcome: passed ? 'passed' : 'stalled', mss: info.sndMss, pmtu: info.pmtu, bytesSent, bytesAcked: acked, retransmits: info.totalRetrans, ms: ms() };
  } finally {
    conn.close();
  }
}

async function rawPmtu(nat: NativeRawApi, q: PmtuQuery, ctx: ProbeContext, base: Pmtu): Promise<Pmtu> {
  const src = nat.routeSource(q.address);
  if (!src) return { ...base, reason: `no route to ${q.address}` };
  const fam = q.address.includes(':') ? 6 : 4;
  const small = await nat.probe({ proto: 'icmp', dst: q.address, src, ttl: 64, timeoutMs: Math.min(1000, ctx.budgetMs), size: MIN_SIZE[fam], df: true, flow: nat.nextId(), id: 1, signal: ctx.signal });
  const tcpP = q.port ? tcpTest(nat, q.address, q.port, ctx.budgetMs, ctx.signal) : Promise.resolve(null);
  if (small.outcome !== 'reply') {
    return { ...base, probes: 1, tcp: await tcpP, reason: `${q.address} does not answer ICMP echo (${small.icmp?.name ?? small.outcome}): the ICMP search cannot run` };
  }
  const timeoutMs = Math.min(1000, Math.max(150, 8 * (small.rttMs ?? 10)));
  const hi = (base.ifMtu ?? 1500) + 1;
  const probe = rawProbe(nat, q.address, src, timeoutMs, ctx.signal);
  // Quick: one full-size probe first; on a clean path (or one that answers frag-needed) that is all
  // the traffic it adds beside the echoes.
  if (q.quick) {
    const full = await probe(hi - 1);
    if (full === 'pass') return { ...base, largestPass: hi - 1, smallestFail: null, fragNeeded: null, probes: 2, tcp: await tcpP };
    if (typeof full === 'object')
      return {
        ...base,
        largestPass: null,
        smallestFail: hi - 1,
        fragNeeded: full,
        probes: 2,
        tcp: await tcpP,
        reason: `${full.from} reports fragmentation needed (MTU ${full.mtu}): path MTU discovery works`,
      };
  }
  const s = await search(MIN_SIZE[fam], hi, probe, ctx.signal, q.quick ? null : hi - 1);
  let smallestFail = s.hi >= hi ? null : s.hi;
  let probes = s.probes + 1;
  let reason: string | undefined;
  // A size limit without frag-needed is confirmed once more: on a lossy path two lost copies of a
  // large probe are not a limit. Three more tries of the smallest failing size and of the
  // interface MTU; any that passes makes the limit loss.
  if (smallestFail !== null && s.fragNeeded === null && !ctx.signal.aborted) {
    const again = [smallestFail, smallestFail, hi - 1];
    const rs = await Promise.all(again.map((size) => probe(size)));
    probes += again.length;
    if (rs.some((r) => r === 'pass')) {
      reason = `sizes above ${s.lo} bytes were lost only sometimes: loss, not a size limit`;
      smallestFail = null;
    }
  }
  return { ...base, largestPass: s.lo, smallestFail, fragNeeded: s.fragNeeded, probes, tcp: await tcpP, ...(reason ? { reason } : {}) };
}

/** Fallback: `ping -M do -s N`, one size at a time. */
function pingOnce(address: string, size: number, signal: AbortSignal): Promise<'pass' | 'fail' | { from: string; mtu: number }> {
  const six = address.includes(':');
  const data = size - (six ? 48 : 28);
  return defaultExec('ping', [six ? '-6' : '-4', '-n', '-c', '1', '-W', '1', '-M', 'do', '-s', String(Math.max(0, data)), address], { timeoutMs: 2000, signal }).then(({ stdout, stderr }) => {
    const text = `${stdout}${stderr}`;
    if (/bytes from/.test(text)) return 'pass';
    const m = /From (\S+).*(?:Frag needed|Packet too big).*mtu = (\d+)/i.exec(text) ?? /local error: message too long, mtu=(\d+)/i.exec(text);
    if (m && m.length === 3) return { from: m[1]!, mtu: Number(m[2]) };
    return 'fail';
  });
}

export async function run(q: PmtuQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const { dev, mtu } = await egress(q.address, ctx.signal, q.dev);
  const base: Pmtu = { target: q.address, method: 'raw', largestPass: null, smallestFail: null, fragNeeded: null, ifMtu: mtu, dev, probes: 0, tcp: null };
  const nat = loadNative();
  let data: Pmtu;
  if (q.quick) {
    const quick = { ...q, port: null };
    data = nat ? await rawPmtu(nat, quick, ctx, base) : { ...base, method: 'unavailable', reason: `${nativeUnavailable() ?? 'no raw sockets'}: the quick path-MTU check needs the raw-socket module` };
    return [observation('pmtu.search', data, performance.now() - t0)];
  }
  if (nat) {
    data = await rawPmtu(nat, q, ctx, base);
  } else {
    const fam = q.address.includes(':') ? 6 : 4;
    const first = await pingOnce(q.address, MIN_SIZE[fam], ctx.signal);
    if (first !== 'pass') {
      data = { ...base, method: 'unavailable', reason: `${nativeUnavailable() ?? 'no raw sockets'}; ping -M do ${q.address} got no answer` };
    } else {
      // ping is sequential: plain bisection.
      let lo: number = MIN_SIZE[fam];
      let hi = (mtu ?? 1500) + 1;
      let frag: Pmtu['fragNeeded'] = null;
      let probes = 1;
      while (hi - lo > 1 && !ctx.signal.aborted) {
        const mid = Math.floor((lo + hi) / 2);
        const r = await pingOnce(q.address, mid, ctx.signal);
        probes++;
        if (r === 'pass') lo = mid;
        else {
          hi = mid;
          if (typeof r === 'object') frag = r;
        }
      }
      data = {
        ...base,
        method: 'ping',
        largestPass: lo,
        smallestFail: hi > (mtu ?? 1500) ? null : hi,
        fragNeeded: frag,
        probes,
        reason: `${nativeUnavailable() ?? 'no raw sockets'}: searched with ping -M do; the TCP large-payload test needs the raw-socket module`,
      };
    }
  }
  const ms = performance.now() - t0;
  const out: Observation[] = [observation('pmtu.search', data, ms)];
  if (data.method === 'unavailable' || data.largestPass === null) out.push(observation('check.unknown', { layer: 'network', check: 'path MTU', reason: data.reason ?? 'path MTU not measured' }, ms));
  return out;
}
