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
import { MAX_LINE, PROTOCOL_VERSION, SOURCE_FREE_BYTES, errorLine, parseTcpRequest, parseUdpRequest, tokenMatches, type ErrorCode, type TcpRequest, type UdpRequest } from './protocol.js';

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
  /** Uploads being discarded in the kernel right now (the addon's sink). */
  sinking: number;
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

/** What every handler of one responder shares: its options, counters, limits and open resources. */
interface State {
  o: ResponderOptions;
  addon: RawAddon | null;
  skipped: string[];
  stats: ResponderStats;
  maxConnections: number;
  connLimiter: RateLimiter;
  udpLimiter: RateLimiter;
  echoes: EchoCounts;
  idleMs: number;
  sockets: Set<net.Socket>;
  timers: Set<NodeJS.Timeout>;
  /** The bytes `source` sends, a chunk at a time. */
  chunk: Buffer;
}

/** One connection as it arrived: both ends, the SYN (or why not), the ClientHello when TLS. */
interface Conn {
  peer: Peer;
  local: Peer;
  syn: SynView | null;
  synSkipped: string | undefined;
  hello: HelloView | null;
  fd: number | null;
}

export async function startResponder(o: ResponderOptions): Promise<Responder> {
  const st = newState(o);
  const { server, addr } = await listenTcp(st);
  const udp = await listenUdp(st, addr.port);
  return {
    address: { address: addr.address, port: addr.port },
    skipped: st.skipped,
    stats: st.stats,
    close: async () => {
      if (typeof st.addon?.sinkAbortAll === 'function') st.addon.sinkAbortAll();
      for (const t of st.timers) clearTimeout(t);
      for (const s of st.sockets) s.destroy();
      udp.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function newState(o: ResponderOptions): State {
  return {
    o,
    addon: o.addon === undefined ? loadAddon() : o.addon,
    skipped: [],
    stats: {
      connections: 0,
      active: 0,
      requests: 0,
      udpDatagrams: 0,
      rejected: { malformed: 0, 'too-long': 0, 'unknown-op': 0, 'bad-field': 0, 'bad-token': 0, 'needs-token': 0, 'rate-limited': 0, busy: 0 },
      bytesIn: 0,
      sinking: 0,
      bytesOut: 0,
    },
    maxConnections: o.maxConnections ?? 10_000,
    connLimiter: new RateLimiter(o.connRate ?? 200, (o.connRate ?? 200) * 2),
    udpLimiter: new RateLimiter(o.udpRate ?? 5000, (o.udpRate ?? 5000) * 2),
    echoes: new EchoCounts(),
    idleMs: o.idleMs ?? 30_000,
    sockets: new Set(),
    timers: new Set(),
    chunk: Buffer.alloc(256 * 1024, 0x78),
  };
}

const reject = (st: State, code: ErrorCode): void => void st.stats.rejected[code]++;

/** The TCP listener, with TCP_SAVE_SYN set when the addon is there (else the SYN view is skipped). */
async function listenTcp(st: State): Promise<{ server: net.Server; addr: net.AddressInfo }> {
  const { o, addon } = st;
  const server = net.createServer({ noDelay: true }, (raw) => serve(st, raw));
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
      st.skipped.push(`SYN view: setsockopt(TCP_SAVE_SYN) failed (${err instanceof Error ? err.message : String(err)})`);
    }
  } else st.skipped.push('SYN view (TTL, MSS and TCP options as received): the raw-socket addon is not built');
  return { server, addr: server.address() as net.AddressInfo };
}

function serve(st: State, raw: net.Socket): void {
  const { o, stats } = st;
  stats.connections++;
  stats.active++;
  st.sockets.add(raw);
  raw.on('close', () => {
    stats.active--;
    st.sockets.delete(raw);
  });
  raw.on('error', () => {});
  const peer: Peer = { address: unmap(raw.remoteAddress ?? ''), port: raw.remotePort ?? 0 };
  const local: Peer = { address: unmap(raw.localAddress ?? ''), port: raw.localPort ?? 0 };
  if (stats.active > st.maxConnections) {
    reject(st, 'busy');
    raw.end(errorLine('busy', `at most ${st.maxConnections} connections at once`));
    return;
  }
  if (!st.connLimiter.take(peer.address)) {
    reject(st, 'rate-limited');
    raw.end(errorLine('rate-limited', 'too many new connections from this address'));
    return;
  }
  // The SYN as it arrived, read before anything else (the kernel frees it on the first read).
  const fd = handleFd((raw as unknown as { _handle?: unknown })._handle);
  const { syn, synSkipped } = savedSyn(st.addon, fd);
  raw.setTimeout(st.idleMs, () => raw.destroy());
  if (!o.tls) {
    lineMode(st, raw, { peer, local, syn, synSkipped, hello: null, fd });
    return;
  }
  const cfg = o.tls;
  raw.once('data', (first: Buffer) => {
    stats.bytesIn += first.length;
    if (!looksLikeTls(first)) {
      raw.unshift(first);
      lineMode(st, raw, { peer, local, syn, synSkipped, hello: null, fd });
      return;
    }
    const hello = parseClientHello(first);
    raw.pause();
    raw.unshift(first);
    const s = new tls.TLSSocket(raw, { isServer: true, cert: cfg.cert, key: cfg.key });
    s.on('error', () => raw.destroy());
    s.once('secure', () => lineMode(st, s, { peer, local, syn, synSkipped, hello, fd }));
  });
}

/** The connection's SYN as the kernel saved it, or why there is none. */
function savedSyn(addon: RawAddon | null, fd: number | null): Pick<Conn, 'syn' | 'synSkipped'> {
  let syn: SynView | null = null;
  let synSkipped: string | undefined;
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
  return { syn, synSkipped };
}

function write(st: State, s: net.Socket, line: string, requestBytes: number, authed: boolean): void {
  // Anonymous replies are never larger than the request that asked for them.
  if (!authed && Buffer.byteLength(line) > requestBytes) {
    reject(st, 'needs-token');
    line = errorLine('needs-token', `the answer is ${Buffer.byteLength(line)} bytes: pad the request to that size or give the token`);
    if (Buffer.byteLength(line) > requestBytes) line = '{"ok":false,"error":"needs-token"}\n';
  }
  st.stats.bytesOut += Buffer.byteLength(line);
  s.write(line);
}

/** Request lines until one ends the line mode (an error, or a request that takes over the connection). */
function lineMode(st: State, s: net.Socket, c: Conn): void {
  let buf = '';
  const onData = (d: Buffer): void => {
    st.stats.bytesIn += d.length;
    buf += d.toString('latin1');
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) break;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!handle(line)) return;
    }
    if (buf.length > MAX_LINE) {
      reject(st, 'too-long');
      s.end(errorLine('too-long', `a request line is at most ${MAX_LINE} bytes`));
      s.off('data', onData);
    }
  };
  /** false when the line mode ends. */
  const handle = (line: string): boolean => {
    st.stats.requests++;
    const p = parseTcpRequest(line);
    if (!p.ok) {
      reject(st, p.error);
      s.end(errorLine(p.error, p.detail));
      s.off('data', onData);
      return false;
    }
    const r: TcpRequest = p.req;
    const authed = tokenMatches(st.o.token, r.token);
    if (r.token !== undefined && !authed) {
      reject(st, 'bad-token');
      s.end(errorLine('bad-token', 'the token does not match'));
      s.off('data', onData);
      return false;
    }
    if (r.op === 'arrived' || r.op === 'time' || r.op === 'stats') {
      answer(st, s, c, r, Buffer.byteLength(line) + 1, authed);
      return true;
    }
    s.off('data', onData);
    takeOver(st, s, c, r, Buffer.from(buf, 'latin1'), authed);
    return false;
  };
  s.on('data', onData);
}

