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

/** Reads a capture from a stream (standard input), chunk by chunk as it arrives. */
export async function readCaptureStream(stream: Readable, onPacket: PacketFn, name = 'standard input'): Promise<CaptureInfo> {
  const r = new CaptureReader(onPacket, name, 4 * CHUNK);
  for await (const chunk of stream) {
    r.push(chunk as Buffer);
    if (r.done) {
      stream.destroy();
      break;
    }
  }
  return r.finish();
}
