/**
 * Throughput against a netdx responder (like iperf3 against `iperf3 -s`): N parallel streams
 * upload BYTES each (the responder's sink), then N streams download BYTES each (its source).
 * Retransmissions come from TCP_INFO: this end's for the upload, the responder's for the download.
 */
import net from 'node:net';
import { loadAddon } from '../native/addon.js';
import type { ResponderAddress } from '../probes/responder-client.js';

export interface DirectionResult {
  direction: 'upload' | 'download';
  streams: number;
  bytes: number;
  ms: number;
  bitsPerSecond: number;
  /** Segments retransmitted by the sender (TCP_INFO tcpi_total_retrans), null when not known. */
  retransmits: number | null;
  /** Streams that did not complete, with why. */
  errors: string[];
}

const CHUNK = Buffer.alloc(1 << 20, 0x61);

function fdOf(s: net.Socket): number | null {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

function retransOf(s: net.Socket): number | null {
  const addon = loadAddon();
  const fd = fdOf(s);
  if (!addon || fd === null) return null;
  try {
    return addon.tcpInfo(fd).totalRetrans;
  } catch {
    return null;
  }
}

interface StreamResult {
  bytes: number;
  retrans: number | null;
  error: string | null;
}

function header(a: ResponderAddress, op: 'sink' | 'source', bytes: number): string {
  return JSON.stringify(a.token !== null ? { op, bytes, token: a.token } : { op, bytes }) + '\n';
}

function upload(a: ResponderAddress, bytes: number, timeoutMs: number): Promise<StreamResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host: a.host, port: a.port, noDelay: false });
    let tail = '';
    let left = bytes;
    let retrans: number | null = null;
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    const done = (error: string | null, sent = bytes - left): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes: sent, retrans, error });
    };
    s.on('error', (e) => done((e as NodeJS.ErrnoException).code ?? e.message));
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      tail += d;
      const nl = tail.indexOf('\n');
      if (nl < 0) return;
      try {
        const v = JSON.parse(tail.slice(0, nl)) as { ok?: boolean; received?: number; error?: string };
        if (v.ok === false) return done(`responder: ${v.error ?? 'refused'}`, 0);
        retrans = retransOf(s);
        done(null, v.received ?? bytes - left);
      } catch {
        done('responder: not JSON', 0);
      }
    });
    s.on('connect', () => {
      s.write(header(a, 'sink', bytes));
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, CHUNK.length);
          left -= n;
          if (!s.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
            s.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

function download(a: ResponderAddress, bytes: number, timeoutMs: number): Promise<StreamResult> {
  return new Promise((resolve) => {
    let got = 0;
    let tail = '';
    const buf = Buffer.allocUnsafe(1 << 18);
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    let settled = false;
    const done = (error: string | null, retrans: number | null = null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes: Math.min(got, bytes), retrans, error });
    };
    const s = net.connect({
      host: a.host,
      port: a.port,
      onread: {
        buffer: buf,
        callback: (n: number, b: Uint8Array) => {
          const before = got;
          got += n;
          if (got > bytes) tail += Buffer.from(b.buffer, b.byteOffset + Math.max(0, bytes - before), n - Math.max(0, bytes - before)).toString('latin1');
          else if (before === 0 && n > 0 && b[0] === 0x7b && bytes > 0) {
            // An error line instead of data ('{"ok":false…'): the responder refused.
            const text = Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
            if (text.startsWith('{"ok":false')) {
              got = 0;
              done(`responder: ${/"error":"([^"]+)"/.exec(text)?.[1] ?? 'refused'}`);
              return false;
            }
          }
          const nl = tail.indexOf('\n');
          if (nl >= 0) {
            try {
              const v = JSON.parse(tail.slice(0, nl)) as { tcpInfo?: { totalRetrans?: number } | null };
              done(null, v.tcpInfo?.totalRetrans ?? null);
            } catch {
              done('responder: not JSON');
            }
          }
          return true;
        },
      },
    });
    s.on('error', (e) => done((e as NodeJS.ErrnoException).code ?? e.message));
    s.on('end', () => done(got >= bytes ? null : 'closed early'));
    s.on('connect', () => s.write(header(a, 'source', bytes)));
  });
}

export async function throughput(a: ResponderAddress, o: { bytes: number; streams: number; direction: 'upload' | 'download'; timeoutMs: number }): Promise<DirectionResult> {
  const t0 = performance.now();
  const one = o.direction === 'upload' ? upload : download;
  const rs = await Promise.all(Array.from({ length: o.streams }, () => one(a, o.bytes, o.timeoutMs)));
  const ms = performance.now() - t0;
  const bytes = rs.reduce((s, r) => s + r.bytes, 0);
  const known = rs.filter((r) => r.retrans !== null);
  return {
    direction: o.direction,
    streams: o.streams,
    bytes,
    ms,
    bitsPerSecond: ms > 0 ? (bytes * 8 * 1000) / ms : 0,
    retransmits: known.length === rs.length && rs.length > 0 ? known.reduce((s, r) => s + (r.retrans ?? 0), 0) : null,
    errors: rs.filter((r) => r.error !== null).map((r) => r.error!),
  };
}
