/**
 * NativeApi.tcpConnect: a kernel TCP connect (non-blocking, IP_RECVERR) that tells a RST from an
 * ICMP error and names the ICMP type, code and sender (error queue, or the raw ICMP receiver that
 * sees the error quoting our SYN); TCP_INFO of the connection once it is up.
 * Also `tcpOpen`, which keeps the connection for tests that send over it (PMTU bulk test), and
 * the after-connect watch of the same connection (`watchConn`).
 */
import { performance } from 'node:perf_hooks';
import type { RawAddon, RawTcpInfo, WatchHandle } from './addon.js';
import type { AfterEvent, AfterWatch, NativeTcpResult, OpenResult, TcpConn, TcpConnectOptions, TcpInfo } from './api.js';
import { keys, receiver, type Delivery } from './listener.js';
import { toIcmpError } from './probe.js';
import { familyOf } from './sockets.js';
import type { IcmpError } from '../model/observation.js';

/** A connect without the after-connect watch (tcpOpen hands the connection to its caller). */
export type ConnectOptions = Omit<TcpConnectOptions, 'after'>;

export type { OpenResult, TcpConn };

export const toTcpInfo = (t: RawTcpInfo): TcpInfo => ({
  rttUs: t.rttUs,
  rttVarUs: t.rttVarUs,
  retransmits: t.retransmits,
  totalRetrans: t.totalRetrans,
  sndMss: t.sndMss,
  rcvMss: t.rcvMss,
  pmtu: t.pmtu,
});

