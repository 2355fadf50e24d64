/**
 * The compiled addon (native/netdx_raw.c, built by `npm ci` through node-gyp): thin, non-blocking
 * socket system calls and a libuv poll watcher. Everything above the system calls — packets,
 * matching, timing — is TypeScript in this folder.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RecvResult {
  data?: Buffer;
  truncated?: boolean;
  address?: string;
  port?: number;
  /** TTL / hop limit of the received packet (IP_RECVTTL / IPV6_RECVHOPLIMIT), -1 when not asked for. */
  ttl?: number;
  /** An error-queue entry (IP_RECVERR): the ICMP error that the kernel matched to this socket. */
  ee?: { errno: string; origin: number; type: number; code: number; info: number; offender?: string };
  /** recvmsg failed with this error (a pending socket error is consumed this way). */
  errno?: string;
  /** How long ago the kernel received the packet (SO_TIMESTAMPNS set on the socket; older addons omit it). */
  ageMs?: number;
}

export interface RawTcpInfo {
  state: number;
  rttUs: number;
  rttVarUs: number;
  retransmits: number;
  totalRetrans: number;
  sndMss: number;
  rcvMss: number;
  pmtu: number;
  unacked: number;
  lost: number;
  bytesAcked: number;
  bytesSent: number;
  bytesRetrans: number;
  /** The MSS this end advertised in its SYN / SYN-ACK (tcpi_advmss). */
  advMss: number;
}

export type WatchHandle = { readonly __watch: unique symbol };

export interface NativeLoadSpec {
  address: string;
  port: number;
  /** 1: send `request` and read the answer to EOF; 0: connect only. */
  http: number;
  request: Buffer;
  connections: number;
  /** Launches per second; 0: closed loop (keep `connections` in flight). */
  rate: number;
  durationMs: number;
  timeoutMs: number;
  maxAttempts: number;
}
export interface NativeLoadResult {
  /** 6 numbers per attempt (see attemptsOf in src/load/runner.ts). */
  records: Float64Array;
  errors: string[];
  missed: number;
}
declare const loadHandle: unique symbol;
export type LoadHandle = { readonly [loadHandle]: true };

export interface RawAddon {
  socket(family: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: number): void;
  bind(fd: number, address: string, port: number): void;
  /** '' when connected, 'EINPROGRESS' while pending, else the errno name. */
  connect(fd: number, address: string, port: number): string;
  /** Bytes sent, or the errno name. ttl/df: -1 leaves the socket's setting; df 1 = DF set (PMTU probe), 0 = may fragment. */
  sendto(fd: number, data: Buffer, address: string, port: number, ttl: number, df: number): number | string;
  send(fd: number, data: Buffer): number | string;
  /** null when nothing is queued. */
  recv(fd: number, errqueue: boolean): RecvResult | null;
  soError(fd: number): string;
  tcpInfo(fd: number): RawTcpInfo;
  /** The SYN that opened an accepted connection (IP + TCP headers; the listener needs TCP_SAVE_SYN), null when none was saved, or the errno name. */
  savedSyn(fd: number): Buffer | null | string;
  sockname(fd: number): { address: string; port: number };
  close(fd: number): void;
  watch(fd: number, events: number, cb: (status: number, events: number) => void): WatchHandle;
  unwatch(h: WatchHandle): void;
  /**
   * Discards what a TCP socket receives (recv MSG_TRUNC on a thread of libuv's pool, on a dup of fd)
   * until `bytes`, EOF, an error, or `idleMs` without data. Stop node reading the socket first.
   */
  sink(fd: number, bytes: number, idleMs: number): Promise<{ received: number; eof: boolean; error?: string }>;
  /** Ends every running sink of the process within 100 ms (a server shutting down). */
  sinkAbortAll(): void;
  /** The load generator's C engine (native/load.c) on a pool thread; see src/load/runner.ts. */
  loadStart(o: NativeLoadSpec): { handle: LoadHandle; done: Promise<NativeLoadResult> };
  /** [attempts, ok, failed, inFlight] so far. */
  loadProgress(h: LoadHandle): number[];
  /** No more launches; the attempts in flight finish. */
  loadAbort(h: LoadHandle): void;
  /**
   * One request to the kernel over a fresh netlink socket (`protocol`: NETLINK_ROUTE…): the whole
   * answer as one Buffer, or the errno name of the system call that failed. Blocks for microseconds;
   * each receive is bounded by `timeoutMs`. Missing from an addon built before it.
   */
  netlink?(protocol: number, request: Buffer, timeoutMs: number): Buffer | string;
  /**
   * posix_spawnp of argv[0] = file in a process group of its own, stdio on /dev/null: its pid and a
   * pidfd that polls readable when it exits (-1 without pidfd_open), or the errno name. Missing from
   * an addon built before it.
   */
  spawn?(file: string, argv: string[], env: string[]): { pid: number; pidfd: number } | string;
  /** waitpid(pid, WNOHANG): null while it runs, its exit code or signal number once it has exited. */
  reap?(pid: number): { code: number | null; signal: number | null } | null;
  constants: Record<string, number>;
}

let cached: RawAddon | null | undefined;
let loadError: string | null = null;

/** Candidate locations of the built addon, relative to this file in dist/native or src/native. */
function candidates(): string[] {
  const rel = ['../../build/Release/netdx_raw.node', '../../build/Debug/netdx_raw.node'];
  return rel.map((r) => fileURLToPath(new URL(r, import.meta.url)));
}

/** The addon, or null when it is not built / cannot load (never throws). */
export function loadAddon(): RawAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.platform !== 'linux') {
    loadError = 'the raw-socket addon is Linux-only';
    return cached;
  }
  const path = candidates().find((p) => existsSync(p));
  if (!path) {
    loadError = 'the raw-socket addon is not built (npm ci builds it with node-gyp)';
    return cached;
  }
  try {
    cached = createRequire(import.meta.url)(path) as RawAddon;
  } catch (err) {
    loadError = `the raw-socket addon did not load: ${err instanceof Error ? err.message : String(err)}`;
  }
  return cached;
}

/** Why loadAddon() returned null. */
export function addonError(): string | null {
  return loadError;
}

/** The addon's netlink call for rtnetlink requests (src/system/netlink.ts), or null when the addon is not built, predates it, or `NETDX_NO_NATIVE=1` forces the system tools. */
export function routeNetlink(): ((request: Buffer) => Buffer | string) | null {
  if (process.env['NETDX_NO_NATIVE'] === '1') return null;
  const a = loadAddon();
  const proto = a?.constants['NETLINK_ROUTE'];
  if (!a?.netlink || proto === undefined) return null;
  const nl = a.netlink.bind(a);
  return (request) => nl(proto, request, 1000);
}