/** The requests answered with one line, after which the line mode goes on. */
function answer(st: State, s: net.Socket, c: Conn, r: Extract<TcpRequest, { op: 'arrived' | 'time' | 'stats' }>, size: number, authed: boolean): void {
  switch (r.op) {
    case 'arrived': {
      const reply: ArrivedReply = {
        ok: true,
        v: PROTOCOL_VERSION,
        peer: c.peer,
        local: c.local,
        syn: c.syn,
        ...(c.synSkipped ? { synSkipped: c.synSkipped } : {}),
        tls: c.hello,
        serverTime: Date.now(),
      };
      write(st, s, JSON.stringify(reply) + '\n', size, authed);
      return;
    }
    case 'time': {
      const t2 = performance.timeOrigin + performance.now();
      write(st, s, JSON.stringify({ ok: true, t1: r.t1, t2, t3: performance.timeOrigin + performance.now() }) + '\n', size, authed);
      return;
    }
    case 'stats':
      write(st, s, JSON.stringify({ ok: true, stats: st.stats }) + '\n', size, authed);
      return;
  }
}

/** The requests that take the connection over until it ends (`already`: bytes read past the request line). */
function takeOver(st: State, s: net.Socket, c: Conn, r: Extract<TcpRequest, { op: 'sink' | 'source' | 'hold' }>, already: Buffer, authed: boolean): void {
  switch (r.op) {
    case 'sink':
      sink(st, s, c, r.bytes, already);
      return;
    case 'source':
      if (!authed && r.bytes > SOURCE_FREE_BYTES) {
        reject(st, 'needs-token');
        s.end(errorLine('needs-token', `more than ${SOURCE_FREE_BYTES} bytes need the token`));
        return;
      }
      source(st, s, c, r.bytes);
      return;
    case 'hold':
      hold(st, s, r.seconds);
      return;
  }
}

