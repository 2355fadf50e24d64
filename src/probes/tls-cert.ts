/**
 * The presented certificate chain as CertInfo (leaf first), and pin matching. Node's peer
 * certificate objects are untrusted data from the server: every field is read defensively,
 * the chain is capped in length and in bytes, and a certificate that does not parse keeps
 * what node could tell.
 */
import { nodeCrypto } from '../model/builtin.js';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { CertInfo } from '../model/observation.js';

export const MAX_CHAIN = 10;
/** DER bytes of certificates kept per chain; the rest is not converted. */
export const MAX_CHAIN_BYTES = 256 * 1024;
const MAX_TEXT = 1024;

type Name = Record<string, string | string[] | undefined> | undefined;

function dn(x: Name): string {
  if (!x || typeof x !== 'object') return '';
  return Object.entries(x)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ')
    .slice(0, MAX_TEXT);
}

function iso(...candidates: Array<string | undefined>): string {
  for (const c of candidates) {
    if (!c) continue;
    const t = Date.parse(c);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return '';
}

/** 'DNS:a, IP Address:1.2.3.4' → ['DNS:a', 'IP Address:1.2.3.4'] (node's spelling; it quotes values that contain commas). */
export function parseSans(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.slice(0, 64 * 1024).matchAll(/(?:^|,\s*)([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const type = m[1]!.trim();
    const value = m[2]!.startsWith('"') ? m[2]!.slice(1, -1).replace(/\\(.)/g, '$1') : m[2]!;
    if (value) out.push(`${type}:${value}`.slice(0, 300));
    if (out.length >= 100) break;
  }
  return out;
}

export function certInfo(c: DetailedPeerCertificate): CertInfo {
  const raw = Buffer.isBuffer(c.raw) ? c.raw : Buffer.alloc(0);
  let x: X509Certificate | null = null;
  try {
    x = new (nodeCrypto().X509Certificate)(raw);
  } catch {
    /* unparsable: keep what node gave */
  }
  let spki: string | null = null;
  let selfSigned = false;
  let isCA = false;
  let pem = 0;
  if (x) {
    try {
      spki = nodeCrypto()
        .createHash('sha256')
        .update(x.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64');
    } catch {
      spki = null;
    }
    try {
      selfSigned = x.subject === x.issuer && x.verify(x.publicKey);
    } catch {
      selfSigned = false;
    }
    isCA = x.ca;
    pem = x.toString().length;
  }
  const cn = c.subject?.CN as string | string[] | undefined;
  return {
    subject: dn(c.subject as unknown as Name),
    commonName: (Array.isArray(cn) ? cn[0] : cn)?.slice(0, 255) ?? null,
    issuer: dn(c.issuer as unknown as Name),
    sans: parseSans(typeof c.subjectaltname === 'string' ? c.subjectaltname : undefined),
    notBefore: iso(x?.validFrom, c.valid_from),
    notAfter: iso(x?.validTo, c.valid_to),
    serial: String(c.serialNumber ?? '').slice(0, 128),
    fingerprint256: String(c.fingerprint256 ?? x?.fingerprint256 ?? ''),
    spki256: spki,
    selfSigned,
    isCA,
    bytes: pem || Math.ceil(raw.length / 3) * 4 + Math.ceil(raw.length / 48) + 54,
    ...accessUrls(x),
  };
}

/** Authority Information Access: where the issuer's certificate (caIssuers) and the OCSP responder live. */
function accessUrls(x: X509Certificate | null): Pick<CertInfo, 'caIssuers' | 'ocspUrls'> {
  const text = x?.infoAccess;
  if (!text) return {};
  const pick = (kind: string): string[] =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${kind} - URI:`))
      .map((l) => l.slice(kind.length + 7).slice(0, 300))
      .slice(0, 4);
  const caIssuers = pick('CA Issuers');
  const ocspUrls = pick('OCSP');
  return { ...(caIssuers.length > 0 ? { caIssuers } : {}), ...(ocspUrls.length > 0 ? { ocspUrls } : {}) };
}

/** The chain as presented, leaf first: walks issuerCertificate until it loops, within the caps. */
export function chainOf(sock: Pick<TLSSocket, 'getPeerCertificate'>): { chain: CertInfo[]; leaf: DetailedPeerCertificate | null } {
  let c: DetailedPeerCertificate | null;
  try {
    c = sock.getPeerCertificate(true);
  } catch {
    return { chain: [], leaf: null };
  }
  if (!c || !Buffer.isBuffer(c.raw)) return { chain: [], leaf: null };
  const leaf = c;
  const chain: CertInfo[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  let bytes = 0;
  while (c && Buffer.isBuffer(c.raw) && chain.length < MAX_CHAIN && !seen.has(c) && bytes + c.raw.length <= MAX_CHAIN_BYTES) {
    seen.add(c);
    bytes += c.raw.length;
    chain.push(certInfo(c));
    const next: DetailedPeerCertificate | undefined = c.issuerCertificate;
    // Node links a self-signed root to itself; a repeated fingerprint also ends the walk.
    c = next && next !== c && !chain.some((k) => k.fingerprint256 !== '' && k.fingerprint256 === next.fingerprint256) ? next : null;
  }
  return { chain, leaf };
}

/** A pin in one form: { kind: 'spki', value: base64 } or { kind: 'cert', value: HEX }; null when it is neither. */
export function parsePin(pin: string): { kind: 'spki' | 'cert'; value: string } | null {
  const t = pin.trim();
  const spki = /^sha256\/+([A-Za-z0-9+/]+=*)$/i.exec(t);
  if (spki) return { kind: 'spki', value: spki[1]!.replace(/=+$/, '') };
  const cert = /^sha256:([0-9a-fA-F:]+)$/i.exec(t);
  if (cert) {
    const hex = cert[1]!.replace(/:/g, '').toUpperCase();
    return hex.length === 64 ? { kind: 'cert', value: hex } : null;
  }
  return null;
}

/** Whether some certificate of the chain matches the pin (SPKI base64 exact, fingerprint hex case-insensitive). */
export function pinMatches(pin: string, chain: readonly CertInfo[]): boolean {
  const p = parsePin(pin);
  if (!p) return false;
  if (p.kind === 'spki') return chain.some((c) => c.spki256 !== null && c.spki256.replace(/=+$/, '') === p.value);
  return chain.some((c) => c.fingerprint256.replace(/:/g, '').toUpperCase() === p.value);
}
