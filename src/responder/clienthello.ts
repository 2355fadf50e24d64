/**
 * The TLS ClientHello as the server received it (a middlebox may rewrite or strip it): the
 * record and hello versions, SNI, ALPN, the offered versions, cipher suite and extension counts.
 * Pure and bounded: reads the first record only, never throws.
 */

import type { HelloView } from '../model/responder.js';
export type { HelloView };

const VERSIONS: Record<number, string> = { 0x0300: 'SSL3', 0x0301: 'TLS1.0', 0x0302: 'TLS1.1', 0x0303: 'TLS1.2', 0x0304: 'TLS1.3' };
const ver = (v: number): string => VERSIONS[v] ?? `0x${v.toString(16).padStart(4, '0')}`;

/** True when the bytes start like a TLS handshake record. */
export function looksLikeTls(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x16 && b[1] === 0x03;
}

/** Parses the first TLS record as a ClientHello; null when it is not one (or not complete in `b`). */
export function parseClientHello(b: Uint8Array): HelloView | null {
  if (!looksLikeTls(b) || b.length < 9) return null;
  const u16 = (i: number): number => (b[i]! << 8) | b[i + 1]!;
  const recLen = u16(3);
  const end = 5 + recLen;
  if (b.length < end || b[5] !== 0x01) return null;
  const hsLen = (b[6]! << 16) | (b[7]! << 8) | b[8]!;
  if (9 + hsLen > end) return null; // a hello split over records: not followed
  let i = 9;
  const need = (n: number): boolean => i + n <= 9 + hsLen;
  if (!need(2 + 32 + 1)) return null;
  const view: HelloView = { recordVersion: ver(u16(1)), helloVersion: ver(u16(i)), versions: [], sni: null, alpn: [], cipherSuites: 0, extensions: [], bytes: end };
  i += 2 + 32;
  const sid = b[i]!;
  i += 1 + sid;
  if (!need(2)) return null;
  const cs = u16(i);
  i += 2;
  if (!need(cs)) return null;
  view.cipherSuites = cs >> 1;
  i += cs;
  if (!need(1)) return null;
  i += 1 + b[i]!;
  if (!need(2)) return view; // no extensions
  const extEnd = i + 2 + u16(i);
  i += 2;
  if (extEnd > 9 + hsLen) return null;
  while (i + 4 <= extEnd) {
    const type = u16(i);
    const len = u16(i + 2);
    const at = i + 4;
    if (at + len > extEnd) return null;
    view.extensions.push(type);
    if (type === 0 && len >= 5) {
      const nameLen = u16(at + 3);
      if (b[at + 2] === 0 && at + 5 + nameLen <= at + len) view.sni = Buffer.from(b.subarray(at + 5, at + 5 + nameLen)).toString('latin1');
    } else if (type === 16 && len >= 2) {
      for (let j = at + 2; j < at + len;) {
        const l = b[j]!;
        if (j + 1 + l > at + len) break;
        view.alpn.push(Buffer.from(b.subarray(j + 1, j + 1 + l)).toString('latin1'));
        j += 1 + l;
      }
    } else if (type === 43 && len >= 1) {
      for (let j = at + 1; j + 1 < at + 1 + b[at]! && j + 1 < at + len; j += 2) view.versions.push(ver(u16(j)));
    }
    i = at + len;
  }
  return view;
}
