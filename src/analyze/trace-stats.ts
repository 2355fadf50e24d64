/**
 * From the answers of one flow's probes to mtr-style hops: who answered at each TTL, loss, RTT
 * statistics, and which loss is only a router limiting its own ICMP. Pure functions.
 *
 * ICMP rate limiting (Linux icmp_ratelimit: a burst of about 6 messages, then ~1/s per peer) makes a
 * router that forwards perfectly well look lossy. Its loss is marked `rateLimited` when a later hop
 * (or the target) is clean — the packets did get through it — or when its answers have the shape of
 * a token bucket: every early probe answered, then at most about one per second.
 */
import type { IcmpError, TraceHop } from '../model/observation.js';

export interface ProbeRecord {
  ttl: number;
  /** Send order within the flow (round number). */
  round: number;
  /** ms since the start of the run when the probe was sent. */
  sentAt: number;
  outcome: 'reply' | 'icmp-error' | 'timeout' | 'error';
  from: string | null;
  rttMs: number | null;
  icmp: IcmpError | null;
}

export interface SummaryOptions {
  target: string;
  proto: 'icmp' | 'udp' | 'tcp';
  /** Length of the run in ms (for the ~1/s refill of a router's ICMP budget). */
  durationMs: number;
  /** Loss (%) at or below which a hop counts as clean. */
  cleanPct?: number;
}

/** Answers a token-bucket router gives without any loss: its burst. */
export const ICMP_BURST = 6;
/** Shortest gap between two answers of a router whose burst is spent (Linux refills ~1 token per second; some slack). */
export const REFILL_MS = 800;

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function rttStats(xs: number[]): TraceHop['rtt'] {
  if (xs.length === 0) return null;
  const avg = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - avg) ** 2, 0) / xs.length);
  return { min: round3(Math.min(...xs)), avg: round3(avg), max: round3(Math.max(...xs)), stddev: round3(sd) };
}

const answered = (r: ProbeRecord): boolean => r.outcome === 'reply' || r.outcome === 'icmp-error';

/** A record that came from the target itself (echo reply, SYN-ACK/RST, or its own ICMP error). */
export function fromTarget(r: ProbeRecord, target: string): boolean {
  return r.outcome === 'reply' || (r.from !== null && r.from === target && answered(r));
}

/**
 * The answers of one hop look like a token bucket: a leading run of answered probes (the burst,
 * possibly empty when an earlier run spent it), then answers at most about one per second
 * (the first of them may come sooner: a partly refilled token).
 */
export function burstShaped(recs: ProbeRecord[], durationMs: number): boolean {
  const byRound = [...recs].sort((a, b) => a.round - b.round);
  let lead = 0;
  while (lead < byRound.length && answered(byRound[lead]!)) lead++;
  if (lead === byRound.length) return false;
  const ok = byRound.filter(answered);
  if (ok.length > ICMP_BURST + 1 + Math.ceil(durationMs / 1000)) return false;
  // After the burst, the first answer may come early (a partly refilled token); the rest ~1/s.
  const after = byRound.slice(lead).filter(answered);
  for (let i = 2; i < after.length; i++) if (after[i]!.sentAt - after[i - 1]!.sentAt < REFILL_MS) return false;
  return true;
}

function mostFrequent(addrs: string[]): string | null {
  const n = new Map<string, number>();
  for (const a of addrs) n.set(a, (n.get(a) ?? 0) + 1);
  let best: string | null = null;
  let bestN = 0;
  for (const [a, c] of n) {
    if (c > bestN) {
      best = a;
      bestN = c;
    }
  }
  return best;
}

/** Hops of one flow. Probes beyond the target (or beyond a router that reported unreachable) are dropped. */
export function summarize(records: readonly ProbeRecord[], o: SummaryOptions): { reached: boolean; hops: TraceHop[] } {
  const cleanPct = o.cleanPct ?? 2;
  const sent = records.filter((r) => r.outcome !== 'error');
  const targetTtls = sent.filter((r) => fromTarget(r, o.target)).map((r) => r.ttl);
  const targetTtl = targetTtls.length > 0 ? Math.min(...targetTtls) : null;
  const stopTtls = sent.filter((r) => r.outcome === 'icmp-error' && r.icmp && r.icmp.name !== 'time-exceeded' && r.from !== o.target).map((r) => r.ttl);
  const stopTtl = stopTtls.length > 0 ? Math.min(...stopTtls) : null;
  const answeredTtls = sent.filter(answered).map((r) => r.ttl);
  const lastAnswer = answeredTtls.length > 0 ? Math.max(...answeredTtls) : 0;
  const maxSent = sent.length > 0 ? Math.max(...sent.map((r) => r.ttl)) : 0;
  // The last row: the target, the router that said unreachable, or one silent row after the last answer.
  const last = targetTtl ?? stopTtl ?? Math.min(maxSent, lastAnswer + 1);
  const hops: TraceHop[] = [];
  for (let ttl = 1; ttl <= last; ttl++) {
    const at = sent.filter((r) => r.ttl === ttl);
    if (at.length === 0) continue;
    const ok = at.filter(answered);
    const froms = ok.map((r) => r.from).filter((a): a is string => a !== null);
    const isTarget = targetTtl === ttl;
    const err = ok.find((r) => r.icmp && r.icmp.name !== 'time-exceeded' && !(o.proto === 'udp' && r.from === o.target && r.icmp.name === 'port-unreachable'))?.icmp;
    const hop: TraceHop = {
      ttl,
      addr: isTarget ? o.target : mostFrequent(froms),
      addrs: [...new Set(froms)],
      sent: at.length,
      recv: ok.length,
      lossPct: Math.round(((at.length - ok.length) / at.length) * 1000) / 10,
      rtt: rttStats(ok.map((r) => r.rttMs).filter((x): x is number => x !== null)),
      rateLimited: false,
      target: isTarget,
    };
    if (err) hop.icmp = err;
    hops.push(hop);
  }
  // Rate limiting: loss that does not carry on to a later hop, or the shape of a token bucket.
  // The target's own echo replies and SYN-ACKs are not rate limited; its UDP port-unreachables are.
  for (const h of hops) {
    if (h.lossPct <= cleanPct || h.recv === 0) continue;
    const canLimit = !h.target || o.proto === 'udp';
    if (!canLimit) continue;
    const laterClean = hops.some((l) => l.ttl > h.ttl && l.recv > 0 && l.lossPct <= cleanPct);
    const shaped = burstShaped(
      sent.filter((r) => r.ttl === h.ttl),
      o.durationMs,
    );
    h.rateLimited = laterClean || shaped;
  }
  return { reached: targetTtl !== null, hops };
}

/** The first hop whose loss is real and carries on to the target, when the target sees loss. */
export function firstLossyHop(hops: readonly TraceHop[], cleanPct = 2): TraceHop | null {
  const end = hops[hops.length - 1];
  if (!end || !end.target || end.recv === 0 || end.lossPct <= cleanPct || end.rateLimited) return null;
  return hops.find((h) => h.recv > 0 && h.lossPct > cleanPct && !h.rateLimited) ?? end;
}

/** The last hop that answered (the blackhole is beyond it), null when none did. */
export function lastResponding(hops: readonly TraceHop[]): TraceHop | null {
  for (let i = hops.length - 1; i >= 0; i--) if (hops[i]!.recv > 0) return hops[i]!;
  return null;
}
