/**
 * One TLS code per handshake: the classifier that every TLS rule (TLS-001…011) asks, so that a
 * failed handshake yields exactly one of them. Pure over one `tls.handshake` observation.
 *
 * What node:tls really reports (recorded against openssl s_server 3.0 on 127.0.0.1 with node 20;
 * the strings are kept in tls-observed.ts and replayed by tls-classify.test.ts):
 * - Certificate verification reports ONE code, OpenSSL's *last* error. Time is checked after trust,
 *   so an expired self-signed certificate says CERT_HAS_EXPIRED, not DEPTH_ZERO_SELF_SIGNED_CERT,
 *   and an expired leaf without its intermediate says CERT_HAS_EXPIRED too. The hostname is checked
 *   only when the chain verified, so a wrong-name expired certificate says CERT_HAS_EXPIRED.
 *   The classifier therefore reads the chain as presented, not only the code.
 * - A leaf sent without its intermediate and a leaf issued directly by an unknown root both say
 *   UNABLE_TO_VERIFY_LEAF_SIGNATURE; leaf+intermediate under an unknown root says
 *   UNABLE_TO_GET_ISSUER_CERT_LOCALLY; the root sent along says SELF_SIGNED_CERT_IN_CHAIN.
 * - Server alerts become error codes: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION (70),
 *   ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE (40), ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED (116),
 *   ERR_SSL_TLSV1_ALERT_UNKNOWN_CA (48), ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED (45: about OUR
 *   client certificate, never the server's). In TLS 1.3 the client-certificate alerts arrive
 *   AFTER secureConnect. handshake_failure means "no shared cipher" when it comes before the
 *   server's Certificate (no chain seen) and "client certificate missing" (TLS 1.2) after it.
 * - Client-side version/cipher refusals: ERR_SSL_UNSUPPORTED_PROTOCOL (server chose a version below
 *   our minimum), ERR_SSL_NO_PROTOCOLS_AVAILABLE (min > max), ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED
 *   (TLS 1.0 server, OpenSSL 3 security level 1).
 * - A plain-text or binary service: ERR_SSL_WRONG_VERSION_NUMBER (SSH, HTTP, SMTP, MySQL, Redis
 *   replies), ERR_SSL_PACKET_LENGTH_TOO_LONG (bytes that look like a huge TLS record).
 * - A peer that closes or resets after the ClientHello: ECONNRESET (TCP-004's, not a TLS code).
 *
 * Precedence (first match wins), and why:
 *  1. tcp-failed / reset / closed → no TLS code (the TCP rules own them), except a reset that
 *     tls.versions shows to be a version refusal → TLS-006.
 *  2. not TLS (banner, wrong version number, packet length) → TLS-010; stall → TLS-009
 *     (a stall with a non-TLS banner is TLS-010). Nothing about certificates is known then.
 *  3. Questions about the server's certificate, when one was presented — first WHO, then WHICH
 *     NAME, then WHEN, because the bigger fix makes the smaller one moot:
 *     a. TLS-011 pin not matched: a certificate you did not expect (interception, wrong server);
 *        its trust, name and dates prove nothing.
 *     b. TLS-004 untrusted issuer, also when masked by a time code: a self-signed leaf that the
 *        --ca bundle does not contain is TLS-004 even when node says CERT_HAS_EXPIRED (decision:
 *        a self-signed expired certificate is TLS-004; renewing it would not make it trusted).
 *     c. TLS-005 incomplete chain: an issuer error where the presented chain breaks at a
 *        non-CA leaf (the server forgot the intermediate). A break at a CA certificate means the
 *        chain is complete up to a root the client does not trust → TLS-004.
 *     d. TLS-003 hostname mismatch (ERR_TLS_CERT_ALTNAME_INVALID or hostnameOk false), also when
 *        the certificate is expired as well: the right certificate, not a renewed wrong one, fixes it.
 *     e. TLS-002 not yet valid, then TLS-001 expired (any certificate of the chain).
 *     f. Any other verification code (signature failure, revoked, bad purpose) → TLS-004.
 *  4. Then the rest of the handshake: client-certificate alerts → TLS-007; version/cipher → TLS-006.
 *  5. Anything else (an alert like internal_error) → null: netdx does not name a cause it cannot
 *     support; the failed handshake stays visible in the observations.
 * TLS-008 (expiring soon, a warning) is not part of the chain above: it may accompany a finding
 * that does not question the certificate itself (see warnsExpiry).
 */
