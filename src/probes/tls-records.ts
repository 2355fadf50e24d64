/**
 * A watcher of the bytes a TLS server sends, fed chunk by chunk: whether they are TLS at all
 * (and the first bytes, for a banner), the plaintext handshake messages before the server's
 * ChangeCipherSpec (ServerHello, Certificate, CertificateRequest, ServerHelloDone) and plaintext
 * alerts. TLS 1.2 sends CertificateRequest in the clear, which node reports by no event; TLS 1.3
 * encrypts it (then only the certificate_required alert tells). Pure and bounded: it keeps at
 * most FIRST_BYTES of raw input and one handshake message header at a time.
 */

export const FIRST_BYTES = 512;
/** At most this much of a CertificateRequest / of the encrypted TLS 1.3 handshake is kept. */
export const CAPTURE_BYTES = 64 * 1024;

/** TLS alert descriptions (RFC 5246, 8446 and registered ones) by number. */
export const ALERTS: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};
export const ALERT_NAMES: ReadonlySet<string> = new Set(Object.values(ALERTS));

const CONTENT_CCS = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPDATA = 23;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_CERT_REQUEST = 13;
const HS_SERVER_HELLO_DONE = 14;

export class ServerRecords {
  /** The first bytes the server sent (up to FIRST_BYTES). */
  first: Buffer = Buffer.alloc(0);
  /** Total bytes seen. */
  bytes = 0;
  /** true: the stream starts like TLS records; false: it does not; null: nothing yet. */
  tls: boolean | null = null;
  /** Plaintext handshake message types seen, in order (at most 32). */
  readonly handshakes: number[] = [];
  /** The first plaintext alert (level, description name). */
  alert: { fatal: boolean; name: string } | null = null;
  /** The server sent ChangeCipherSpec: what follows is encrypted. */
  encrypted = false;
  /** TLS ≤ 1.2: the CertificateRequest's body, as sent in the clear (at most CAPTURE_BYTES). */
  certificateRequest: Buffer | null = null;
  /**
   * TLS 1.3: the encrypted records after the ServerHello (header included, at most CAPTURE_BYTES
   * in all), which the probe may decrypt with the handshake secret to see a CertificateRequest.
   */
  readonly encryptedRecords: Buffer[] = [];
  private encryptedBytes = 0;
  private current: Buffer[] | null = null;
  private certReqParts: Buffer[] | null = null;
  private certReqLeft = 0;

  // Record parsing state: bytes of the current record header, remaining body bytes, its type.
  private header: number[] = [];
  private bodyLeft = 0;
  private type = 0;
  // Handshake message reassembly: the 4-byte header being read, then the body bytes to skip.
  private hsHeader: number[] = [];
  private hsLeft = 0;
  private alertBytes: number[] = [];

