/**
 * The OCSP response a server staples to its handshake (RFC 6960 §4.2.1), read with the small DER
 * reader of der.ts (docs/decisions/012-ocsp-stapling.md): the response status, and for the
 * leaf's serial number its certificate status (good / revoked with time and reason / unknown)
 * and validity window. The signature is not checked: the response comes from the very server
 * being diagnosed, and netdx reports what it says, it does not grant trust on it (a "good"
 * never makes a certificate trusted; a "revoked" from the server about itself is believed).
 */
import { children, DerError, expect, readTlv, type Tlv } from './der.js';

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspStaple {
  /** successful, malformedRequest, internalError, tryLater, sigRequired, unauthorized. */
  responseStatus: string;
  /** For the leaf's serial (or the only response): its status; null when the response has none for it. */
  certStatus: OcspCertStatus | null;
  /** Serial numbers (upper-case hex, no leading zeros) the response speaks about. */
  serials: string[];
  revokedAt?: string;
  reason?: string;
  thisUpdate?: string;
  nextUpdate?: string;
}

const RESPONSE_STATUS: Record<number, string> = { 0: 'successful', 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
const CRL_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};
const OID_BASIC = Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]);

/** GeneralizedTime 'YYYYMMDDHHMMSSZ' → ISO. */
function time(t: Tlv): string {
  if (t.tag !== 0x18) throw new DerError('expected GeneralizedTime');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(t.value.toString('latin1'));
  if (!m) throw new DerError('bad GeneralizedTime');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

/** An INTEGER's content as upper-case hex without leading zero bytes (as serials are compared). */
export function serialHex(v: Buffer): string {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i).toString('hex').toUpperCase();
}

/** A serial as compared: hex digits only, upper case, no leading zeros. */
export const normSerial = (s: string): string =>
  s
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase()
    .replace(/^0+(?=.)/, '');

/** Parses a stapled OCSPResponse (DER). Throws DerError on anything malformed. */
export function parseOcspResponse(der: Buffer, leafSerial?: string): OcspStaple {
  const top = expect(der, 0x30, 'OCSPResponse');
  const parts = children(top.value);
  const status = parts[0];
  if (!status || status.tag !== 0x0a || status.value.length !== 1) throw new DerError('OCSPResponse: no responseStatus');
  const responseStatus = RESPONSE_STATUS[status.value[0]!] ?? `status_${status.value[0]}`;
  const bytes = parts.find((p) => p.tag === 0xa0);
  if (responseStatus !== 'successful' || !bytes) return { responseStatus, certStatus: null, serials: [] };
  const rb = children(expect(bytes.value, 0x30, 'ResponseBytes').value);
  if (!rb[0] || rb[0].tag !== 0x06 || !rb[0].value.equals(OID_BASIC)) throw new DerError('ResponseBytes: not a basic OCSP response');
  if (!rb[1] || rb[1].tag !== 0x04) throw new DerError('ResponseBytes: no response');
  const basic = children(expect(rb[1].value, 0x30, 'BasicOCSPResponse').value);
  if (!basic[0] || basic[0].tag !== 0x30) throw new DerError('BasicOCSPResponse: no tbsResponseData');
  const data = children(basic[0].value);
  let i = 0;
  if (data[i]?.tag === 0xa0) i++; // version
  i++; // responderID [1] or [2]
  i++; // producedAt
  const responses = data[i];
  if (!responses || responses.tag !== 0x30) throw new DerError('ResponseData: no responses');
  const singles = children(responses.value).map((s) => single(s));
  const want = leafSerial ? normSerial(leafSerial) : null;
  const mine = (want ? singles.find((s) => normSerial(s.serial) === want) : undefined) ?? (singles.length === 1 && !want ? singles[0] : undefined);
  const out: OcspStaple = { responseStatus, certStatus: mine?.status ?? null, serials: singles.map((s) => s.serial) };
  if (mine?.revokedAt) out.revokedAt = mine.revokedAt;
  if (mine?.reason) out.reason = mine.reason;
  if (mine?.thisUpdate) out.thisUpdate = mine.thisUpdate;
  if (mine?.nextUpdate) out.nextUpdate = mine.nextUpdate;
  return out;
}

function single(s: Tlv): { serial: string; status: OcspCertStatus; revokedAt?: string; reason?: string; thisUpdate?: string; nextUpdate?: string } {
  if (s.tag !== 0x30) throw new DerError('SingleResponse: expected SEQUENCE');
  const f = children(s.value);
  const certId = f[0];
  if (!certId || certId.tag !== 0x30) throw new DerError('SingleResponse: no certID');
  const idf = children(certId.value);
  const serial = idf[3];
  if (!serial || serial.tag !== 0x02) throw new DerError('CertID: no serialNumber');
  const st = f[1];
  if (!st) throw new DerError('SingleResponse: no certStatus');
  const out: ReturnType<typeof single> = {
    serial: serialHex(serial.value),
    status:
      st.tag === 0x80
        ? 'good'
        : st.tag === 0xa1
          ? 'revoked'
          : st.tag === 0x82
            ? 'unknown'
            : (() => {
                throw new DerError(`certStatus: unexpected tag 0x${st.tag.toString(16)}`);
              })(),
  };
  if (st.tag === 0xa1) {
    const r = children(st.value);
    if (r[0]) out.revokedAt = time(r[0]);
    if (r[1]?.tag === 0xa0) {
      const e = readTlv(r[1].value);
      if (e.tag === 0x0a && e.value.length === 1) out.reason = CRL_REASONS[e.value[0]!] ?? `reason_${e.value[0]}`;
    }
  }
  if (f[2]) out.thisUpdate = time(f[2]);
  const next = f.find((x, k) => k > 2 && x.tag === 0xa0);
  if (next) out.nextUpdate = time(readTlv(next.value));
  return out;
}
