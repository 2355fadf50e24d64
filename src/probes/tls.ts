/**
 * TLS probe: one handshake with SNI, the presented chain, verification (trust store or --ca) and
 * hostname check recorded separately, pin check, client certificate, server alerts, and what a
 * non-TLS service says instead. Verification is done by us (rejectUnauthorized: false) so that
 * the chain is always seen. Bounded in time (ctx.signal) and size (chain ≤ 10, ≤ 256 KiB read).
 */
import tls from 'node:tls';
import net from 'node:net';
import { createHash, X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { observation, type CertInfo, type Observation, type ObservationData } from '../model/observation.js';
import type { DiagnoseOptions } from '../diagnose/options.js';
import type { ProbeContext } from './types.js';

export interface TlsQuery {
  address: string;
  port: number;
  /** SNI to send (null for none, e.g. an IP literal target). */
  sni: string | null;
  /** The name the certificate must cover. */
  hostname: string;
  options: Pick<DiagnoseOptions, 'ca' | 'cert' | 'key' | 'pin' | 'tlsMin' | 'tlsMax'>;
}

type Handshake = ObservationData['tls.handshake'];
const MAX_CHAIN = 10;
const POST_HANDSHAKE_MS = 250;

function dn(x: Record<string, string | string[] | undefined> | undefined): string {
  if (!x) return '';
  return Object.entries(x)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function certInfo(c: tls.DetailedPeerCertificate): CertInfo {
  const raw = c.raw ?? Buffer.alloc(0);
  let spki: string | null = null;
  let selfSigned = false;
  let isCA = false;
  try {
    const x = new X509Certificate(raw);
    spki = createHash('sha256').update(x.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    selfSigned = x.subject === x.issuer && x.verify(x.publicKey);
    isCA = x.ca;
  } catch {
    /* unparsable certificate: keep what node gave */
  }
  const sans = (c.subjectaltname ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''))
    .slice(0, 100);
  const cn = c.subject?.CN;
  return {
    subject: dn(c.subject as unknown as Record<string, string>),
    commonName: Array.isArray(cn) ? (cn[0] ?? null) : (cn ?? null),
    issuer: dn(c.issuer as unknown as Record<string, string>),
    sans,
    notBefore: new Date(c.valid_from).toISOString(),
    notAfter: new Date(c.valid_to).toISOString(),
    serial: c.serialNumber ?? '',
    fingerprint256: c.fingerprint256 ?? '',
    spki256: spki,
    selfSigned,
    isCA,
    bytes: raw.length,
  };
}

/** The chain as presented, leaf first (walks issuerCertificate until it loops). */
export function chainOf(sock: tls.TLSSocket): { chain: CertInfo[]; peer: tls.DetailedPeerCertificate | null } {
  const chain: CertInfo[] = [];
  let c: tls.DetailedPeerCertificate | null = null;
  try {
    c = sock.getPeerCertificate(true);
  } catch {
    return { chain, peer: null };
  }
  if (!c || !c.raw) return { chain, peer: null };
  const peer = c;
  const seen = new Set<string>();
  while (c && c.raw && chain.length < MAX_CHAIN && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    try {
      chain.push(certInfo(c));
    } catch {
      break;
    }
    c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : null;
  }
  return { chain, peer };
}

const norm = (s: string): string => s.replace(/[^0-9a-zA-Z+/=]/g, '').toUpperCase();
function pinMatches(pin: string, chain: CertInfo[]): boolean {
  if (pin.startsWith('sha256/')) return chain.some((c) => c.spki256 !== null && c.spki256 === pin.slice(7));
  const want = norm(pin.slice(7));
  return chain.some((c) => norm(c.fingerprint256) === want);
}

function alertOf(code: string | null): string | null {
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)$/.exec(code ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE', 'ERR_SSL_HTTP_REQUEST']);

/** What a non-TLS service says by itself or after a newline: at most 120 printable characters. */
export function readBanner(address: string, port: number, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const s = net.connect({ host: address, port });
    const done = (): void => {
      clearTimeout(t);
      s.destroy();
      // A TLS record (alert/handshake) is not a banner.
      if (buf.length > 0 && (buf[0] === 0x15 || buf[0] === 0x16)) return resolve(null);
      const text = buf.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 120);
      resolve(text.length >= 3 ? text : null);
    };
    const t = setTimeout(() => {
      if (buf.length === 0 && !s.destroyed) {
        // Silent services (HTTP) speak after a request line.
        s.write('\r\n\r\n');
        setTimeout(done, Math.min(300, ms / 2));
      } else done();
    }, Math.min(300, ms / 2));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]).subarray(0, 512);
      if (buf.length >= 512) done();
    });
    s.on('error', done);
    s.on('close', done);
  });
}

