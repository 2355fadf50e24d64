/**
 * Application decoders of a capture: DNS messages and TLS handshake records. Untrusted bytes:
 * every read is bounds-checked, name compression has a jump limit, and a damaged message is null
 * (never an exception, never a loop).
 */
import { ip4, ip6 } from './decode.js';

export interface DnsMessage {
  id: number;
  response: boolean;
  rcode: number;
  qname: string;
  qtype: number;
  /** A / AAAA addresses in the answer section; CNAME targets. */
  answers: string[];
  cnames: string[];
}

export const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
export const QTYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 65: 'HTTPS', 255: 'ANY' };

/** A name at b[o…end): [name, offset after it in the message] or null when damaged. */
function dnsName(b: Buffer, start: number, o: number, end: number): [string, number] | null {
  const labels: string[] = [];
  let after = -1;
  let total = 0;
  for (let jumps = 0; jumps < 32;) {
    if (o >= end) return null;
    const len = b[o]!;
    if (len === 0) {
      if (after < 0) after = o + 1;
      return [labels.join('.') || '.', after];
    }
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= end) return null;
      if (after < 0) after = o + 2;
      o = start + (((len & 0x3f) << 8) | b[o + 1]!);
      jumps++;
      continue;
    }
    if (len & 0xc0 || o + 1 + len > end) return null;
    total += len + 1;
    if (total > 255) return null;
    labels.push(b.toString('latin1', o + 1, o + 1 + len));
    o += 1 + len;
  }
  return null;
}

/** Decodes a DNS message at b[o, o+len). */
export function parseDns(b: Buffer, o: number, len: number): DnsMessage | null {
  const end = o + len;
  if (len < 12) return null;
  const id = b.readUInt16BE(o);
  const fl = b.readUInt16BE(o + 2);
  const qd = b.readUInt16BE(o + 4);
  const an = b.readUInt16BE(o + 6);
  if (qd !== 1) return null;
  let p = o + 12;
  const q = dnsName(b, o, p, end);
  if (!q || q[1] + 4 > end) return null;
  p = q[1];
  const msg: DnsMessage = { id, response: (fl & 0x8000) !== 0, rcode: fl & 15, qname: q[0], qtype: b.readUInt16BE(p), answers: [], cnames: [] };
  p += 4;
  for (let i = 0; i < an && i < 64; i++) {
    const n = dnsName(b, o, p, end);
    if (!n || n[1] + 10 > end) break;
    p = n[1];
    const type = b.readUInt16BE(p);
    const rdlen = b.readUInt16BE(p + 8);
    p += 10;
    if (p + rdlen > end) break;
    if (type === 1 && rdlen === 4) msg.answers.push(ip4(b.readUInt32BE(p)));
    else if (type === 28 && rdlen === 16) msg.answers.push(ip6(b.readUInt32BE(p), b.readUInt32BE(p + 4), b.readUInt32BE(p + 8), b.readUInt32BE(p + 12)));
    else if (type === 5) {
      const c = dnsName(b, o, p, p + rdlen);
      if (c) msg.cnames.push(c[0]);
    }
    p += rdlen;
  }
  return msg;
}

// ── TLS ─────────────────────────────────────────────────────────────────────

export const TLS_VERSIONS: Record<number, string> = { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };
export const tlsVersionName = (v: number): string => TLS_VERSIONS[v] ?? `0x${v.toString(16).padStart(4, '0')}`;

export interface TlsEvent {
  kind: 'clientHello' | 'serverHello' | 'certificate' | 'certificateRequest' | 'alert' | 'ccs';
  /** clientHello: SNI and the versions offered; serverHello: the chosen version and cipher. */
  sni?: string;
  versions?: number[];
  version?: number;
  cipher?: number;
  /** certificate: DER certificates in the order sent. */
  certs?: Buffer[];
  level?: number;
  description?: number;
}

/** Cap on the handshake bytes kept per direction (a certificate chain fits in far less). */
export const TLS_STREAM_MAX = 128 * 1024;

/**
 * One direction of a TLS connection: in-order payload bytes are appended, complete records are
 * parsed into events. Stops (and frees its buffer) at the first encrypted record.
 */
export class TlsStream {
  private buf: Buffer = Buffer.alloc(0);
  private hs: Buffer = Buffer.alloc(0);
  done = false;
  readonly events: TlsEvent[] = [];
  /** Packet number of the segment that completed each event (parallel to events). */
  readonly eventPackets: number[] = [];
  readonly eventTimes: number[] = [];