/** A non-blocking TCP socket with IP_RECVERR (ICMP errors on the error queue), the TTL and source asked for; the errno name on failure. */
function openSocket(addon: RawAddon, family: 4 | 6, o: ConnectOptions): number | string {
  const c = addon.constants;
  let fd: number;
  try {
    fd = addon.socket(family === 4 ? c.AF_INET! : c.AF_INET6!, c.SOCK_STREAM!, c.IPPROTO_TCP!);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
  try {
    if (family === 4) addon.setsockopt(fd, c.IPPROTO_IP!, c.IP_RECVERR!, 1);
    else addon.setsockopt(fd, c.IPPROTO_IPV6!, c.IPV6_RECVERR!, 1);
    if (o.ttl !== undefined) {
      if (family === 4) addon.setsockopt(fd, c.IPPROTO_IP!, c.IP_TTL!, o.ttl);
      else addon.setsockopt(fd, c.IPPROTO_IPV6!, c.IPV6_UNICAST_HOPS!, o.ttl);
    }
    if (o.source) addon.bind(fd, o.source, 0);
  } catch (err) {
    addon.close(fd);
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
  return fd;
}

/** The ICMP error the kernel queued for this socket (IP_RECVERR), if any. */
function icmpFromErrqueue(addon: RawAddon, fd: number, family: 4 | 6): IcmpError | null {
  const c = addon.constants;
  for (let i = 0; i < 16; i++) {
    const r = addon.recv(fd, true);
    if (!r) break;
    const ee = r.ee;
    if (ee && (ee.origin === c.SO_EE_ORIGIN_ICMP || ee.origin === c.SO_EE_ORIGIN_ICMP6)) {
      return toIcmpError(
        family,
        ee.type,
        ee.code,
        ee.offender ?? 'unknown',
        ee.info > 0 && ((family === 4 && ee.type === 3 && ee.code === 4) || (family === 6 && ee.type === 2)) ? ee.info : undefined,
      );
    }
  }
  return null;
}

/** The open connection handed to the caller. */
function connOf(addon: RawAddon, fd: number, closeFd: () => void): TcpConn {
  return {
    fd,
    info: () => addon.tcpInfo(fd),
    send: (data) => addon.send(fd, data),
    error: () => addon.soError(fd),
    read: () => {
      const r = addon.recv(fd, false);
      if (r === null) return null;
      if (r.errno) return r.errno;
      return r.data && r.data.length > 0 ? r.data : 'eof';
    },
    close: closeFd,
  };
}

/** Connects and keeps the connection open when it succeeds (the caller closes conn). */
export function tcpOpen(addon: RawAddon, o: ConnectOptions): Promise<OpenResult> {
  const c = addon.constants;
  const family = familyOf(o.address);
  const t0 = performance.now();
  const ms = (): number => Math.round((performance.now() - t0) * 10) / 10;
  const fail = (errno: string): OpenResult => ({ outcome: 'error', errno, icmp: null, ms: ms(), tcpInfo: null, conn: null });
  const sock = openSocket(addon, family, o);
  if (typeof sock === 'string') return Promise.resolve(fail(sock));
  const fd = sock;
  let closed = false;
  const closeFd = (): void => {
    if (!closed) addon.close(fd);
    closed = true;
  };
  const first = addon.connect(fd, o.address, o.port);
  if (first !== '' && first !== 'EINPROGRESS') {
    closeFd();
    return Promise.resolve(fail(first));
  }
  let local: { address: string; port: number } | null = null;
  try {
    local = addon.sockname(fd);
  } catch {
    local = null;
  }
  const icmpRx = receiver(addon, family, 'icmp');
  const key = local ? keys.conn(o.address, local.port, o.port) : null;
  let seen: IcmpError | null = null;
  if (key) {
    try {
      icmpRx.on(key, (d: Delivery) => {
        if (d.kind === 'icmp') seen = toIcmpError(family, d.msg.type, d.msg.code, d.msg.from, d.msg.mtu);
      });
    } catch {
      // no raw socket: the error queue still names the ICMP
    }
  }
  return new Promise((resolve) => {
    let watchHandle: WatchHandle | null = null;
    let done = false;
    const finish = (r: Omit<OpenResult, 'ms'>, keep: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (watchHandle) addon.unwatch(watchHandle);
      if (key) icmpRx.off(key);
      if (!keep) closeFd();
      resolve({ ...r, ms: ms() });
    };
    const settle = (): void => {
      const err = addon.soError(fd);
      if (err === '') {
        let tcpInfo: TcpInfo | null = null;
        try {
          tcpInfo = toTcpInfo(addon.tcpInfo(fd));
        } catch {
          tcpInfo = null;
        }
        finish({ outcome: 'open', errno: null, icmp: null, tcpInfo, conn: connOf(addon, fd, closeFd) }, true);
        return;
      }
      icmpRx.drain();
      const icmp = icmpFromErrqueue(addon, fd, family) ?? seen;
      if (err === 'ECONNREFUSED' && !icmp) {
        finish({ outcome: 'refused', errno: err, icmp: null, tcpInfo: null, conn: null }, false);
      } else if (icmp) {
        finish({ outcome: 'icmp', errno: err, icmp, tcpInfo: null, conn: null }, false);
      } else if (err === 'ETIMEDOUT') {
        finish({ outcome: 'timeout', errno: err, icmp: null, tcpInfo: null, conn: null }, false);
      } else {
        finish({ outcome: 'error', errno: err, icmp: null, tcpInfo: null, conn: null }, false);
      }
    };
    const onAbort = (): void => finish({ outcome: 'timeout', errno: 'ETIMEDOUT', icmp: null, tcpInfo: null, conn: null }, false);
    const timer = setTimeout(
      () => {
        icmpRx.drain();
        if (seen) {
          finish({ outcome: 'icmp', errno: null, icmp: seen, tcpInfo: null, conn: null }, false);
          return;
        }
        onAbort();
      },
      Math.max(1, o.timeoutMs),
    );
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort);
    if (first === '') return settle();
    try {
      watchHandle = addon.watch(fd, c.UV_WRITABLE!, () => settle());
    } catch (err) {
      finish({ outcome: 'error', errno: (err as NodeJS.ErrnoException).code ?? 'error', icmp: null, tcpInfo: null, conn: null }, false);
    }
  });
}

/** The handshake's RTT as the kernel measured it (TCP_INFO), else the connect's own time. */
const handshakeRtt = (tcpInfo: TcpInfo | null, connectMs: number): number => (tcpInfo && tcpInfo.rttUs > 0 ? Math.min(tcpInfo.rttUs / 1000, connectMs) : connectMs);

/** How long to watch an open connection: `rtts` kernel RTTs (the connect's own time without TCP_INFO), within [minMs, maxMs]. */
export function watchLength(w: AfterWatch, tcpInfo: TcpInfo | null, connectMs: number): number {
  return Math.min(w.maxMs, Math.max(w.minMs, w.rtts * handshakeRtt(tcpInfo, connectMs)));
}

/**
 * How long ago the handshake completed: the connect's time in this process less the kernel's RTT.
 * Where the event loop was busy when the SYN-ACK came, the kernel has been holding the connection
 * (and any RST, FIN or data) for that long already: that time counts toward the watch.
 */
export const sinceHandshake = (tcpInfo: TcpInfo | null, connectMs: number): number => Math.max(0, connectMs - handshakeRtt(tcpInfo, connectMs));

/**
 * Watches an open connection for `ms` without sending, and closes it: 'rst' (ECONNRESET), 'fin'
 * (EOF or another error), 'data' (bytes came; `maxBytes` of them end the watch at once) or 'quiet'.
 * `elapsedMs` of the watch have passed already (the handshake completed that long ago); event
 * times count from the handshake. When the time is up, what the kernel already holds is read
 * before the answer is 'quiet': a process that was not scheduled for a while must not call a
 * connection quiet whose RST is waiting.
 */
export function watchConn(addon: RawAddon, conn: TcpConn, ms: number, maxBytes: number, signal?: AbortSignal, elapsedMs = 0): Promise<AfterEvent> {
  return new Promise((resolve) => {
    const t0 = performance.now() - elapsedMs;
    let bytes = 0;
    let done = false;
    let handle: WatchHandle | null = null;
    /** Reads what is queued: the event that ends the watch, or null to go on. */
    const drain = (): AfterEvent['event'] | null => {
      for (;;) {
        const r = conn.read();
        if (r === null) return null;
        if (r === 'eof') return 'fin';
        if (typeof r === 'string') return r === 'ECONNRESET' ? 'rst' : 'fin';
        bytes += r.length;
        if (bytes >= maxBytes) return 'data';
      }
    };
    const finish = (event: AfterEvent['event']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (handle) addon.unwatch(handle);
      conn.close();
      const at = Math.round(performance.now() - t0);
      resolve(bytes > 0 ? { event: 'data', ms: at, bytes } : { event, ms: at });
    };
    const poll = (): void => {
      const e = drain();
      if (e) finish(e);
    };
    const onAbort = (): void => finish('quiet');
    const timer = setTimeout(() => finish(drain() ?? 'quiet'), Math.max(0, ms - elapsedMs));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    poll();
    if (done) return;
    try {
      // libuv reports a socket error (the RST) as a status < 0 and stops the poll: reading tells which.
      handle = addon.watch(conn.fd, addon.constants.UV_READABLE!, poll);
    } catch {
      // No poll: the read when the time is up still sees what came.
    }
  });
}

/** Connects, reads TCP_INFO, watches the open connection when asked (`after`), closes. */
export async function tcpConnect(addon: RawAddon, o: TcpConnectOptions): Promise<NativeTcpResult> {
  const r = await tcpOpen(addon, o);
  const res: NativeTcpResult = { outcome: r.outcome, errno: r.errno, icmp: r.icmp, ms: r.ms, tcpInfo: r.tcpInfo };
  o.onAnswer?.({ ...res });
  if (!r.conn) return res;
  if (!o.after) {
    r.conn.close();
    return res;
  }
  res.after = await watchConn(addon, r.conn, watchLength(o.after, r.tcpInfo, r.ms), o.after.maxBytes, o.signal, sinceHandshake(r.tcpInfo, r.ms));
  return res;
}