  feed(chunk: Uint8Array): void {
    if (this.first.length < FIRST_BYTES) this.first = Buffer.concat([this.first, Buffer.from(chunk.subarray(0, FIRST_BYTES - this.first.length))]);
    this.bytes += chunk.length;
    if (this.tls === false) return;
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft === 0) {
        this.header.push(chunk[i]!);
        i++;
        if (this.header.length === 1 && this.tls === null) this.tls = this.header[0]! >= CONTENT_CCS && this.header[0]! <= CONTENT_APPDATA;
        if (this.tls === false) return;
        if (this.header.length < 5) continue;
        const [type, major, minor, hi, lo] = this.header as [number, number, number, number, number];
        this.header = [];
        const len = (hi << 8) | lo;
        // Record type 20–23, version 3.x, length ≤ 2^14 + 2048: else not (or no longer) TLS.
        if (type < CONTENT_CCS || type > CONTENT_APPDATA || major !== 3 || len > 18_432) {
          if (this.handshakes.length === 0 && this.alert === null) this.tls = false;
          this.bodyLeft = 0;
          this.encrypted = true; // stop interpreting a stream we no longer understand
          return;
        }
        this.type = type;
        this.bodyLeft = len;
        if (type === CONTENT_CCS) this.encrypted = true;
        if (type === CONTENT_APPDATA && this.serverHello && this.encryptedBytes + 5 + len <= CAPTURE_BYTES) {
          this.encryptedBytes += 5 + len;
          this.current = [Buffer.from([type, major, minor, hi, lo])];
        }
        continue;
      }
      const n = Math.min(this.bodyLeft, chunk.length - i);
      if (!this.encrypted && this.type === CONTENT_HANDSHAKE) this.handshakeBytes(chunk.subarray(i, i + n));
      else if (!this.encrypted && this.type === CONTENT_ALERT) this.alertRecord(chunk.subarray(i, i + n));
      if (this.current) this.current.push(Buffer.from(chunk.subarray(i, i + n)));
      i += n;
      this.bodyLeft -= n;
      if (this.bodyLeft === 0 && this.current) {
        this.encryptedRecords.push(Buffer.concat(this.current));
        this.current = null;
      }
    }
  }

  private handshakeBytes(b: Uint8Array): void {
    let i = 0;
    while (i < b.length) {
      if (this.hsLeft > 0) {
        const n = Math.min(this.hsLeft, b.length - i);
        if (this.certReqParts && this.certReqLeft > 0) {
          this.certReqParts.push(Buffer.from(b.subarray(i, i + n)));
          this.certReqLeft -= n;
          if (this.certReqLeft === 0) {
            this.certificateRequest = Buffer.concat(this.certReqParts);
            this.certReqParts = null;
          }
        }
        i += n;
        this.hsLeft -= n;
        continue;
      }
      this.hsHeader.push(b[i]!);
      i++;
      if (this.hsHeader.length < 4) continue;
      const [t, a, m, z] = this.hsHeader as [number, number, number, number];
      this.hsHeader = [];
      if (this.handshakes.length < 32) this.handshakes.push(t);
      this.hsLeft = (a << 16) | (m << 8) | z;
      if (t === HS_CERT_REQUEST && this.certificateRequest === null && this.hsLeft <= CAPTURE_BYTES) {
        this.certReqParts = [];
        this.certReqLeft = this.hsLeft;
        if (this.certReqLeft === 0) this.certificateRequest = Buffer.alloc(0);
      }
    }
  }

  private alertRecord(b: Uint8Array): void {
    for (const x of b) {
      this.alertBytes.push(x);
      if (this.alertBytes.length === 2) {
        const [level, desc] = this.alertBytes as [number, number];
        this.alertBytes = [];
        this.alert ??= { fatal: level === 2, name: ALERTS[desc] ?? `alert_${desc}` };
      }
    }
  }

  /** The server accepted our version: it sent a ServerHello (and the client did not refuse it). */
  get serverHello(): boolean {
    return this.handshakes.includes(HS_SERVER_HELLO);
  }

  /** The server sent its Certificate in the clear (TLS ≤ 1.2). */
  get certificateSeen(): boolean {
    return this.handshakes.includes(HS_CERTIFICATE);
  }

  /** TLS ≤ 1.2: true when a CertificateRequest came, false when ServerHelloDone came without one, else null. */
  get certificateRequested(): boolean | null {
    if (this.handshakes.includes(HS_CERT_REQUEST)) return true;
    if (this.handshakes.includes(HS_SERVER_HELLO_DONE)) return false;
    return null;
  }
}

/** Bytes as one printable line: ASCII kept, whitespace runs → one space, other bytes → '.', at most `max` characters. */
export function printable(b: Uint8Array, max = 120): string {
  let s = '';
  for (const x of b) {
    if (s.length >= max * 2) break;
    s += x >= 0x20 && x <= 0x7e ? String.fromCharCode(x) : x === 0x09 || x === 0x0a || x === 0x0d ? ' ' : '.';
  }
  return s.replace(/\s+/g, ' ').trim().slice(0, max);
}