function tcpInfoOf(addon: RawAddon | null, fd: number | null): Record<string, number> | null {
  if (!addon || fd === null) return null;
  try {
    const t = addon.tcpInfo(fd);
    return { rttUs: t.rttUs, totalRetrans: t.totalRetrans, bytesRetrans: t.bytesRetrans, sndMss: t.sndMss, rcvMss: t.rcvMss, pmtu: t.pmtu };
  } catch {
    return null;
  }
}

function sink(st: State, s: net.Socket, c: Conn, bytes: number, already: Buffer): void {
  s.setTimeout(st.idleMs);
  let got = already.length;
  const t0 = performance.now();
  let first: number | null = got > 0 ? t0 : null;
  const done = (): void => {
    s.removeAllListeners('data');
    const ms = performance.now() - (first ?? t0);
    const line = JSON.stringify({ ok: true, received: got, ms, tcpInfo: tcpInfoOf(st.addon, c.fd) }) + '\n';
    st.stats.bytesOut += line.length;
    s.end(line);
  };
  if (got >= bytes) return done();
  // With the addon, on a plain TCP connection: the kernel discards the bytes (recv MSG_TRUNC) on a
  // thread of libuv's pool, without a Buffer per read — node's own reads were the upload's ceiling.
  const handle = (s as unknown as { _handle?: { readStop?: () => number } })._handle;
  // (An addon built before the sink existed has no `sink`: node's reads then.)
  if (typeof st.addon?.sink === 'function' && c.fd !== null && !(s instanceof tls.TLSSocket) && typeof handle?.readStop === 'function') {
    handle.readStop();
    s.setTimeout(0);
    first = first ?? performance.now();
    st.stats.sinking++;
    st.addon
      .sink(c.fd, bytes - got, st.idleMs)
      .then((r) => {
        got += r.received;
        st.stats.bytesIn += r.received;
      })
      .catch(() => {})
      .finally(() => {
        st.stats.sinking--;
        if (s.destroyed) return;
        s.setTimeout(st.idleMs);
        s.resume();
        done();
      });
    return;
  }
  s.on('data', (d: Buffer) => {
    if (first === null) first = performance.now();
    got += d.length;
    st.stats.bytesIn += d.length;
    if (got >= bytes) done();
  });
  s.on('end', () => {
    if (got < bytes) done();
  });
}