import { formatHostPort } from '../model/target.js';
import { nodeCrypto } from '../model/builtin.js';
import type { CertInfo, Observation, ObservationData } from '../model/observation.js';
import { ofKind } from '../model/observation.js';
import type { Evidence } from '../model/report.js';
import type { RuleContext } from './types.js';
import { defineMessages, evidence, msg } from './types.js';
import type { Lang } from '../model/layer.js';

export type Handshake = ObservationData['tls.handshake'];
export type Versions = ObservationData['tls.versions'];

export type TlsCode = 'TLS-001' | 'TLS-002' | 'TLS-003' | 'TLS-004' | 'TLS-005' | 'TLS-006' | 'TLS-007' | 'TLS-009' | 'TLS-010' | 'TLS-011' | 'TLS-012';

export interface TlsClass {
  code: TlsCode;
  /**
   * TLS-004 vs TLS-005 could not be told apart (a leaf alone whose unknown issuer may be a root or an
   * intermediate): the finding says so and gives both fixes. See decideIssuer.
   */
  ambiguous?: boolean;
  /** A known TLS-interception product named by the issuer (TLS-004). */
  interception?: string;
  /** Short machine-readable reason, e.g. 'alert:protocol_version', 'verify:CERT_HAS_EXPIRED', 'chain:self-signed'. */
  reason: string;
  /** For certificate findings: index in the chain of the certificate at fault (0 = leaf). */
  certIndex?: number;
}

/** Verification codes that say "the chain ends somewhere this client does not trust". */
const TRUST_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA']);
/** Verification codes that say "an issuer was not found" (chain analysis decides TLS-005 vs TLS-004). */
const ISSUER_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_HAS_EXPIRED']);
const NOT_YET_CODES = new Set(['CERT_NOT_YET_VALID']);
const ALTNAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'IP_ADDRESS_MISMATCH']);
/** The reply was not TLS at all. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_HTTPS_PROXY_REQUEST']);
/** Client-side refusals of the version or cipher the server offers, and config that leaves nothing to offer. */
const VERSION_CODES = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_VERSION_TOO_HIGH',
  'ERR_SSL_WRONG_SSL_VERSION',
  'ERR_SSL_NO_SHARED_CIPHER',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM',
  'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
  'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED',
  'ERR_SSL_DH_KEY_TOO_SMALL',
  'ERR_SSL_WRONG_CIPHER_RETURNED',
]);
const VERSION_ALERTS = new Set(['protocol_version', 'insufficient_security']);
/**
 * Key-exchange parameters the client's security level refuses before any certificate is judged:
 * OpenSSL says DH_KEY_TOO_SMALL (a DH group under the level's minimum), MODULUS_TOO_SMALL (a DH
 * prime under 512 bits, e.g. 480-bit params under --tls-max 1.2), BAD_DH_VALUE, or a curve it
 * refuses. The two sides share no acceptable key exchange: a protocol mismatch (TLS-006), with the
 * raw error in the evidence. (EE_KEY_TOO_SMALL / CA_KEY_TOO_SMALL / CA_MD_TOO_WEAK are about the
 * certificate's own key and come as verification codes: TLS-004.)
 */
export const WEAK_KEX_CODES = new Set([
  'ERR_SSL_MODULUS_TOO_SMALL',
  'ERR_SSL_DH_KEY_TOO_SMALL',
  'ERR_SSL_BAD_DH_VALUE',
  'ERR_SSL_DH_MODULUS_TOO_SMALL',
  'ERR_SSL_WRONG_CURVE',
  'ERR_SSL_BAD_ECPOINT',
  'ERR_SSL_KEY_TOO_SMALL',
  'ERR_SSL_BAD_DH_P_LENGTH',
]);
/** Whether a handshake error is a refused key exchange (the DH/EC "too small" family). */
export const weakKex = (code: string | null): boolean => code !== null && (WEAK_KEX_CODES.has(code) || /^ERR_SSL_(?:DH_|EC_|ECDH_)?(?:MODULUS|KEY|GROUP|BITS)_TOO_SMALL$/.test(code));
/** Alerts a server sends about the CLIENT's certificate (the server never judges its own). */
const CLIENT_CERT_ALERTS = new Set(['certificate_required', 'bad_certificate', 'unsupported_certificate', 'certificate_revoked', 'certificate_expired', 'certificate_unknown', 'unknown_ca']);

