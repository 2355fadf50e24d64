/**
 * TLS test builders beside the shared ones in fixtures.ts: a certificate, a handshake, a versions
 * scan (healthy defaults, lab names and addresses only), and `fromNode`, which turns a case recorded
 * against real servers (tls-observed.ts) into the tls.handshake observation a probe would make.
 */
import { observation, type CertInfo, type Observation, type ObservationData } from '../model/observation.js';
import { NOW } from './fixtures.js';
import { OBSERVED_CERTS, type ObservedCase } from './tls-observed.js';

type Hs = ObservationData['tls.handshake'];
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A leaf for app.lab.test issued by the lab intermediate, valid from 300 days ago for 400 days (so 100 days left at NOW). */
export function cert(over: Partial<CertInfo> = {}): CertInfo {
  return {
    subject: 'CN=app.lab.test',
    commonName: 'app.lab.test',
    issuer: 'O=NDX Lab, CN=NDX Lab Issuing CA 1',
    sans: ['DNS:app.lab.test', 'DNS:www.app.lab.test'],
    notBefore: iso(NOW.getTime() - 300 * DAY),
    notAfter: iso(NOW.getTime() + 100 * DAY),
    serial: '1000',
    fingerprint256: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99',
    spki256: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=',
    selfSigned: false,
    isCA: false,
    bytes: 700,
    ...over,
  };
}

/** The lab intermediate (issued by the root). */
export const intermediate = (over: Partial<CertInfo> = {}): CertInfo =>
  cert({
    subject: 'O=NDX Lab, CN=NDX Lab Issuing CA 1',
    commonName: 'NDX Lab Issuing CA 1',
    issuer: 'O=NDX Lab, CN=NDX Lab Root CA',
    sans: [],
    notAfter: iso(NOW.getTime() + 1000 * DAY),
    fingerprint256: '11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF',
    spki256: 'ESIzRFVmd4iZAKq7zN3u/xEiM0RVZneImQCqu8zd7v8=',
    isCA: true,
    ...over,
  });

/** A successful, verified TLS 1.3 handshake with app.lab.test at 203.0.113.10:443; override what the case needs. */
export function handshake(over: Partial<Hs> = {}): Observation<'tls.handshake'> {
  return observation('tls.handshake', {
    address: '203.0.113.10',
    port: 443,
    sni: 'app.lab.test',
    outcome: 'ok',
    ms: 4,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    alert: null,
    errorCode: null,
    error: null,
    chain: [cert(), intermediate()],
    verify: { ok: true, code: null, hostnameOk: true, trustedBy: 'system' },
    pin: null,
    banner: null,
    clientCertOffered: false,
    clientCertRequested: null,
    ...over,
  });
}

/** A failed handshake before any certificate: no protocol, no chain. */
export const failedHandshake = (over: Partial<Hs> = {}): Observation<'tls.handshake'> =>
  handshake({ outcome: 'error', protocol: null, cipher: null, chain: [], verify: { ok: false, code: null, hostnameOk: null, trustedBy: null }, ...over });

/** A certificate-verification failure with `code`, chain as given. */
export const verifyFailed = (code: string | null, over: Partial<Hs> = {}): Observation<'tls.handshake'> =>
  handshake({ outcome: 'verify-failed', verify: { ok: false, code, hostnameOk: true, trustedBy: 'system' }, ...over });

export const versions = (over: Partial<ObservationData['tls.versions']> = {}): Observation<'tls.versions'> =>
  observation('tls.versions', { address: '203.0.113.10', port: 443, accepted: ['TLSv1'], rejected: ['TLSv1.2', 'TLSv1.3'], clientRange: { min: 'TLSv1.2', max: 'TLSv1.3' }, ...over });

const ALERT_CODE = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_/;

/**
 * The handshake observation for a recorded case, mapped the way a probe over node:tls should:
 * timeout → stall; ECONNRESET before secureConnect → reset; an alert code (also one after
 * secureConnect, TLS 1.3) → alert; another error → error; authorizationError → verify-failed.
 * The chain is what node exposed (also in the error handler); alert names are left for the
 * classifier to decode from the code; clientCertRequested is unknown (node does not expose it).
 */
export function fromNode(c: ObservedCase): Observation<'tls.handshake'> {
  const n = c.node;
  const chain = c.chain.map((k) => {
    const info = OBSERVED_CERTS[k];
    if (!info) throw new Error(`unknown recorded certificate ${k}`);
    return info;
  });
  let outcome: Hs['outcome'];
  if (n.timeout) outcome = 'stall';
  else if (n.errorCode === 'ECONNRESET') outcome = 'reset';
  else if (n.errorCode && ALERT_CODE.test(n.errorCode)) outcome = 'alert';
  else if (n.errorCode) outcome = 'error';
  else if (n.authorizationError) outcome = 'verify-failed';
  else outcome = 'ok';
  const identity = n.checkServerIdentity;
  return observation('tls.handshake', {
    address: '127.0.0.1',
    port: 47100,
    sni: 'localhost',
    outcome,
    ms: 5,
    protocol: n.protocol ?? null,
    cipher: null,
    minVersion: c.min ?? 'TLSv1.2',
    maxVersion: c.max ?? 'TLSv1.3',
    alert: null,
    errorCode: n.errorCode,
    error: n.reason ?? null,
    chain,
    verify: { ok: n.secure && !n.authorizationError, code: n.authorizationError, hostnameOk: identity === undefined ? null : identity === 'ok', trustedBy: n.secure ? 'ca-file' : null },
    pin: null,
    banner: c.banner ?? null,
    clientCertOffered: c.clientCert ?? false,
    clientCertRequested: null,
  });
}
