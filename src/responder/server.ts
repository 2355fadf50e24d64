/**
 * `netdx responder`: a small authenticated service run on (or next to) the server, telling a
 * client what arrived (source after NAT, the SYN's TTL and TCP options, the TLS ClientHello) and
 * serving measurements (clock echo, sink/source throughput, DF datagrams back, idle hold).
 * It never becomes a relay or an amplifier: it only ever answers the peer that asked; anonymous
 * replies are no larger than the request; per-address rate limits; bounded connections, lines
 * and tables. What it exposes: docs/responder.md.
 */
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { loadAddon, type RawAddon } from '../native/addon.js';
import { parseSavedSyn, type SynView } from './syn.js';
import { looksLikeTls, parseClientHello, type HelloView } from './clienthello.js';
import { EchoCounts, RateLimiter } from './limits.js';
import type { ArrivedReply } from '../model/responder.js';
import {
  MAX_LINE,
  PROTOCOL_VERSION,
  SOURCE_FREE_BYTES,
  errorLine,
  parseTcpRequest,
  parseUdpRequest,
  tokenMatches,
  type ErrorCode,
  type TcpRequest,
  type UdpRequest,
} from './protocol.js';

export interface ResponderOptions {
  host: string;
  port: number;
  token: string | null;
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  /** Connections at once (default 10,000); further ones are answered 'busy' and closed. */
  maxConnections?: number;
  /** New connections and datagrams per second per client address (defaults 200 and 5000). */
  connRate?: number;
  udpRate?: number;
  /** Idle limit of a connection in line mode (default 30 s). */
  idleMs?: number;
  addon?: RawAddon | null;
}

export interface ResponderStats {
  connections: number;
  active: number;
  requests: number;
  udpDatagrams: number;
  rejected: Record<ErrorCode, number>;
  bytesIn: number;
  bytesOut: number;
}

export interface Responder {
  address: { address: string; port: number };
  /** What the responder could not do (no addon: no SYN view, no forced DF). */
  skipped: string[];
  stats: ResponderStats;
  close(): Promise<void>;
}

interface Peer {
  address: string;
  port: number;
}

export type { ArrivedReply };

const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
const IP_MTU_DISCOVER = 10;
const IPV6_MTU_DISCOVER = 23;
const PMTUDISC_PROBE = 3;

const unmap = (a: string): string => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);
const handleFd = (h: unknown): number | null => {
  const fd = (h as { fd?: unknown } | null)?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
};

/** A dgram socket's descriptor, without the deprecated `_handle` accessor (DEP0112): node keeps the handle in its state symbol. */
export function dgramFd(sock: dgram.Socket): number | null {
  for (const sym of Object.getOwnPropertySymbols(sock)) {
    const st = (sock as unknown as Record<symbol, unknown>)[sym] as { handle?: unknown } | undefined;
    if (st && typeof st === 'object' && 'handle' in st) return handleFd(st.handle);
  }
  return null;
}