/** The alert name: the observation's own, else decoded from node's 'ERR_SSL_<VER>_ALERT_<NAME>' code. */
export function alertName(h: Pick<Handshake, 'alert' | 'errorCode'>): string | null {
  if (h.alert) return h.alert.toLowerCase().replace(/[\s-]+/g, '_');
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)$/.exec(h.errorCode ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

/** The verification code: verify.code, else a verification-looking errorCode. */
function verifyCode(h: Handshake): string | null {
  if (h.verify.code) return h.verify.code;
  const c = h.errorCode ?? '';
  if (TRUST_CODES.has(c) || ISSUER_CODES.has(c) || EXPIRED_CODES.has(c) || NOT_YET_CODES.has(c) || ALTNAME_CODES.has(c)) return c;
  return null;
}

/** Normalized fingerprint (hex, no separators, upper case). */
const hex = (s: string): string => s.replace(/[^0-9a-fA-F]/g, '').toUpperCase();

/** SHA-256 fingerprints of the certificates in a PEM bundle (given with --ca); empty when none parse. */
export function bundleFingerprints(pem: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!pem) return out;
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.add(hex(new (nodeCrypto().X509Certificate)(m[0]).fingerprint256));
    } catch {
      // not a certificate: the CLI validated the file; ignore a block that does not parse
    }
  }
  return out;
}

/** Self-signed, or at least self-issued (subject = issuer): a probe's selfSigned may miss a self-signed leaf. */
export const isSelfIssued = (c: CertInfo): boolean => c.selfSigned || c.subject === c.issuer;

/** Where the presented chain breaks: the index of the first certificate whose issuer is not the next one presented. */
export function chainBreak(chain: readonly CertInfo[]): number {
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i]!;
    if (isSelfIssued(c)) return i;
    const next = chain[i + 1];
    if (!next || next.subject !== c.issuer) return i;
  }
  return Math.max(0, chain.length - 1);
}

const time = (iso: string): number => Date.parse(iso);

export interface ClassifyEnv {
  now: Date;
  /** The PEM bundle given with --ca (a self-signed certificate it contains is trusted). */
  ca?: string | undefined;
  /** tls.versions for the same address and port, when the engine probed them. */
  versions?: Versions | null;
}

/** Whether tls.versions proves a version mismatch: the server accepts some versions, none in the client's range. */
export function versionGap(v: Versions | null | undefined): boolean {
  if (!v || v.accepted.length === 0) return false;
  const order = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const lo = order.indexOf(v.clientRange.min);
  const hi = order.indexOf(v.clientRange.max);
  if (lo < 0 || hi < 0) return false;
  return v.accepted.every((a) => {
    const i = order.indexOf(a);
    return i >= 0 && (i < lo || i > hi);
  });
}

