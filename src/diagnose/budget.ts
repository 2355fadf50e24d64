/**
 * Time budgets derived from measured RTT: a LAN target never waits for 5-second default
 * timeouts, a slow WAN target still gets enough time. All values in ms.
 */
export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export interface Budgets {
  dnsQuery: number;
  tcpConnect: number;
  icmp: number;
  gateway: number;
  tls: number;
  http: number;
  afterConnect: number;
}

/**
 * `rttMs` is the best RTT estimate so far (null before any measurement); `totalMs` the
 * user's overall --timeout. TCP gets one SYN retransmission (Linux: 1 s) plus RTT slack,
 * so a single lost SYN is not mistaken for a filtered port.
 */
export function budgets(rttMs: number | null, totalMs: number): Budgets {
  const rtt = rttMs ?? 50;
  const cap = (v: number): number => Math.min(v, Math.max(200, totalMs));
  return {
    dnsQuery: cap(clamp(300 + 8 * rtt, 800, 2000)),
    tcpConnect: cap(clamp(1150 + 8 * rtt, 1150, 3500)),
    icmp: cap(clamp(600 + 8 * rtt, 700, 2500)),
    gateway: cap(clamp(200 + 8 * rtt, 300, 1000)),
    tls: cap(clamp(1500 + 10 * rtt, 1500, 5000)),
    http: cap(clamp(1500 + 10 * rtt, 1500, 5000)),
    afterConnect: clamp(4 * rtt, 100, 300),
  };
}
