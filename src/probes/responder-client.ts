/**
 * The client side of the responder protocol (protocol.ts): ask what arrived, estimate the clock
 * offset, count one-way loss in each direction, receive DF datagrams of chosen sizes (the
 * server→client path MTU) and measure throughput. Network outcomes are values, never exceptions.
 */
import { nodeCrypto, nodeTls } from '../model/builtin.js';
import net from 'node:net';
import type tls from 'node:tls';
import dgram from 'node:dgram';
import { loadAddon } from '../native/addon.js';
import type { ArrivedReply } from '../model/responder.js';

export interface ResponderAddress {
  host: string;
  port: number;
  token: string | null;
  /** TLS to the responder (it was started with --tls-cert/--tls-key); the certificate is not verified unless ca is given. */
  tls?: { ca?: string | Buffer; servername?: string } | null;
}

/** Anonymous requests are padded so that the answer is not larger than the request (protocol.ts). */
const PAD_ARRIVED = 1400;

const now = (): number => performance.timeOrigin + performance.now();

function withToken(a: ResponderAddress, o: Record<string, unknown>, pad: number): string {
  const base = a.token !== null ? { ...o, token: a.token } : o;
  const text = JSON.stringify(base);
  if (a.token !== null || text.length >= pad) return text + '\n';
  return JSON.stringify({ ...base, pad: ' '.repeat(Math.max(0, pad - text.length - 10)) }) + '\n';
}

export class ResponderError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'timeout' | 'protocol' | 'refused-by-responder',
  ) {
    super(message);
  }
}

/** Opens a control connection (plain or TLS) and resolves with the socket once it is usable. */
export function openControl(a: ResponderAddress, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host: a.host, port: a.port, noDelay: true });
    const timer = setTimeout(() => {
      raw.destroy();
      reject(new ResponderError(`responder ${a.host}:${a.port}: no connection within ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    raw.once('error', (err) => {
      clearTimeout(timer);
      reject(new ResponderError(`responder ${a.host}:${a.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'connect'));
    });
    raw.once('connect', () => {
      if (!a.tls) {
        clearTimeout(timer);
        raw.removeAllListeners('error');
        resolve(raw);
        return;
      }
      const s = nodeTls().connect({ socket: raw, ca: a.tls.ca, servername: a.tls.servername ?? (net.isIP(a.host) ? undefined : a.host), rejectUnauthorized: a.tls.ca !== undefined });
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        raw.destroy();
        reject(new ResponderError(`responder ${a.host}:${a.port}: TLS: ${err.message}`, 'connect'));
      });
    });
  });
}

/** Reads JSON lines from a socket: next() resolves with the next one (or rejects on close/timeout). */
export function lineReader(s: net.Socket): { next(timeoutMs: number): Promise<Record<string, unknown>> } {
  let buf = '';
  const lines: string[] = [];
  let waiter: ((l: string | null) => void) | null = null;
  let closed = false;
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    if (waiter && lines.length) {
      const w = waiter;
      waiter = null;
      w(lines.shift()!);
    }
    if (buf.length > 1 << 20) s.destroy();
  });
  const end = (): void => {
    closed = true;
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(null);
    }
  };
  s.on('close', end);
  s.on('error', end);
  return {
    next(timeoutMs) {
      return new Promise((resolve, reject) => {
        const take = (l: string | null): void => {
          clearTimeout(timer);
          if (l === null) return reject(new ResponderError('the responder closed the connection', 'protocol'));
          try {
            const v = JSON.parse(l) as Record<string, unknown>;
            if (v.ok === false) return reject(new ResponderError(`the responder refused: ${String(v.error)}${v.detail ? ` (${String(v.detail)})` : ''}`, 'refused-by-responder'));
            resolve(v);
          } catch {
            reject(new ResponderError('the responder sent something that is not JSON', 'protocol'));
          }
        };
        const timer = setTimeout(() => {
          waiter = null;
          reject(new ResponderError(`no answer from the responder within ${timeoutMs} ms`, 'timeout'));
        }, timeoutMs);
        if (lines.length) take(lines.shift()!);
        else if (closed) take(null);
        else waiter = take;
      });
    },
  };
}

export interface ArrivedView {
  /** What the responder saw. */
  arrived: ArrivedReply;
  /** This end of the same connection. */
  local: { address: string; port: number };
  /** The MSS this end advertised in its SYN (from TCP_INFO tcpi_advmss), null without the addon. */
  offeredMss: number | null;
  /** Clock offset of the server (server − client, ms) from the NTP-style exchange, and its uncertainty (RTT/2). */
  clock: { offsetMs: number; rttMs: number; samples: number } | null;
}