/** Classifies one handshake; null when it succeeded or failed for a reason no TLS code names. */
export function classifyHandshake(h: Handshake, env: ClassifyEnv): TlsClass | null {
  // 1. Below TLS.
  if (h.outcome === 'tcp-failed') return null;
  if (h.outcome === 'reset' || h.outcome === 'closed') {
    return versionGap(env.versions) ? { code: 'TLS-006', reason: `versions:${h.outcome}` } : null;
  }
  // 2. Not TLS / no answer.
  if (h.outcome === 'not-tls') return { code: 'TLS-010', reason: h.banner ? 'banner' : `error:${h.errorCode ?? 'not-tls'}` };
  if (h.errorCode && NOT_TLS_CODES.has(h.errorCode)) return { code: 'TLS-010', reason: `error:${h.errorCode}` };
  if (h.outcome === 'stall') return h.banner ? { code: 'TLS-010', reason: 'banner' } : { code: 'TLS-009', reason: 'stall' };
  // 2b. A key exchange the client refused: the handshake stopped before the certificate was judged.
  if (h.outcome === 'error' && weakKex(h.errorCode)) return { code: 'TLS-006', reason: `kex:${h.errorCode}` };

  // 3. The server's certificate.
  const chain = h.chain;
  const leaf = chain[0];
  if (leaf) {
    if (h.pin && !h.pin.matched) return { code: 'TLS-011', reason: 'pin', certIndex: 0 };
    // The server's own stapled OCSP response says revoked: a new certificate is the fix, whatever else is wrong with this one.
    if (h.ocsp?.certStatus === 'revoked') return { code: 'TLS-012', reason: 'ocsp:revoked', certIndex: 0 };
    const code = verifyCode(h);
    // verify.ok is also false when the handshake failed before verification (an alert, an error): only a code,
    // a hostname verdict or the verify-failed outcome say that the certificate itself was judged.
    const failed = code !== null || h.verify.hostnameOk === false || h.outcome === 'verify-failed';
    if (failed) {
      if (code && TRUST_CODES.has(code)) return { code: 'TLS-004', reason: `verify:${code}`, certIndex: chainBreak(chain) };
      if (code && ISSUER_CODES.has(code)) {
        const at = chainBreak(chain);
        const c = chain[at]!;
        if (!isSelfIssued(c) && !c.isCA && at === 0) return { ...decideIssuer(c, h, env), reason: `verify:${code}`, certIndex: at };
        return { code: 'TLS-004', reason: `verify:${code}`, certIndex: at };
      }
      // Masked trust: a self-signed leaf that the --ca bundle does not hold, reported by node as a time error
      // (or with no code). An ALTNAME code means the chain verified, so the leaf was trusted: not this case.
      const timeOrNone = code === null || EXPIRED_CODES.has(code) || NOT_YET_CODES.has(code);
      if (timeOrNone && isSelfIssued(leaf) && !bundleFingerprints(env.ca).has(hex(leaf.fingerprint256))) {
        return { code: 'TLS-004', reason: `chain:self-signed${code ? `+${code}` : ''}`, certIndex: 0 };
      }
      if ((code && ALTNAME_CODES.has(code)) || h.verify.hostnameOk === false) return { code: 'TLS-003', reason: `verify:${code ?? 'hostname'}`, certIndex: 0 };
      // Node's time code is judged at handshake time; the dates only name the certificate, or decide when no code came.
      const now = env.now.getTime();
      const early = chain.findIndex((c) => time(c.notBefore) > now);
      const late = chain.findIndex((c) => time(c.notAfter) < now);
      if (code && NOT_YET_CODES.has(code)) return { code: 'TLS-002', reason: `verify:${code}`, certIndex: Math.max(0, early) };
      if (code && EXPIRED_CODES.has(code)) return { code: 'TLS-001', reason: `verify:${code}`, certIndex: Math.max(0, late) };
      if (!code && early >= 0) return { code: 'TLS-002', reason: 'notBefore', certIndex: early };
      if (!code && late >= 0) return { code: 'TLS-001', reason: 'notAfter', certIndex: late };
      if (code) return { code: 'TLS-004', reason: `verify:${code}`, certIndex: 0 };
      // verify.ok false without any code: fall through to the handshake's own error, if any.
    }
  }

  // 4. The rest of the handshake.
  const alert = alertName(h);
  if (alert && CLIENT_CERT_ALERTS.has(alert)) return { code: 'TLS-007', reason: `alert:${alert}` };
  if (alert === 'access_denied' && h.clientCertOffered) return { code: 'TLS-007', reason: `alert:${alert}` };
  if (alert === 'handshake_failure') {
    // After the server's Certificate (chain seen) or a CertificateRequest: the client certificate is missing (TLS 1.2).
    if (h.clientCertRequested === true || (h.clientCertRequested !== false && chain.length > 0)) return { code: 'TLS-007', reason: `alert:${alert}` };
    return { code: 'TLS-006', reason: `alert:${alert}` };
  }
  if (alert && VERSION_ALERTS.has(alert)) return { code: 'TLS-006', reason: `alert:${alert}` };
  if (h.errorCode && VERSION_CODES.has(h.errorCode)) return { code: 'TLS-006', reason: `error:${h.errorCode}` };
  if (alert === 'unrecognized_name') return { code: 'TLS-003', reason: `alert:${alert}` };
  if (h.outcome !== 'ok' && versionGap(env.versions)) return { code: 'TLS-006', reason: 'versions' };
  return null;
}

/** The interception "product" of an issuer that only says it inspects TLS (no vendor named). */
export const INSPECTION_PROXY = 'a TLS inspection proxy';

/** An interception product as a message parameter: the vendor's name, or null for the generic inspection proxy (words, said in each language). */
export const interceptionParam = (name: string): string | null => (name === INSPECTION_PROXY ? null : name);

/** An interception product's name in a language (the generic one is words, a vendor's name stays); `product` as interceptionParam gives it. */
export const interceptionName = (product: string | null, lang: Lang): string => product ?? (lang === 'zh' ? 'TLS 检查代理' : INSPECTION_PROXY);

