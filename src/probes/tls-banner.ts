/**
 * What a non-TLS service says by itself: a plain TCP connection that sends nothing and reads
 * up to 512 bytes for a short while. A TLS record is not a banner.
 */
import net from 'node:net';
import { FIRST_BYTES, printable } from './tls-records.js';
import { onAbort } from './abort.js';

/** A printable banner (≤ 120 characters) from the first bytes, or null when they are TLS or too few. */
export function bannerOf(first: Uint8Array): string | null {
  if (first.length === 0 || (first[0]! >= 20 && first[0]! <= 23 && first[1] === 3)) return null;
  const text = printable(first);
  return text.length > 0 ? text : null;
}

export function readBanner(address: string, port: number, waitMs: number, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const s = net.connect({ host: address, port });
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      detach();
      s.destroy();
      resolve(bannerOf(buf));
    };
    const timer = setTimeout(finish, Math.max(0, waitMs));
    const detach = onAbort(signal, finish);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]).subarray(0, FIRST_BYTES);
      if (buf.length >= FIRST_BYTES) finish();
    });
    s.on('error', finish);
    s.on('close', finish);
  });
}
