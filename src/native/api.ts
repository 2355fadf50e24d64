/**
 * The contract of the raw-network module (src/native): what probes may ask of it.
 * Implemented by a small N-API addon (raw ICMP, IP_RECVERR); `loadNative()` returns null
 * when the addon is not built or the process lacks CAP_NET_RAW, and callers fall back.
 */
import type { IcmpError } from '../model/observation.js';
import type { RawTcpInfo } from './addon.js';

export interface TcpInfo {
  rttUs: number;
  rttVarUs: number;
  retransmits: number;
  totalRetrans: number;
  sndMss: number;
  rcvMss: number;
  pmtu: number;
}

export interface NativeTcpResult {
  /** open: handshake done; refused: RST; timeout: no answer; icmp: an ICMP error ended the connect; error: local error (errno) */
  outcome: 'open' | 'refused' | 'timeout' | 'icmp' | 'error';
  errno: string | null;
  icmp: IcmpError | null;
  ms: number;
  tcpInfo: TcpInfo | null;
  /** What the peer did while the open connection was watched (only when the connect asked for a watch). */
  after?: AfterEvent;
}

/** What an open connection did while it was watched without sending: reset, closed, sent data, or nothing. */
export interface AfterEvent {
  event: 'rst' | 'fin' | 'data' | 'quiet';
  /** When, counted from the start of the watch. */
  ms: number;
  /** The bytes that came (event 'data'). */
  bytes?: number;
}

/**
 * After an open handshake, watch the same connection without sending, for `rtts` × the kernel's
 * smoothed RTT of the handshake (TCP_INFO, which a stalled event loop cannot inflate), at least
 * `minMs` and at most `maxMs`; `maxBytes` of data end it sooner.
 */
export interface AfterWatch {
  minMs: number;
  rtts: number;
  maxMs: number;
  maxBytes: number;
}

export interface TcpConnectOptions {
  address: string;
  port: number;
  timeoutMs: number;
  ttl?: number;
  source?: string;
  /** Watch the open connection before closing it (the reset-after-connect check). */
  after?: AfterWatch;
  /** Ends the connect (as a timeout) and the watch (as quiet). */
  signal?: AbortSignal;
  /** Told the connect's result as soon as it is known, before the watch (`after`) begins. */
  onAnswer?: (r: NativeTcpResult) => void;
}

export interface NativeEchoResult {
  /** 'reply' from the target, 'icmp-error' (time exceeded, unreachable …) from a router, or 'timeout' */
  outcome: 'reply' | 'icmp-error' | 'timeout' | 'error';
  from: string | null;
  rttMs: number | null;
  icmp: IcmpError | null;
  errno: string | null;
}

export interface NativeApi {
  tcpConnect(opts: TcpConnectOptions): Promise<NativeTcpResult>;
  icmpEcho(opts: { address: string; timeoutMs: number; ttl?: number; size?: number; df?: boolean; ident?: number; seq?: number; mark?: number }): Promise<NativeEchoResult>;
}

/** An open connection made by tcpOpen. */
export interface TcpConn {
  fd: number;
  info(): RawTcpInfo;
  /** Bytes queued, or the errno name. */
  send(data: Buffer): number | string;
  /** Pending socket error ('' when none). */
  error(): string;
  /** Reads what the peer sent: data, 'eof' (the peer closed), null (nothing now), or the errno name. */
  read(): Buffer | 'eof' | null | string;
  close(): void;
}

export interface OpenResult extends NativeTcpResult {
  conn: TcpConn | null;
}

/** One raw probe (trace, PMTU): see src/native/probe.ts. */
export type { ProbeSpec, ProbeReply } from './probe.js';

/**
 * What the raw-network module offers beyond the contract above (trace, PMTU, bulk tests).
 * `size` in icmpEcho is the total IP packet size in bytes (default 84 / 104, ping's 56 data bytes).
 */
export interface NativeRawApi extends NativeApi {
  /** Sends one raw ICMP/UDP/TCP-SYN probe with TTL, size and DF; resolves with the answer. */
  probe(spec: import('./probe.js').ProbeSpec): Promise<import('./probe.js').ProbeReply>;
  /** The source address the kernel picks for dst, or null without a route. */
  routeSource(dst: string): string | null;
  /** A kernel TCP connection kept open (caller closes `conn`). */
  tcpOpen(opts: { address: string; port: number; timeoutMs: number; ttl?: number; source?: string; signal?: AbortSignal }): Promise<OpenResult>;
  /** A fresh probe identifier (ICMP ident, port offset …), unique in this process. */
  nextId(): number;
}