/**
 * Known TLS-interception roots, by a word of their name (issuer CN/O): adware and "security"
 * products that install their own root (Superfish, eDellRoot, Komodia, PrivDog) and inspection
 * proxies (corporate or debugging). A leaf issued by one of them is an untrusted issuer (TLS-004),
 * never a missing intermediate.
 */
export const INTERCEPTION_ROOTS: ReadonlyArray<[RegExp, string]> = [
  [/superfish/i, 'Superfish'],
  [/edellroot/i, 'eDellRoot (Dell)'],
  [/dsdtestprovider/i, 'DSDTestProvider (Dell)'],
  [/komodia/i, 'Komodia'],
  [/privdog/i, 'PrivDog'],
  [/fiddler/i, 'Fiddler'],
  [/portswigger|burp/i, 'Burp Suite'],
  [/mitmproxy/i, 'mitmproxy'],
  [/charles proxy/i, 'Charles Proxy'],
  [/zscaler/i, 'Zscaler'],
  [/fortinet|fortigate/i, 'Fortinet FortiGate'],
  [/blue ?coat/i, 'Blue Coat'],
  [/netskope/i, 'Netskope'],
  [/forcepoint|websense/i, 'Forcepoint'],
  [/palo alto|paloalto/i, 'Palo Alto Networks'],
  [/cisco umbrella/i, 'Cisco Umbrella'],
  [/kaspersky/i, 'Kaspersky'],
  [/avast|\bAVG\b/i, 'Avast/AVG'],
  [/eset ssl filter/i, 'ESET SSL Filter'],
  [/bitdefender/i, 'Bitdefender'],
  [/tls inspection|ssl inspection|decryption/i, INSPECTION_PROXY],
];

/** Words in an issuer's name that say "root" or "intermediate" (a weak hint, used only when nothing else decides). */
const ROOT_NAME = /\broot\b/i;
const INTERMEDIATE_NAME = /intermediate|issuing|\bsub(?:ordinate)?\b|\bICA\b|\b(?:DV|OV|EV|TLS|SSL|Server) (?:CA|RSA|ECC)\b|\bCA ?[0-9]+\b|\bR[0-9]+\b|\bE[0-9]+\b/i;

/**
 * A leaf presented alone whose issuer the client does not have: a missing intermediate (TLS-005,
 * serve the full chain) or a leaf issued directly by a root this client does not trust (TLS-004,
 * install the CA). Decided in this order (docs/decisions/011-chain-ambiguity.md):
 *  1. the issuer is a known interception root → TLS-004 (certain);
 *  2. the leaf names where its issuer is published (AIA caIssuers), as CA-issued leaves do → TLS-005 (certain);
 *  3. --ca holds a certificate with the issuer's name (not its key) → TLS-004 (certain: wrong or re-keyed CA);
 *  4. otherwise ambiguous: the issuer's name says root → TLS-004, says intermediate → TLS-005;
 *     no hint: with --ca (the user named the CA; the leaf is not directly from it) → TLS-005,
 *     without --ca (a private CA the system store does not know) → TLS-004. Both fixes are given.
 */
export function decideIssuer(leaf: CertInfo, h: Handshake, env: ClassifyEnv): Pick<TlsClass, 'code' | 'ambiguous' | 'interception'> {
  const intercept = INTERCEPTION_ROOTS.find(([re]) => re.test(leaf.issuer));
  if (intercept) return { code: 'TLS-004', interception: intercept[1] };
  if ((leaf.caIssuers ?? []).length > 0) return { code: 'TLS-005' };
  if (env.ca && bundleSubjects(env.ca).has(leaf.issuer)) return { code: 'TLS-004' };
  const issuerCn = /CN=([^,]+)/.exec(leaf.issuer)?.[1] ?? leaf.issuer;
  if (ROOT_NAME.test(issuerCn)) return { code: 'TLS-004', ambiguous: true };
  if (INTERMEDIATE_NAME.test(issuerCn)) return { code: 'TLS-005', ambiguous: true };
  const withCa = !!env.ca || h.verify.trustedBy === 'ca-file';
  return { code: withCa ? 'TLS-005' : 'TLS-004', ambiguous: true };
}

