/**
 * Drives the reader over a file (synchronous reads straight into the reader's buffer: no copy, no
 * event-loop cost per chunk) or a stream such as standard input (`-`).
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CaptureReader, type CaptureInfo, type PacketFn } from './reader.js';

const CHUNK = 1 << 20;

/** Reads a capture file; `onPacket` sees every packet. Throws CaptureError / errno errors. */
export function readCaptureFile(path: string, onPacket: PacketFn, name = path): CaptureInfo {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error(`${path}: is a directory`), { code: 'EISDIR' });
    const r = new CaptureReader(onPacket, name, 4 * CHUNK);
    for (;;) {
      const w = r.writable(CHUNK);
      const n = readSync(fd, w.buf, w.off, w.len, null);
      if (n === 0) break;
      r.wrote(n);
      if (r.done) break;
    }
    return r.finish();
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a capture from a stream (standard input), chunk by chunk as it arrives, until it ends or
 * `signal` aborts (Ctrl-C on `tcpdump -w - | netdx pcap -`: the packets so far are analysed).
 */
export function readCaptureStream(stream: Readable, onPacket: PacketFn, name = 'standard input', signal?: AbortSignal): Promise<CaptureInfo> {
  const r = new CaptureReader(onPacket, name, 4 * CHUNK);
  return new Promise<CaptureInfo>((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      signal?.removeEventListener('abort', finish);
      try {
        resolve(r.finish());
      } catch (err) {
        reject(err);
      }
    };
    const onData = (chunk: Buffer): void => {
      try {
        r.push(chunk);
      } catch (err) {
        settled = true;
        stream.off('data', onData);
        stream.destroy();
        reject(err);
        return;
      }
      if (r.done) {
        stream.destroy();
        finish();
      }
    };
    stream.on('data', onData);
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    if (signal) {
      if (signal.aborted) finish();
      else signal.addEventListener('abort', finish, { once: true });
    }
  });
}