  push(data: Buffer, n: number, tsUs: number): void {
    if (this.done) return;
    this.buf = this.buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.buf, data]);
    if (this.buf.length > TLS_STREAM_MAX) {
      this.done = true;
      this.buf = Buffer.alloc(0);
      return;
    }
    let o = 0;
    while (this.buf.length - o >= 5 && !this.done) {
      const type = this.buf[o]!;
      const ver = this.buf.readUInt16BE(o + 1);
      const len = this.buf.readUInt16BE(o + 3);
      if (type < 20 || type > 24 || ver >> 8 !== 3 || len > 18432) {
        this.done = true;
        break;
      }
      if (this.buf.length - o < 5 + len) break;
      const body = this.buf.subarray(o + 5, o + 5 + len);
      o += 5 + len;
      if (type === 22) this.handshake(body, n, tsUs);
      else if (type === 21 && len === 2) this.emit({ kind: 'alert', level: body[0]!, description: body[1]! }, n, tsUs);
      else if (type === 20) {
        this.emit({ kind: 'ccs' }, n, tsUs);
        this.done = true;
      } else this.done = true; // application data or an encrypted alert: the plaintext part is over
    }
    this.buf = this.done ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(o));
  }

  private emit(e: TlsEvent, n: number, tsUs: number): void {
    if (this.events.length >= 32) return;
    this.events.push(e);
    this.eventPackets.push(n);
    this.eventTimes.push(tsUs);
  }

  private handshake(body: Buffer, n: number, tsUs: number): void {
    this.hs = this.hs.length === 0 ? Buffer.from(body) : Buffer.concat([this.hs, body]);
    let o = 0;
    while (this.hs.length - o >= 4) {
      const t = this.hs[o]!;
      const len = this.hs.readUIntBE(o + 1, 3);
      if (len > TLS_STREAM_MAX) {
        this.done = true;
        return;
      }
      if (this.hs.length - o < 4 + len) break;
      const m = this.hs.subarray(o + 4, o + 4 + len);
      o += 4 + len;
      const e = t === 1 ? clientHello(m) : t === 2 ? serverHello(m) : t === 11 ? certificate(m) : t === 13 ? ({ kind: 'certificateRequest' } as TlsEvent) : null;
      if (e) this.emit(e, n, tsUs);
      // A TLS 1.3 ServerHello: everything after it is encrypted.
      if (e?.kind === 'serverHello' && e.version === 0x0304) this.done = true;
    }
    this.hs = Buffer.from(this.hs.subarray(o));
  }
}

function extensions(m: Buffer, o: number, fn: (type: number, b: Buffer) => void): void {
  if (o + 2 > m.length) return;
  const total = m.readUInt16BE(o);
  let p = o + 2;
  const end = Math.min(m.length, p + total);
  while (p + 4 <= end) {
    const type = m.readUInt16BE(p);
    const len = m.readUInt16BE(p + 2);
    if (p + 4 + len > end) return;
    fn(type, m.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
}

function clientHello(m: Buffer): TlsEvent | null {
  if (m.length < 38) return null;
  const legacy = m.readUInt16BE(0);
  let o = 34;
  o += 1 + m[o]!;
  if (o + 2 > m.length) return null;
  o += 2 + m.readUInt16BE(o);
  if (o + 1 > m.length) return null;
  o += 1 + m[o]!;
  const e: TlsEvent = { kind: 'clientHello', versions: [legacy] };
  extensions(m, o, (type, b) => {
    if (type === 0 && b.length >= 5) {
      // server_name_list: list length(2), name type(1), name length(2), name.
      const nlen = b.readUInt16BE(3);
      if (b[2] === 0 && 5 + nlen <= b.length) e.sni = b.toString('latin1', 5, 5 + nlen);
    } else if (type === 43 && b.length >= 1) {
      const vs: number[] = [];
      for (let i = 1; i + 1 < Math.min(b.length, 1 + b[0]!); i += 2) {
        const v = b.readUInt16BE(i);
        if ((v & 0x0f0f) !== 0x0a0a) vs.push(v); // GREASE values are not versions
      }
      e.versions = vs;
    }
  });
  return e;
}

function serverHello(m: Buffer): TlsEvent | null {
  if (m.length < 38) return null;
  let version = m.readUInt16BE(0);
  let o = 34;
  o += 1 + m[o]!;
  if (o + 3 > m.length) return null;
  const cipher = m.readUInt16BE(o);
  o += 3;
  extensions(m, o, (type, b) => {
    if (type === 43 && b.length === 2) version = b.readUInt16BE(0);
  });
  return { kind: 'serverHello', version, cipher };
}

function certificate(m: Buffer): TlsEvent | null {
  if (m.length < 3) return null;
  const total = m.readUIntBE(0, 3);
  const end = Math.min(m.length, 3 + total);
  const certs: Buffer[] = [];
  let o = 3;
  while (o + 3 <= end && certs.length < 10) {
    const len = m.readUIntBE(o, 3);
    if (o + 3 + len > end) break;
    certs.push(Buffer.from(m.subarray(o + 3, o + 3 + len)));
    o += 3 + len;
  }
  return { kind: 'certificate', certs };
}
