/**
 * Everything the engine needs from the outside world, as one seam: collectors, probes and
 * analyzers come in through `EngineDeps`, so the engine itself is tested with fakes.
 */
import type { Layer } from '../model/layer.js';
import type { Observation, ObservationData } from '../model/observation.js';
import type { Snapshot } from '../model/snapshot.js';
import type { ProbeContext } from '../probes/types.js';
import type { DiagnoseOptions } from '../model/options.js';
import type { TunnelProbes } from './tunnel.js';

type Obs = Observation[];

/** Everything the engine needs from the outside world. */
export interface EngineDeps {
  snapshot(): Promise<Snapshot>;
  /**
   * The listening sockets, when snapshot() left them out (optional): asked for only when a
   * connect was refused, so TCP-001 can say whether this machine listens on that port.
   */
  listening?(): Promise<Snapshot['listening']>;
  /** The configured resolvers, read ahead of the snapshot so the DNS queries start at once (optional; null: unreadable). */
  nameservers?(): Promise<string[] | null>;
  systemLookup(name: string, ctx: ProbeContext): Promise<Obs>;
  dnsQuery(q: { server: string; name: string; qtype: 'A' | 'AAAA' }, ctx: ProbeContext): Promise<Obs>;
  /** The kernel's route (`ip route get`); with a mark, as packets carrying that firewall mark are routed. */
  routeLookup(dst: string | { destination: string; mark?: string }, ctx: ProbeContext): Promise<Obs>;
  gateway(q: { gateway: string; dev: string }, ctx: ProbeContext): Promise<Obs>;
  icmp(q: { address: string; count: number; mark?: number }, ctx: ProbeContext): Promise<Obs>;
  /** `onAnswer`: told the connect's outcome as soon as it is known, before the after-connect watch (the flow spread starts then). */
  tcp(q: { address: string; port: number; afterMs: number; onAnswer?: (outcome: string) => void }, ctx: ProbeContext): Promise<Obs>;
  tls(q: TlsQuery, ctx: ProbeContext): Promise<Obs>;
  tlsVersions(q: { address: string; port: number; sni: string | null; min: string; max: string }, ctx: ProbeContext): Promise<Obs>;
  http(q: { url: string; address: string; servername: string | null }, ctx: ProbeContext): Promise<Obs>;
  proxyConnect(q: { host: string; port: number }, ctx: ProbeContext): Promise<Obs>;
  /** Route analyzer over the snapshot: fills route.lookup candidates/rules (optional). */
  explainRoute?(s: Snapshot, dst: string, opts?: { mark?: number }): Pick<ObservationData['route.lookup'], 'candidates' | 'rules'> | null;
  /** Firewall evaluator over the snapshot (optional). */
  firewallVerdict?(s: Snapshot, flow: FirewallFlow): ObservationData['firewall.verdict'] | null;
  /** mtr-style path trace: run when the target does not answer, to find where packets die. */
  trace?(q: { address: string; proto: 'icmp' | 'tcp'; port: number | null; count: number; flows?: number[] }, ctx: ProbeContext): Promise<Obs>;
  /** Flow spread: SYNs from several source ports at once, beside the connect, to see per-flow balancing over a broken member. */
  spread?(q: { address: string; port: number }, ctx: ProbeContext): Promise<Obs>;
  /**
   * Path-MTU search: the full search with the TCP large-payload test when a TLS handshake
   * stalls over an open TCP connection; `quick`: the ICMP search alone, beside every
   * network-layer walk, so a blackhole the handshake does not touch is found too.
   */
  pmtu?(q: { address: string; port: number | null; quick?: boolean; dev?: string }, ctx: ProbeContext): Promise<Obs>;
  /**
   * The kernel's kind of one interface ('wireguard', 'tun' …; null: a plain device), asked at once;
   * undefined when it cannot say, and then the walk reads the snapshot's links (optional).
   */
  linkKind?(dev: string): string | null | undefined;
  /** Transport and application tests the user asked for: idle hold, backlog, heartbeat. */
  idle?(q: { address: string; port: number; maxSec: number }, ctx: ProbeContext): Promise<Obs>;
  backlog?(q: { address: string; port: number; parallel: number }, ctx: ProbeContext): Promise<Obs>;
  heartbeat?(q: { address: string; port: number; tls: boolean; servername: string | null; spec: NonNullable<DiagnoseOptions['heartbeat']> }, ctx: ProbeContext): Promise<Obs>;
  /** Both ends of the wire: what a netdx responder next to the server sees. */
  responder?(q: NonNullable<DiagnoseOptions['responder']>, ctx: ProbeContext): Promise<Obs>;
  /** `iptables-save -c` / `ip6tables-save -c` now: read before and after a failed flow is sent again, to see which rule's counters it moved (optional). */
  firewallCounters?(): Promise<{ v4: string | null; v6: string | null }>;
  /** The tunnel layer's own probes (OpenVPN reset, `wg show`, DF ping); inert when absent. */
  tunnelProbes?: TunnelProbes;
  now(): Date;
}

export interface TlsQuery {
  address: string;
  port: number;
  sni: string | null;
  hostname: string;
  options: DiagnoseOptions;
  /** Time for the handshake once connected (the probe's budget also covers its own connect). */
  handshakeMs?: number;
}

export interface FirewallFlow {
  chain: 'OUTPUT' | 'INPUT' | 'FORWARD';
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  src: string | null;
  dst: string;
  dport: number | null;
  oif?: string;
}

export type ProgressFn = (layer: Layer, phase: 'start' | 'done') => void;