/** Subjects (as node prints them: 'CN=…, O=…' in our dn order) of the certificates in a PEM bundle. */
function bundleSubjects(pem: string): Set<string> {
  const out = new Set<string>();
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      const x = new (nodeCrypto().X509Certificate)(m[0]);
      out.add(x.subject.split('\n').join(', '));
      out.add(x.subject.split('\n').reverse().join(', '));
    } catch {
      // not a certificate
    }
  }
  return out;
}

/**
 * Independent certificate problems beside the one a handshake is classified as: a certificate for
 * another name, an expired or not-yet-valid one, when the primary class questions the chain or
 * the dates. Each becomes its own finding; the primary stays the classifier's (TLS_PRECEDENCE).
 */
export function alsoClasses(h: Handshake, cls: TlsClass | null, env: ClassifyEnv): TlsClass[] {
  if (!cls || !['TLS-012', 'TLS-004', 'TLS-005', 'TLS-003', 'TLS-002', 'TLS-001'].includes(cls.code) || h.chain.length === 0) return [];
  if (cls.code === 'TLS-012') {
    // Revoked, and maybe more: what the certificate is without its OCSP status.
    const bare = { ...h };
    delete bare.ocsp;
    const rest = classifyHandshake(bare, env);
    return rest && rest.code !== 'TLS-012' && ['TLS-004', 'TLS-005', 'TLS-003', 'TLS-002', 'TLS-001'].includes(rest.code) ? [rest, ...alsoClasses(bare, rest, env)] : [];
  }
  const out: TlsClass[] = [];
  const now = env.now.getTime();
  // A self-signed leaf is judged by trust alone: its name and dates are whatever its maker typed.
  const selfSigned = cls.code === 'TLS-004' && isSelfIssued(h.chain[0]!);
  if (cls.code !== 'TLS-003' && h.verify.hostnameOk === false && !selfSigned) out.push({ code: 'TLS-003', reason: 'also:hostname', certIndex: 0 });
  if (!selfSigned && cls.code !== 'TLS-002' && cls.code !== 'TLS-001') {
    const early = h.chain.findIndex((c) => time(c.notBefore) > now);
    const late = h.chain.findIndex((c) => time(c.notAfter) < now);
    if (early >= 0) out.push({ code: 'TLS-002', reason: 'also:notBefore', certIndex: early });
    else if (late >= 0) out.push({ code: 'TLS-001', reason: 'also:notAfter', certIndex: late });
  }
  return out;
}

/**
 * Which TLS finding is primary when several name the same handshake: who issued it, then which
 * name, then when (the bigger fix first), then the rest of the handshake. rank.ts orders TLS
 * findings by this instead of the catalog order.
 */
export const TLS_PRECEDENCE: readonly string[] = ['TLS-011', 'TLS-012', 'TLS-004', 'TLS-005', 'TLS-003', 'TLS-002', 'TLS-001', 'TLS-007', 'TLS-006', 'TLS-010', 'TLS-009', 'TLS-008'];

/** TLS-008 may accompany a handshake whose finding does not question the certificate itself. */
export function warnsExpiry(c: TlsClass | null): boolean {
  return c === null || c.code === 'TLS-005' || c.code === 'TLS-006' || c.code === 'TLS-007';
}

export interface Classified {
  obs: Observation<'tls.handshake'>;
  h: Handshake;
  cls: TlsClass | null;
  /** Independent certificate problems beside cls (alsoClasses). */
  also: TlsClass[];
  versions: Versions | null;
}

/** Every handshake of the context with its classification, in observation order. */
export function classifyAll(ctx: Pick<RuleContext, 'observations' | 'now' | 'options'>): Classified[] {
  const versions = ofKind(ctx.observations, 'tls.versions');
  return ofKind(ctx.observations, 'tls.handshake').map((obs) => {
    const v = versions.find((x) => x.data.address === obs.data.address && x.data.port === obs.data.port)?.data ?? null;
    const env = { now: ctx.now, ca: ctx.options.ca, versions: v };
    const cls = classifyHandshake(obs.data, env);
    return { obs, h: obs.data, versions: v, cls, also: alsoClasses(obs.data, cls, env) };
  });
}

/** The first handshake classified as `code` (as its class, or as an independent problem beside it), or null. */
export function firstWith(ctx: Pick<RuleContext, 'observations' | 'now' | 'options'>, code: TlsCode): (Classified & { cls: TlsClass }) | null {
  const all = classifyAll(ctx);
  const hit = all.find((c) => c.cls?.code === code);
  if (hit) return hit as Classified & { cls: TlsClass };
  const also = all.find((c) => c.also.some((a) => a.code === code));
  return also ? { ...also, cls: also.also.find((a) => a.code === code)! } : null;
}