// eslint-disable-next-line max-lines-per-function -- written before the 100-line rule landed; to split into per-request handlers
export async function startResponder(o: ResponderOptions): Promise<Responder> {
  const addon = o.addon === undefined ? loadAddon() : o.addon;
  const skipped: string[] = [];
  const stats: ResponderStats = {
    connections: 0,
    active: 0,
    requests: 0,
    udpDatagrams: 0,
    rejected: { malformed: 0, 'too-long': 0, 'unknown-op': 0, 'bad-field': 0, 'bad-token': 0, 'needs-token': 0, 'rate-limited': 0, busy: 0 },
    bytesIn: 0,
    bytesOut: 0,
  };
  const maxConnections = o.maxConnections ?? 10_000;
  const connLimiter = new RateLimiter(o.connRate ?? 200, (o.connRate ?? 200) * 2);
  const udpLimiter = new RateLimiter(o.udpRate ?? 5000, (o.udpRate ?? 5000) * 2);
  const echoes = new EchoCounts();
  const idleMs = o.idleMs ?? 30_000;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const chunk = Buffer.alloc(256 * 1024, 0x78);

  const reject = (code: ErrorCode): void => void stats.rejected[code]++;

  function serve(raw: net.Socket): void {
    stats.connections++;
    stats.active++;
    sockets.add(raw);
    raw.on('close', () => {
      stats.active--;
      sockets.delete(raw);
    });
    raw.on('error', () => {});
    const peer: Peer = { address: unmap(raw.remoteAddress ?? ''), port: raw.remotePort ?? 0 };
    const local: Peer = { address: unmap(raw.localAddress ?? ''), port: raw.localPort ?? 0 };
    if (stats.active > maxConnections) {
      reject('busy');
      raw.end(errorLine('busy', `at most ${maxConnections} connections at once`));
      return;
    }
    if (!connLimiter.take(peer.address)) {
      reject('rate-limited');
      raw.end(errorLine('rate-limited', 'too many new connections from this address'));
      return;
    }
    // The SYN as it arrived, read before anything else (the kernel frees it on the first read).
    let syn: SynView | null = null;
    let synSkipped: string | undefined;
    const fd = handleFd((raw as unknown as { _handle?: unknown })._handle);
    if (!addon) synSkipped = 'the raw-socket addon is not built: the SYN could not be read';
    else if (fd === null) synSkipped = 'no socket descriptor';
    else {
      const b = addon.savedSyn(fd);
      if (b === null) synSkipped = 'the kernel saved no SYN for this connection';
      else if (typeof b === 'string') synSkipped = `getsockopt(TCP_SAVED_SYN): ${b}`;
      else {
        syn = parseSavedSyn(b);
        if (!syn) synSkipped = 'the saved SYN could not be parsed';
      }
    }
    raw.setTimeout(idleMs, () => raw.destroy());
    if (!o.tls) {
      lineMode(raw, { peer, local, syn, synSkipped, hello: null, fd });
      return;
    }
    const cfg = o.tls;
    raw.once('data', (first: Buffer) => {
      stats.bytesIn += first.length;
      if (!looksLikeTls(first)) {
        raw.unshift(first);
        lineMode(raw, { peer, local, syn, synSkipped, hello: null, fd });
        return;
      }
      const hello = parseClientHello(first);
      raw.pause();
      raw.unshift(first);
      const s = new tls.TLSSocket(raw, { isServer: true, cert: cfg.cert, key: cfg.key });
      s.on('error', () => raw.destroy());
      s.once('secure', () => lineMode(s, { peer, local, syn, synSkipped, hello, fd }));
    });
  }

  interface Conn {
    peer: Peer;
    local: Peer;
    syn: SynView | null;
    synSkipped: string | undefined;
    hello: HelloView | null;
    fd: number | null;
  }

  function write(s: net.Socket, line: string, requestBytes: number, authed: boolean): void {
    // Anonymous replies are never larger than the request that asked for them.
    if (!authed && Buffer.byteLength(line) > requestBytes) {
      reject('needs-token');
      line = errorLine('needs-token', `the answer is ${Buffer.byteLength(line)} bytes: pad the request to that size or give the token`);
      if (Buffer.byteLength(line) > requestBytes) line = '{"ok":false,"error":"needs-token"}\n';
    }
    stats.bytesOut += Buffer.byteLength(line);
    s.write(line);
  }

  function lineMode(s: net.Socket, c: Conn): void {
    let buf = '';
    const onData = (d: Buffer): void => {
      stats.bytesIn += d.length;
      buf += d.toString('latin1');
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl < 0) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!handle(line)) return;
      }
      if (buf.length > MAX_LINE) {
        reject('too-long');
        s.end(errorLine('too-long', `a request line is at most ${MAX_LINE} bytes`));
        s.off('data', onData);
      }
    };
    /** false when the line mode ends. */
    const handle = (line: string): boolean => {
      stats.requests++;
      const p = parseTcpRequest(line);
      if (!p.ok) {
        reject(p.error);
        s.end(errorLine(p.error, p.detail));
        s.off('data', onData);
        return false;
      }
      const r: TcpRequest = p.req;
      const authed = tokenMatches(o.token, r.token);
      if (r.token !== undefined && !authed) {
        reject('bad-token');
        s.end(errorLine('bad-token', 'the token does not match'));
        s.off('data', onData);
        return false;
      }
      const size = Buffer.byteLength(line) + 1;
      switch (r.op) {
        case 'arrived': {
          const reply: ArrivedReply = { ok: true, v: PROTOCOL_VERSION, peer: c.peer, local: c.local, syn: c.syn, ...(c.synSkipped ? { synSkipped: c.synSkipped } : {}), tls: c.hello, serverTime: Date.now() };
          write(s, JSON.stringify(reply) + '\n', size, authed);
          return true;
        }
        case 'time': {
          const t2 = performance.timeOrigin + performance.now();
          write(s, JSON.stringify({ ok: true, t1: r.t1, t2, t3: performance.timeOrigin + performance.now() }) + '\n', size, authed);
          return true;
        }
        case 'stats':
          write(s, JSON.stringify({ ok: true, stats }) + '\n', size, authed);
          return true;
        case 'sink':
          s.off('data', onData);
          sink(s, c, r.bytes, Buffer.from(buf, 'latin1'));
          return false;
        case 'source':
          s.off('data', onData);
          if (!authed && r.bytes > SOURCE_FREE_BYTES) {
            reject('needs-token');
            s.end(errorLine('needs-token', `more than ${SOURCE_FREE_BYTES} bytes need the token`));
            return false;
          }
          source(s, c, r.bytes);
          return false;
        case 'hold':
          s.off('data', onData);
          hold(s, r.seconds);
          return false;
      }
    };
    s.on('data', onData);
  }

  function tcpInfoOf(fd: number | null): Record<string, number> | null {
    if (!addon || fd === null) return null;
    try {
      const t = addon.tcpInfo(fd);
      return { rttUs: t.rttUs, totalRetrans: t.totalRetrans, bytesRetrans: t.bytesRetrans, sndMss: t.sndMss, rcvMss: t.rcvMss, pmtu: t.pmtu };
    } catch {
      return null;
    }
  }

  function sink(s: net.Socket, c: Conn, bytes: number, already: Buffer): void {
    s.setTimeout(idleMs);
    let got = already.length;
    const t0 = performance.now();
    let first: number | null = got > 0 ? t0 : null;
    const done = (): void => {
      s.removeAllListeners('data');
      const ms = performance.now() - (first ?? t0);
      const line = JSON.stringify({ ok: true, received: got, ms, tcpInfo: tcpInfoOf(c.fd) }) + '\n';
      stats.bytesOut += line.length;
      s.end(line);
    };
    if (got >= bytes) return done();
    s.on('data', (d: Buffer) => {
      if (first === null) first = performance.now();
      got += d.length;
      stats.bytesIn += d.length;
      if (got >= bytes) done();
    });
    s.on('end', () => {
      if (got < bytes) done();
    });
  }

  function source(s: net.Socket, c: Conn, bytes: number): void {
    s.setTimeout(idleMs);
    let left = bytes;
    const t0 = performance.now();
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        stats.bytesOut += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
      // The server's own view of the transfer (its retransmissions) after the data: one line.
      s.once('drain', () => {});
      const tail = JSON.stringify({ ok: true, sent: bytes, ms: performance.now() - t0, tcpInfo: tcpInfoOf(c.fd) }) + '\n';
      s.end(tail);
    };
    pump();
  }

  function hold(s: net.Socket, seconds: number): void {
    s.setTimeout(0);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!s.destroyed) s.end(JSON.stringify({ ok: true, held: seconds }) + '\n');
    }, seconds * 1000);
    timers.add(t);
    s.on('close', () => {
      clearTimeout(t);
      timers.delete(t);
    });
  }

  // ── TCP listener ──
  const server = net.createServer({ noDelay: true }, serve);
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const lfd = handleFd((server as unknown as { _handle?: unknown })._handle);
  if (addon && lfd !== null) {
    try {
      addon.setsockopt(lfd, addon.constants.IPPROTO_TCP!, addon.constants.TCP_SAVE_SYN ?? 27, 1);
    } catch (err) {
      skipped.push(`SYN view: setsockopt(TCP_SAVE_SYN) failed (${err instanceof Error ? err.message : String(err)})`);
    }
  } else skipped.push('SYN view (TTL, MSS and TCP options as received): the raw-socket addon is not built');
  const addr = server.address() as net.AddressInfo;

  // ── UDP: echo, count, DF datagrams back ──
  const udp = dgram.createSocket({ type: isIPv6(o.host) ? 'udp6' : 'udp4', reuseAddr: false });
  udp.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind({ address: o.host, port: addr.port }, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const ufd = dgramFd(udp);
  let dfForced = false;
  if (addon && ufd !== null) {
    try {
      if (isIPv6(o.host)) addon.setsockopt(ufd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_PROBE);
      else addon.setsockopt(ufd, IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_PROBE);
      dfForced = true;
    } catch {
      /* below */
    }
  }
  if (!dfForced) skipped.push("DF datagrams: the don't-fragment flag could not be forced (the kernel's path MTU cache may fragment them)");

  const udpHeader = isIPv6(o.host) ? 48 : 28;
  udp.on('message', (msg, rinfo) => {
    stats.udpDatagrams++;
    stats.bytesIn += msg.length;
    const from = unmap(rinfo.address);
    if (!udpLimiter.take(from)) return reject('rate-limited');
    const p = parseUdpRequest(msg.toString('latin1'));
    if (!p.ok) {
      reject(p.error);
      const e = Buffer.from(errorLine(p.error, p.detail));
      if (e.length <= msg.length) udp.send(e, rinfo.port, rinfo.address);
      return;
    }
    const r: UdpRequest = p.req;
    const authed = tokenMatches(o.token, r.token);
    if (r.token !== undefined && !authed) return reject('bad-token');
    const key = `${from}/${r.id}`;
    const reply = (obj: Record<string, unknown>, size: number): void => {
      const body = Buffer.from(JSON.stringify(obj));
      if (body.length > size && !authed) return reject('needs-token');
      const out = Buffer.alloc(Math.max(size, body.length), 0x20);
      body.copy(out);
      stats.bytesOut += out.length;
      udp.send(out, rinfo.port, rinfo.address);
    };
    if (r.op === 'echo') {
      const t2 = performance.timeOrigin + performance.now();
      const n = echoes.add(key);
      reply({ op: 'echo', id: r.id, seq: r.seq, t1: r.t1, t2, n, t3: performance.timeOrigin + performance.now() }, msg.length);
    } else if (r.op === 'count') {
      reply({ op: 'count', id: r.id, received: echoes.get(key) }, msg.length);
    } else {
      const limit = msg.length + udpHeader;
      for (const size of r.sizes) {
        if (size > limit && !authed) {
          reject('needs-token');
          continue;
        }
        reply({ op: 'mtu', id: r.id, size, df: dfForced, req: limit }, size - udpHeader);
      }
    }
  });

  return {
    address: { address: addr.address, port: addr.port },
    skipped,
    stats,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      udp.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
