/**
 * The transport under the TLS probes: a plain TCP connection (so a TCP failure is told apart
 * from a TLS one) and a pass-through stream that node:tls runs over, which feeds every byte
 * the server sends to a ServerRecords watcher and stops a server that sends too much.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ServerRecords } from './tls-records.js';
import { errCode, onAbort } from './abort.js';

/** A server that sends more than this before the handshake ends is cut off. */
export const MAX_HANDSHAKE_BYTES = 1024 * 1024;

export type TcpOpen = { ok: true; socket: net.Socket; ms: number } | { ok: false; errno: string; ms: number };

/** A TCP connection to address:port, or the errno ('ETIMEDOUT' when the signal ended it first). */
export function openTcp(address: string, port: number, signal: AbortSignal): Promise<TcpOpen> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = new net.Socket();
    let done = false;
    const finish = (r: TcpOpen): void => {
      if (done) return;
      done = true;
      detach();
      if (!r.ok) sock.destroy();
      resolve(r);
    };
    const detach = onAbort(signal, () => finish({ ok: false, errno: 'ETIMEDOUT', ms: performance.now() - t0 }));
    sock.once('connect', () => finish({ ok: true, socket: sock, ms: performance.now() - t0 }));
    sock.once('error', (err) => finish({ ok: false, errno: errCode(err) ?? 'error', ms: performance.now() - t0 }));
    sock.connect({ host: address, port, noDelay: true });
  });
}

export interface Tap {
  stream: Duplex;
  records: ServerRecords;
  /** What the raw socket saw: a RST (ECONNRESET), a FIN, another error, too many bytes. */
  raw: { reset: boolean; fin: boolean; error: string | null; overflow: boolean };
}

export function tap(sock: net.Socket, onOverflow: () => void): Tap {
  const records = new ServerRecords();
  const raw: Tap['raw'] = { reset: false, fin: false, error: null, overflow: false };
  const stream = new Duplex({
    read() {
      sock.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed || sock.writableEnded) return cb();
      sock.write(chunk);
      cb();
    },
    final(cb) {
      sock.end();
      cb();
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  sock.on('data', (b: Buffer) => {
    if (raw.overflow) return;
    records.feed(b);
    if (records.bytes > MAX_HANDSHAKE_BYTES) {
      raw.overflow = true;
      sock.destroy();
      onOverflow();
      return;
    }
    if (!stream.push(b)) sock.pause();
  });
  sock.on('end', () => {
    raw.fin = true;
    stream.push(null);
  });
  sock.on('error', (err) => {
    const code = errCode(err) ?? 'error';
    raw.error = code;
    if (code === 'ECONNRESET') raw.reset = true;
    stream.destroy(err);
  });
  sock.on('close', () => {
    if (!stream.destroyed) stream.destroy();
  });
  return { stream, records, raw };
}
