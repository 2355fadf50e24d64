/**
 * Did the server ask for a client certificate, and from which CAs? TLS 1.2 sends the
 * CertificateRequest in the clear (the tap keeps its body); TLS 1.3 encrypts it under the
 * server handshake traffic secret, which node hands to a 'keylog' listener. With that secret
 * the probe decrypts its OWN connection's server handshake records (RFC 8446 §5.2, §7.1-7.3) and
 * looks for a CertificateRequest (type 13) before the server's Finished (type 20). The acceptable
 * CA names (certificate_authorities: TLS 1.2 field, TLS 1.3 extension 47) become evidence of
 * TLS-007. Untrusted input: every length is checked; a record that does not decrypt ends the scan.
 */
import type { createDecipheriv } from 'node:crypto';
import { nodeCrypto } from '../model/builtin.js';
import { nameText } from './der.js';

export interface CertRequest {
  /** The CA names the server accepts client certificates from (may be empty: "any"). */
  caNames: string[];
}

class Reader {
  constructor(
    private readonly b: Buffer,
    public p = 0,
  ) {}
  need(n: number): void {
    if (this.p + n > this.b.length) throw new Error('truncated');
  }
  u8(): number {
    this.need(1);
    return this.b[this.p++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.p);
    this.p += 2;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
  get done(): boolean {
    return this.p >= this.b.length;
  }
}

/** DistinguishedName authorities<3..2^16-1>: each DN is opaque<1..2^16-1> (DER). */
function caList(v: Buffer): string[] {
  const r = new Reader(v);
  const out: string[] = [];
  while (!r.done && out.length < 64) {
    const dn = r.bytes(r.u16());
    try {
      out.push(nameText(Buffer.from(dn)));
    } catch {
      out.push(`(unparsable name, ${dn.length} bytes)`);
    }
  }
  return out;
}

/** TLS 1.2 CertificateRequest body: certificate_types, supported_signature_algorithms, certificate_authorities. */
export function parseCertificateRequest12(body: Buffer): CertRequest {
  const r = new Reader(body);
  r.bytes(r.u8());
  r.bytes(r.u16());
  return { caNames: caList(r.bytes(r.u16())) };
}

/** TLS 1.3 CertificateRequest body: certificate_request_context, extensions (47 = certificate_authorities). */
export function parseCertificateRequest13(body: Buffer): CertRequest {
  const r = new Reader(body);
  r.bytes(r.u8());
  const ext = new Reader(r.bytes(r.u16()));
  while (!ext.done) {
    const type = ext.u16();
    const data = ext.bytes(ext.u16());
    if (type === 47) {
      const inner = new Reader(data);
      return { caNames: caList(inner.bytes(inner.u16())) };
    }
  }
  return { caNames: [] };
}

const SUITES: Record<string, { hash: 'sha256' | 'sha384'; cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLen: number }> = {
  TLS_AES_128_GCM_SHA256: { hash: 'sha256', cipher: 'aes-128-gcm', keyLen: 16 },
  TLS_AES_256_GCM_SHA384: { hash: 'sha384', cipher: 'aes-256-gcm', keyLen: 32 },
  TLS_CHACHA20_POLY1305_SHA256: { hash: 'sha256', cipher: 'chacha20-poly1305', keyLen: 32 },
};

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
export function expandLabel(hash: 'sha256' | 'sha384', secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    prev = nodeCrypto()
      .createHmac(hash, secret)
      .update(Buffer.concat([prev, info, Buffer.from([i])]))
      .digest();
    out.push(prev);
  }
  return Buffer.concat(out).subarray(0, length);
}

/**
 * Decrypts the server's encrypted handshake records (TLS 1.3) and returns the handshake
 * messages (type, body) up to the server's Finished; null when the suite is unknown or the first
 * record does not decrypt (not our secret, not TLS 1.3).
 */
export function decryptServerHandshake(records: readonly Buffer[], cipherName: string, secret: Buffer): Array<{ type: number; body: Buffer }> | null {
  const suite = SUITES[cipherName];
  if (!suite) return null;
  const key = expandLabel(suite.hash, secret, 'key', suite.keyLen);
  const iv = expandLabel(suite.hash, secret, 'iv', 12);
  const plain: Buffer[] = [];
  let seq = 0;
  for (const rec of records) {
    if (rec.length < 5 + 17 || rec[0] !== 23) break;
    const nonce = Buffer.from(iv);
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Math.floor(seq / 2 ** (8 * i)) & 0xff;
    const body = rec.subarray(5);
    try {
      const d = nodeCrypto().createDecipheriv(suite.cipher, key, nonce, { authTagLength: 16 } as never) as ReturnType<typeof createDecipheriv> & {
        setAAD(b: Buffer): void;
        setAuthTag(b: Buffer): void;
      };
      d.setAAD(rec.subarray(0, 5));
      d.setAuthTag(body.subarray(body.length - 16));
      const inner = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
      let end = inner.length;
      while (end > 0 && inner[end - 1] === 0) end--;
      if (end === 0) break;
      if (inner[end - 1] === 22) plain.push(inner.subarray(0, end - 1));
    } catch {
      if (seq === 0) return null;
      break; // past the handshake: application traffic keys
    }
    seq++;
  }
  const msgs: Array<{ type: number; body: Buffer }> = [];
  const all = Buffer.concat(plain);
  let p = 0;
  while (p + 4 <= all.length) {
    const type = all[p]!;
    const len = all.readUIntBE(p + 1, 3);
    if (p + 4 + len > all.length) break;
    msgs.push({ type, body: all.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
    if (type === 20) break;
  }
  return msgs;
}

/** The CertificateRequest of a TLS 1.3 handshake: null when none (or it could not be read), else its CA names. */
export function certificateRequest13(records: readonly Buffer[], cipherName: string, secret: Buffer): { requested: boolean; caNames: string[] } | null {
  const msgs = decryptServerHandshake(records, cipherName, secret);
  if (!msgs || msgs.length === 0) return null;
  const req = msgs.find((m) => m.type === 13);
  if (!req) return msgs.some((m) => m.type === 20) ? { requested: false, caNames: [] } : null;
  try {
    return { requested: true, caNames: parseCertificateRequest13(req.body).caNames };
  } catch {
    return { requested: true, caNames: [] };
  }
}