function source(st: State, s: net.Socket, c: Conn, bytes: number): void {
  s.setTimeout(st.idleMs);
  const chunk = st.chunk;
  let left = bytes;
  const t0 = performance.now();
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      st.stats.bytesOut += n;
      if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        s.once('drain', pump);
        return;
      }
    }
    // The server's own view of the transfer (its retransmissions) after the data: one line.
    s.once('drain', () => {});
    const tail = JSON.stringify({ ok: true, sent: bytes, ms: performance.now() - t0, tcpInfo: tcpInfoOf(st.addon, c.fd) }) + '\n';
    s.end(tail);
  };
  pump();
}

function hold(st: State, s: net.Socket, seconds: number): void {
  s.setTimeout(0);
  const t = setTimeout(() => {
    st.timers.delete(t);
    if (!s.destroyed) s.end(JSON.stringify({ ok: true, held: seconds }) + '\n');
  }, seconds * 1000);
  st.timers.add(t);
  s.on('close', () => {
    clearTimeout(t);
    st.timers.delete(t);
  });
}

/** UDP on the same port: echo, count, DF datagrams back (DF forced when the addon can). */
async function listenUdp(st: State, port: number): Promise<dgram.Socket> {
  const { o, addon } = st;
  const udp = dgram.createSocket({ type: isIPv6(o.host) ? 'udp6' : 'udp4', reuseAddr: false });
  udp.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind({ address: o.host, port }, () => {
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
  if (!dfForced) st.skipped.push("DF datagrams: the don't-fragment flag could not be forced (the kernel's path MTU cache may fragment them)");
  const udpHeader = isIPv6(o.host) ? 48 : 28;
  udp.on('message', (msg, rinfo) => datagram(st, udp, { dfForced, udpHeader }, msg, rinfo));
  return udp;
}

function datagram(st: State, udp: dgram.Socket, u: { dfForced: boolean; udpHeader: number }, msg: Buffer, rinfo: dgram.RemoteInfo): void {
  const { stats } = st;
  stats.udpDatagrams++;
  stats.bytesIn += msg.length;
  const from = unmap(rinfo.address);
  if (!st.udpLimiter.take(from)) return reject(st, 'rate-limited');
  const p = parseUdpRequest(msg.toString('latin1'));
  if (!p.ok) {
    reject(st, p.error);
    const e = Buffer.from(errorLine(p.error, p.detail));
    if (e.length <= msg.length) udp.send(e, rinfo.port, rinfo.address);
    return;
  }
  const r: UdpRequest = p.req;
  const authed = tokenMatches(st.o.token, r.token);
  if (r.token !== undefined && !authed) return reject(st, 'bad-token');
  const key = `${from}/${r.id}`;
  const reply = (obj: Record<string, unknown>, size: number): void => {
    const body = Buffer.from(JSON.stringify(obj));
    if (body.length > size && !authed) return reject(st, 'needs-token');
    const out = Buffer.alloc(Math.max(size, body.length), 0x20);
    body.copy(out);
    stats.bytesOut += out.length;
    udp.send(out, rinfo.port, rinfo.address);
  };
  if (r.op === 'echo') {
    const t2 = performance.timeOrigin + performance.now();
    const n = st.echoes.add(key);
    reply({ op: 'echo', id: r.id, seq: r.seq, t1: r.t1, t2, n, t3: performance.timeOrigin + performance.now() }, msg.length);
  } else if (r.op === 'count') {
    reply({ op: 'count', id: r.id, received: st.echoes.get(key) }, msg.length);
  } else {
    const limit = msg.length + u.udpHeader;
    for (const size of r.sizes) {
      if (size > limit && !authed) {
        reject(st, 'needs-token');
        continue;
      }
      reply({ op: 'mtu', id: r.id, size, df: u.dfForced, req: limit }, size - u.udpHeader);
    }
  }
}