/** One control connection: 'arrived', then `samples` time exchanges for the clock offset. */
export async function askArrived(a: ResponderAddress, timeoutMs: number, samples = 5): Promise<ArrivedView> {
  const s = await openControl(a, timeoutMs);
  try {
    const raw = (s as tls.TLSSocket).encrypted ? ((s as unknown as { _parent?: net.Socket })._parent ?? s) : s;
    const fd = (raw as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const addon = loadAddon();
    let offeredMss: number | null = null;
    if (addon && typeof fd === 'number' && fd >= 0) {
      try {
        offeredMss = addon.tcpInfo(fd).advMss || null;
      } catch {
        offeredMss = null;
      }
    }
    const local = { address: (s.localAddress ?? '').replace(/^::ffff:(?=\d)/, ''), port: s.localPort ?? 0 };
    const r = lineReader(s);
    s.write(withToken(a, { op: 'arrived' }, PAD_ARRIVED));
    const arrived = (await r.next(timeoutMs)) as unknown as ArrivedReply;
    // Linux lowers tcpi_advmss by the aligned timestamp option (12 bytes) once timestamps are
    // negotiated; the SYN carried the MSS before that (they are, when the SYN arrived with them).
    if (offeredMss !== null && arrived.syn?.timestamps) offeredMss += 12;
    let best: { offsetMs: number; rttMs: number } | null = null;
    let taken = 0;
    for (let i = 0; i < samples; i++) {
      const t1 = now();
      s.write(withToken(a, { op: 'time', t1 }, 200));
      let m: Record<string, unknown>;
      try {
        m = await r.next(timeoutMs);
      } catch (err) {
        // On a lossy path an answer may wait for retransmissions: keep the samples already taken.
        if (best && err instanceof ResponderError && err.kind === 'timeout') break;
        throw err;
      }
      taken++;
      const t4 = now();
      const t2 = Number(m.t2);
      const t3 = Number(m.t3);
      const rtt = t4 - t1 - (t3 - t2);
      const offset = (t2 - t1 + (t3 - t4)) / 2;
      if (!best || rtt < best.rttMs) best = { offsetMs: offset, rttMs: rtt };
    }
    return { arrived, local, offeredMss, clock: best ? { ...best, samples: taken } : null };
  } finally {
    s.destroy();
  }
}

export interface LossResult {
  sent: number;
  /** Echo requests the responder counted. null when the count never came back. */
  arrived: number | null;
  /** Answers that came back. */
  answered: number;
  /** Before the clock offset: min(server receive − client send), min(client receive − server send); `oneWay` makes them one-way delays. */
  raw: { forwardMs: number; returnMs: number } | null;
}

/** One-way delays from the raw minima once the clock offset (server − client) is known. */
export function oneWay(raw: LossResult['raw'], offsetMs: number | null): { forwardMs: number | null; returnMs: number | null } {
  return raw && offsetMs !== null ? { forwardMs: raw.forwardMs - offsetMs, returnMs: raw.returnMs + offsetMs } : { forwardMs: null, returnMs: null };
}

/**
 * UDP echoes: how many reached the responder, how many answers came back (loss per direction).
 * Without `waitMs`, the wait for late answers follows the round trips the answers show (4 × the
 * slowest + 100 ms, 0.2–1 s; 0.3 s, and one question for the count, when none came back). The
 * echoes need no clock offset: `raw` keeps what `oneWay` needs once it is known.
 */
/** How many times to ask for the count: 1 when nothing answered; else enough that, losing as the echoes did, every ask is lost with p < 1e-4 (3 to 12). */
export function countAsks(silent: boolean, answeredFraction: number): number {
  if (silent) return 1;
  const lost = Math.min(0.95, Math.max(0.01, 1 - answeredFraction));
  return Math.max(3, Math.min(12, Math.ceil(Math.log(1e-4) / Math.log(lost))));
}

export async function udpLoss(a: ResponderAddress, o: { count: number; intervalMs: number; waitMs?: number }): Promise<LossResult> {
  const sock = dgram.createSocket(net.isIPv6(a.host) ? 'udp6' : 'udp4');
  sock.on('error', () => {});
  const id = nodeCrypto().randomInt(1, 2 ** 31 - 1);
  const seen = new Set<number>();
  // Minima of (server receive − client send) and (client receive − server send): the one-way delays plus/minus the offset.
  let fwdRaw = Infinity;
  let retRaw = Infinity;
  let maxRtt = 0;
  let count: number | null = null;
  sock.on('message', (m) => {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(m.toString('latin1').trimEnd()) as Record<string, unknown>;
    } catch {
      return;
    }
    if (v.id !== id) return;
    if (v.op === 'echo' && typeof v.seq === 'number') {
      const t4 = now();
      seen.add(v.seq);
      const t1 = Number(v.t1);
      const t2 = Number(v.t2);
      const t3 = Number(v.t3);
      if (Number.isFinite(t1)) maxRtt = Math.max(maxRtt, t4 - t1 - (Number.isFinite(t3 - t2) ? t3 - t2 : 0));
      if (Number.isFinite(t2 - t1)) fwdRaw = Math.min(fwdRaw, t2 - t1);
      if (Number.isFinite(t3)) retRaw = Math.min(retRaw, t4 - t3);
    } else if (v.op === 'count' && typeof v.received === 'number') count = v.received;
  });
  await new Promise<void>((r) => sock.connect(a.port, a.host, () => r()));
  const send = (obj: Record<string, unknown>, pad: number): void => {
    const text = withToken(a, obj, pad).trimEnd();
    sock.send(Buffer.from(text.padEnd(pad, ' ')));
  };
  for (let i = 0; i < o.count; i++) {
    send({ op: 'echo', id, seq: i, t1: now() }, 200);
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
  // Nothing answered at all: no responder there (or nothing comes back, and neither would the count).
  const silent = seen.size === 0;
  const waitMs = o.waitMs ?? (silent ? 300 : Math.max(200, Math.min(1000, 4 * maxRtt + 100)));
  await new Promise((r) => setTimeout(r, waitMs));
  // The count is asked until it comes back: the question or its answer may be lost too, as often
  // as the echoes were. Enough asks that all of them are lost less than once in 10,000 runs.
  for (let i = 0; i < countAsks(silent, seen.size / o.count) && count === null; i++) {
    send({ op: 'count', id }, 200);
    await new Promise((r) => setTimeout(r, Math.max(50, waitMs / 2)));
  }
  sock.close();
  const raw = Number.isFinite(fwdRaw) && Number.isFinite(retRaw) ? { forwardMs: fwdRaw, returnMs: retRaw } : null;
  return { sent: o.count, arrived: count, answered: seen.size, raw };
}

export interface ReturnMtuResult {
  /** IP sizes asked for, and which arrived. */
  asked: number[];
  arrived: number[];
  /** The largest size that arrived / smallest that did not. */
  largestOk: number | null;
  smallestLost: number | null;
  /** The responder could force DF (else the kernel may have fragmented). */
  df: boolean | null;
  /** The largest request (IP bytes) that reached the responder: the client→server direction carries at least this. */
  forwardLargest: number | null;
}

export const RETURN_MTU_SIZES = [576, 1000, 1200, 1280, 1350, 1400, 1420, 1450, 1472, 1480, 1492, 1500];

/** Asks the responder for DF datagrams of each size (IP bytes) and sees which arrive. */
export async function returnMtu(a: ResponderAddress, o: { sizes?: number[]; waitMs: number; rounds?: number }): Promise<ReturnMtuResult> {
  const sizes = o.sizes ?? RETURN_MTU_SIZES;
  const v6 = net.isIPv6(a.host);
  const sock = dgram.createSocket(v6 ? 'udp6' : 'udp4');
  sock.on('error', () => {});
  const id = nodeCrypto().randomInt(1, 2 ** 31 - 1);
  const got = new Set<number>();
  let df: boolean | null = null;
  let forwardLargest: number | null = null;
  sock.on('message', (m) => {
    try {
      const v = JSON.parse(m.toString('latin1').trimEnd()) as Record<string, unknown>;
      if (v.op === 'mtu' && v.id === id && typeof v.size === 'number') {
        got.add(v.size);
        df = v.df === true;
        if (typeof v.req === 'number') forwardLargest = Math.max(forwardLargest ?? 0, v.req);
      }
    } catch {
      /* not ours */
    }
  });
  await new Promise<void>((r) => sock.connect(a.port, a.host, () => r()));
  const header = v6 ? 48 : 28;
  const rounds = o.rounds ?? 2;
  for (let round = 0; round < rounds + 1; round++) {
    const missing = sizes.filter((s) => !got.has(s));
    if (missing.length === 0) break;
    // The request is padded to the largest size asked for: when it is answered, the client→server
    // direction carried that size (anonymous clients must pad anyway: no answer larger than the
    // request). With the token, a last unpadded round tells a forward-path limit from a dead responder.
    const last = round === rounds;
    if (last && (a.token === null || got.size > 0)) break;
    const text = withToken(a, { op: 'mtu', id, sizes: missing }, 0).trimEnd();
    const pad = last ? text.length : Math.max(...missing) - header;
    sock.send(Buffer.from(text.padEnd(pad, ' ')));
    await new Promise((r) => setTimeout(r, o.waitMs));
  }
  sock.close();
  const arrived = sizes.filter((s) => got.has(s)).sort((x, y) => x - y);
  const lost = sizes.filter((s) => !got.has(s)).sort((x, y) => x - y);
  const largestOk = arrived.length ? arrived[arrived.length - 1]! : null;
  const smallestLost = lost.find((s) => largestOk === null || s > largestOk) ?? null;
  return { asked: sizes, arrived, largestOk, smallestLost, df, forwardLargest };
}