// ── shared text for evidence ──────────────────────────────────────────

/** 'host:port' with brackets for IPv6, plus the SNI when it differs: '203.0.113.10:443 (SNI app.lab.test)'. */
export function serverLabel(h: Pick<Handshake, 'address' | 'port' | 'sni'>): string {
  const hp = formatHostPort(h.address, h.port);
  return h.sni ? `${h.sni} (${hp})` : hp;
}

/** The chain as presented, as message parameters: subjects and issuers by position, the positions of self-signed and CA certificates. */
export type ChainParams = {
  subjects: string[];
  issuers: string[];
  selfSignedAt: number[];
  caAt: number[];
};

export function chainParams(chain: readonly CertInfo[]): ChainParams {
  return {
    subjects: chain.map((c) => c.subject),
    issuers: chain.map((c) => c.issuer),
    selfSignedAt: chain.flatMap((c, i) => (c.selfSigned ? [i] : [])),
    caAt: chain.flatMap((c, i) => (c.isCA ? [i] : [])),
  };
}

/** 'CN=app.lab.test ← CN=Lab Issuing CA' style one-liner of the chain as presented (inside a message's en/zh text). */
export function chainText(p: ChainParams, lang: Lang): string {
  const self = (i: number): boolean => p.selfSignedAt.includes(i);
  const ca = (i: number): boolean => p.caAt.includes(i);
  if (lang === 'zh') return p.subjects.map((s, i) => `#${i} ${s}（签发者：${p.issuers[i]}${self(i) ? '，自签名' : ''}${ca(i) ? '，CA 证书' : ''}）`).join(' → ');
  return p.subjects.map((s, i) => `#${i} ${s} (issuer: ${p.issuers[i]}${self(i) ? ', self-signed' : ''}${ca(i) ? ', CA' : ''})`).join(' → ');
}

/** The chain as evidence data: the fields a person compares. */
export function chainData(chain: readonly CertInfo[]): Array<Record<string, unknown>> {
  return chain.map((c) => ({ subject: c.subject, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter, selfSigned: c.selfSigned, isCA: c.isCA, fingerprint256: c.fingerprint256 }));
}

/** Whole days between two instants (floor of the absolute difference). */
export function daysBetween(a: Date | number, b: Date | number): number {
  return Math.floor(Math.abs(Number(a) - Number(b)) / 86_400_000);
}

/** '2025-01-01' from an ISO time (dates in evidence are UTC days). */
export const day = (iso: string): string => (Number.isFinite(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 10) : iso);

const M = defineMessages('tls-classify', {
  clock: msg(
    (p: { peer: string; source: string; sec: number; tolerance: number }) =>
      `local clock ${p.sec === 0 ? 'agrees with' : `is ${Math.abs(p.sec)} s ${p.sec > 0 ? 'ahead of' : 'behind'}`} ${p.peer} (${p.source})${Math.abs(p.sec) > p.tolerance ? `: beyond the ${p.tolerance} s tolerance, check the clock (HOST-003)` : ''}`,
    (p) =>
      p.sec === 0
        ? `本机时钟与 ${p.peer}（${p.source}）一致`
        : `本机时钟比 ${p.peer}（${p.source}）${p.sec > 0 ? '快' : '慢'} ${Math.abs(p.sec)} 秒${Math.abs(p.sec) > p.tolerance ? `，超出 ${p.tolerance} 秒容差，请检查时钟（HOST-003）` : ''}`,
  ),
});

/** The local clock against the server times the diagnosis met (host.clock), as evidence; empty when none. */
export function clockEvidence(ctx: Pick<RuleContext, 'observations' | 'options'>): Evidence[] {
  const clock = ofKind(ctx.observations, 'host.clock')[0];
  if (!clock || clock.data.sources.length === 0) return [];
  const worst = clock.data.sources.reduce((a, b) => (Math.abs(b.skewMs) > Math.abs(a.skewMs) ? b : a));
  const sec = Math.round(worst.skewMs / 1000);
  return [
    evidence('host.clock', M.clock({ peer: worst.peer, source: worst.source, sec, tolerance: ctx.options.clockToleranceSec }), {
      local: clock.data.local,
      peer: worst.peer,
      server: worst.time,
      skewMs: worst.skewMs,
    }),
  ];
}