export async function run(q: TlsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const o = q.options;
  const minVersion = o.tlsMin ?? 'TLSv1.2';
  const maxVersion = o.tlsMax ?? 'TLSv1.3';
  const base: Handshake = {
    address: q.address,
    port: q.port,
    sni: q.sni,
    outcome: 'error',
    ms: 0,
    protocol: null,
    cipher: null,
    minVersion,
    maxVersion,
    alert: null,
    errorCode: null,
    error: null,
    chain: [],
    verify: { ok: false, code: null, hostnameOk: null, trustedBy: o.ca ? 'ca-file' : 'system' },
    pin: o.pin ? { expected: o.pin, matched: false } : null,
    banner: null,
    clientCertOffered: !!(o.cert && o.key),
    clientCertRequested: null,
  };
  const h = await new Promise<Handshake>((resolve) => {
    const opts: tls.ConnectionOptions = {
      host: q.address,
      port: q.port,
      rejectUnauthorized: false,
      minVersion,
      maxVersion,
      ...(q.sni ? { servername: q.sni } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
      // OpenSSL 3 refuses TLS 1.0/1.1 at the default security level.
      ...(minVersion === 'TLSv1' || minVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      checkServerIdentity: () => undefined,
    };
    const r: Handshake = { ...base, verify: { ...base.verify } };
    let finished = false;
    let secured = false;
    const sock = tls.connect(opts);
    const finish = (outcome: Handshake['outcome']): void => {
      if (finished) return;
      finished = true;
      ctx.signal.removeEventListener('abort', onAbort);
      r.outcome = outcome;
      sock.destroy();
      resolve(r);
    };
    const capture = (): void => {
      const { chain, peer } = chainOf(sock);
      if (chain.length > 0) r.chain = chain;
      if (peer && r.verify.hostnameOk === null) r.verify.hostnameOk = tls.checkServerIdentity(q.hostname, peer) === undefined;
      if (r.pin) r.pin.matched = pinMatches(r.pin.expected, r.chain);
    };
    const onAbort = (): void => {
      if (secured) return finish(r.verify.ok && r.verify.hostnameOk !== false ? 'ok' : 'verify-failed');
      capture();
      finish(sock.connecting ? 'tcp-failed' : 'stall');
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort);
    sock.on('secureConnect', () => {
      secured = true;
      r.protocol = sock.getProtocol() ?? null;
      r.cipher = sock.getCipher()?.name ?? null;
      capture();
      const err = sock.authorizationError;
      r.verify.ok = sock.authorized;
      r.verify.code = err ? String((err as unknown as { code?: string }).code ?? err) : null;
      // TLS 1.3 client-certificate alerts arrive after the handshake: listen a moment longer.
      setTimeout(() => finish(r.verify.ok && r.verify.hostnameOk !== false ? 'ok' : 'verify-failed'), POST_HANDSHAKE_MS);
      sock.on('data', () => {});
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      capture();
      r.errorCode = err.code ?? null;
      r.error = (err.message ?? '').split('\n')[0]!.slice(0, 300);
      r.alert = alertOf(r.errorCode);
      if (r.alert && ['certificate_required', 'bad_certificate', 'unknown_ca', 'certificate_unknown', 'certificate_expired'].includes(r.alert)) r.clientCertRequested = true;
      if (secured && r.alert) return finish('alert');
      if (r.alert) return finish('alert');
      if (r.errorCode && NOT_TLS.has(r.errorCode)) return finish('not-tls');
      if (r.errorCode === 'ECONNRESET') return finish('reset');
      if (r.errorCode === 'ECONNREFUSED' || r.errorCode === 'EHOSTUNREACH' || r.errorCode === 'ENETUNREACH' || r.errorCode === 'ETIMEDOUT') return finish('tcp-failed');
      return finish('error');
    });
    sock.on('close', () => {
      if (secured) return finish(r.verify.ok && r.verify.hostnameOk !== false ? 'ok' : 'verify-failed');
      capture();
      finish('closed');
    });
  });
  if (h.outcome === 'not-tls' || h.outcome === 'stall') {
    h.banner = await readBanner(q.address, q.port, Math.min(800, Math.max(200, ctx.budgetMs / 3)));
    // A stall whose port talks plain text is a non-TLS service.
    if (h.outcome === 'stall' && h.banner) h.outcome = 'not-tls';
  }
  const ms = performance.now() - t0;
  h.ms = Math.round(ms * 10) / 10;
  return [observation('tls.handshake', h, ms)];
}
