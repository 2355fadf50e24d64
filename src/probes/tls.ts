/**
 * TLS probe: one handshake with SNI over a TCP connection of its own; the presented chain;
 * verification against the trust store (or --ca) and the hostname check recorded separately
 * (rejectUnauthorized is off so the chain is always seen); the pin; a client certificate;
 * server alerts (and, for TLS 1.2, whether the server asked for a client certificate); what a
 * non-TLS service says instead. The chain is node's getPeerCertificate(true): the certificates
 * the server presented, completed by node from the trust store when it can (a trusted root shows
 * up even when the server did not send it). Bounded in time (ctx.signal; the handshake gets most of the
 * budget, a banner read the rest) and in size (1 MiB read, chain ≤ 10 certificates).
 */
import { nodeTls } from '../model/builtin.js';
import { ipFamily } from '../model/prefix.js';
import type tls from 'node:tls';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { DiagnoseOptions } from '../model/options.js';
import { chainOf, pinMatches } from './tls-cert.js';
import { ALERT_NAMES } from './tls-records.js';
import { bannerOf, readBanner } from './tls-banner.js';
import { MAX_HANDSHAKE_BYTES, openTcp, tap, type Tap } from './tls-tap.js';
import { certificateRequest13, parseCertificateRequest12 } from './tls-certreq.js';
import { parseOcspResponse } from './ocsp.js';
import { errCode, firstLine, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

export { certInfo, chainOf } from './tls-cert.js';

export interface TlsQuery {
  address: string;
  port: number;
  /** SNI to send (null for none; an IP literal is never sent as SNI). */
  sni: string | null;
  /** The name the certificate must cover. */
  hostname: string;
  options: Pick<DiagnoseOptions, 'ca' | 'cert' | 'key' | 'pin' | 'tlsMin' | 'tlsMax'>;
  /**
   * Time for the handshake once the TCP connection is up (default: most of the budget). With it,
   * a connect that needed a SYN retransmission does not eat the handshake's time.
   */
  handshakeMs?: number;
}

type Handshake = ObservationData['tls.handshake'];
type TlsVersion = NonNullable<DiagnoseOptions['tlsMin']>;

/** Error codes of OpenSSL that mean the reply was not TLS. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_HTTPS_PROXY_REQUEST']);
/** Alerts a server sends about the client's certificate: it asked for one. */
const CLIENT_CERT_ALERTS = new Set(['certificate_required', 'bad_certificate', 'unsupported_certificate', 'certificate_revoked', 'certificate_expired', 'certificate_unknown', 'unknown_ca']);
const TCP_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'EPERM', 'EACCES']);

/** The alert name in node's error code: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED → certificate_required. */
export function alertFromCode(code: string | null): string | null {
  const m = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_(?:ALERT_)?([A-Z0-9_]+)$/.exec(code ?? '');
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  return ALERT_NAMES.has(name) ? name : null;
}

/** Node/OpenSSL options for a version range (TLS 1.0/1.1 need security level 0 on OpenSSL 3). */
export function versionOptions(min: TlsVersion, max: TlsVersion): Pick<tls.ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  return { minVersion: min, maxVersion: max, ...(min === 'TLSv1' || min === 'TLSv1.1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) };
}

/** How long to listen after a TLS 1.3 handshake for a post-handshake alert (certificate_required): a few RTTs. */
const postHandshakeMs = (rttMs: number): number => Math.min(250, Math.max(30, 4 * rttMs));

function emptyHandshake(q: TlsQuery, sni: string | null, min: TlsVersion, max: TlsVersion): Handshake {
  const o = q.options;
  return {
    address: q.address,
    port: q.port,
    sni,
    outcome: 'error',
    ms: 0,
    protocol: null,
    cipher: null,
    minVersion: min,
    maxVersion: max,
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
}

/** The certificate chain, hostname check and pin, read once from the TLS socket. */
function captureChain(tlsSock: tls.TLSSocket | null, h: Handshake, hostname: string | null | undefined): void {
  if (!tlsSock || h.chain.length > 0) return;
  const { chain, leaf } = chainOf(tlsSock);
  h.chain = chain;
  if (leaf && hostname) {
    try {
      h.verify.hostnameOk = nodeTls().checkServerIdentity(hostname, leaf) === undefined;
    } catch {
      h.verify.hostnameOk = false;
    }
  }
  if (h.pin) h.pin.matched = pinMatches(h.pin.expected, h.chain);
}

/** The client side of the handshake: versions, SNI, trust and client certificate; verification is judged, not enforced. */
function connectOptions(h: Handshake, o: TlsQuery['options'], stream: tls.ConnectionOptions['socket']): tls.ConnectionOptions {
  return {
    socket: stream,
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    // Ask for a stapled OCSP response (status_request), as browsers do: a revoked certificate is TLS-012.
    // (node's ConnectionOptions type lacks requestOCSP, which tls.connect honours.)
    ...({ requestOCSP: true } as tls.ConnectionOptions),
    ...versionOptions(h.minVersion as TlsVersion, h.maxVersion as TlsVersion),
    ...(h.sni ? { servername: h.sni } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
  };
}

/** What a TLS socket error means: an alert (by code or the record seen), not TLS at all, a reset, a close, or an error. */
function errorOutcome(err: Error, h: Handshake, t: Tap | null, secured: boolean, verdict: () => Handshake['outcome']): Handshake['outcome'] {
  const code = errCode(err);
  h.errorCode = code;
  h.error = firstLine(err);
  const recAlert = t?.records.alert;
  const alert = alertFromCode(code) ?? (recAlert?.fatal ? recAlert.name : null);
  if (alert) {
    h.alert = alert;
    if (CLIENT_CERT_ALERTS.has(alert)) h.clientCertRequested = true;
    return 'alert';
  }
  if ((code !== null && NOT_TLS.has(code)) || t?.records.tls === false) return 'not-tls';
  if (t?.raw.reset) return 'reset';
  if (t?.raw.fin) return secured ? verdict() : 'closed';
  if (code === 'ECONNRESET') return 'reset';
  if (secured) return verdict();
  return 'error';
}

function handshake(q: TlsQuery, h: Handshake, sock: net.Socket, rttMs: number, deadlineMs: number, signal: AbortSignal): Promise<Handshake> {
  return new Promise((resolve) => {
    const o = q.options;
    let finished = false;
    let secured = false;
    let t: Tap | null = null;
    let tlsSock: tls.TLSSocket | null = null;
    /** The server handshake traffic secret of this connection (TLS 1.3), from node's keylog. */
    let serverHsSecret: Buffer | null = null;
    /** The stapled OCSP response: undefined before node reported, null when none was stapled. */
    let staple: Buffer | null | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: Handshake['outcome']): void => {
      if (finished) return;
      finished = true;
      for (const x of timers) clearTimeout(x);
      detach();
      h.outcome = outcome;
      if (staple !== undefined && h.chain.length > 0) h.ocsp = ocspOf(staple, h.chain[0]!.serial);
      if (t) {
        certRequest(h, t, serverHsSecret);
        h.clientCertRequested ??= t.records.certificateRequested;
        if (outcome !== 'ok' && outcome !== 'verify-failed' && h.banner === null && t.records.tls === false) h.banner = bannerOf(t.records.first);
      }
      tlsSock?.destroy();
      sock.destroy();
      resolve(h);
    };
    const verdict = (): Handshake['outcome'] => (h.verify.ok && h.verify.hostnameOk !== false ? 'ok' : 'verify-failed');
    const capture = (): void => captureChain(tlsSock, h, q.hostname);
    const notAnswered = (): void => {
      if (secured) return finish(verdict());
      capture();
      if (t?.records.tls === false) return finish('not-tls');
      h.error = `no TLS handshake within ${Math.round(deadlineMs)} ms${t && t.records.bytes > 0 ? ` (${t.records.bytes} bytes received)` : ' (no bytes received)'}`;
      finish('stall');
    };
    const detach = onAbort(signal, notAnswered);
    timers.push(setTimeout(notAnswered, Math.max(0, deadlineMs)));
    t = tap(sock, () => {
      capture();
      h.error = `the server sent more than ${MAX_HANDSHAKE_BYTES} bytes during the handshake`;
      finish('error');
    });
    try {
      tlsSock = nodeTls().connect(connectOptions(h, o, t.stream));
    } catch (err) {
      // Bad --ca/--cert/--key material is caught by the CLI; anything left is an error value here.
      h.errorCode = errCode(err);
      h.error = firstLine(err);
      return finish('error');
    }
    const ts = tlsSock;
    ts.on('OCSPResponse', (b: Buffer | null) => {
      staple = b && b.length > 0 ? Buffer.from(b.subarray(0, 64 * 1024)) : null;
    });
    ts.on('keylog', (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)/i.exec(line.toString('latin1'));
      if (m) serverHsSecret = Buffer.from(m[1]!, 'hex');
    });
    ts.on('secureConnect', () => {
      secured = true;
      h.protocol = ts.getProtocol() ?? null;
      h.cipher = ts.getCipher()?.name ?? null;
      capture();
      h.verify.ok = ts.authorized;
      const err: unknown = ts.authorizationError;
      h.verify.code = err ? String(err instanceof Error ? (errCode(err) ?? err.message) : err) : null;
      // TLS 1.3 client-certificate alerts arrive after the handshake: listen a few RTTs longer, or until the
      // server's session ticket shows that it accepted our Finished (a server that wants a certificate sends
      // the alert instead).
      if (h.protocol === 'TLSv1.3') {
        // setImmediate: an alert already in the kernel is read before the time is called up (timers run before the poll).
        timers.push(setTimeout(() => setImmediate(() => finish(verdict())), postHandshakeMs(rttMs)));
        ts.once('session', () => finish(verdict()));
      } else finish(verdict());
    });
    ts.on('data', () => {});
    ts.on('error', (err) => {
      capture();
      finish(errorOutcome(err, h, t, secured, verdict));
    });
    ts.on('close', () => {
      if (secured) return finish(verdict());
      capture();
      if (t?.records.tls === false) return finish('not-tls');
      finish(t?.raw.reset ? 'reset' : 'closed');
    });
  });
}

/** What the stapled OCSP response says about the leaf (parse errors are kept, never thrown). */
function ocspOf(staple: Buffer | null, serial: string): NonNullable<Handshake['ocsp']> {
  if (!staple) return { stapled: false };
  try {
    const r = parseOcspResponse(staple, serial);
    return {
      stapled: true,
      responseStatus: r.responseStatus,
      certStatus: r.certStatus,
      ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.thisUpdate ? { thisUpdate: r.thisUpdate } : {}),
      ...(r.nextUpdate ? { nextUpdate: r.nextUpdate } : {}),
    };
  } catch (err) {
    return { stapled: true, error: `unreadable OCSP response (${staple.length} bytes): ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Whether the server asked for a client certificate, and from which CAs: the TLS 1.2
 * CertificateRequest as sent in the clear, or the TLS 1.3 one decrypted with this connection's
 * own handshake secret (tls-certreq.ts). Leaves clientCertRequested alone when neither tells.
 */
function certRequest(h: Handshake, t: Tap, secret: Buffer | null): void {
  try {
    if (t.records.certificateRequest) {
      h.clientCertRequested = true;
      h.clientCertCAs = parseCertificateRequest12(t.records.certificateRequest).caNames;
    } else if (secret && h.protocol === 'TLSv1.3' && h.cipher && t.records.encryptedRecords.length > 0) {
      const r = certificateRequest13(t.records.encryptedRecords, h.cipher, secret);
      if (r) {
        h.clientCertRequested = r.requested;
        if (r.requested) h.clientCertCAs = r.caNames;
      }
    }
  } catch {
    // a CertificateRequest that does not parse: requested, names unknown
    if (t.records.certificateRequest) h.clientCertRequested = true;
  }
}

export async function run(q: TlsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const o = q.options;
  const min: TlsVersion = o.tlsMin ?? 'TLSv1.2';
  const max: TlsVersion = o.tlsMax ?? 'TLSv1.3';
  const sni = q.sni && ipFamily(q.sni) === null ? q.sni : null;
  let h = emptyHandshake(q, sni, min, max);
  const tcp = await openTcp(q.address, q.port, ctx.signal);
  if (!tcp.ok && (tcp.errno === 'ECONNRESET' || tcp.errno === 'EPIPE')) {
    // Accepted, then reset before node saw the connection complete.
    h.outcome = 'reset';
    h.errorCode = tcp.errno;
    h.error = 'connection reset right after the TCP handshake';
  } else if (!tcp.ok) {
    h.outcome = 'tcp-failed';
    h.errorCode = tcp.errno;
    h.error = tcp.errno === 'ETIMEDOUT' ? `no TCP connection within ${Math.round(ctx.budgetMs)} ms` : `TCP connect failed: ${tcp.errno}`;
  } else {
    // The handshake gets most of the budget; the rest is for reading a banner when it stalls.
    const left = ctx.budgetMs - (performance.now() - t0);
    const reserve = Math.min(500, left * 0.25);
    h = await handshake(q, h, tcp.socket, tcp.ms, Math.min(q.handshakeMs ?? Infinity, left - reserve), ctx.signal);
    if (h.outcome === 'stall' && !ctx.signal.aborted) {
      const wait = Math.max(0, ctx.budgetMs - (performance.now() - t0) - 20);
      h.banner = await readBanner(q.address, q.port, Math.min(wait, 400), ctx.signal);
      // A port that talks plain text when connected to is a non-TLS service.
      if (h.banner) h.outcome = 'not-tls';
    }
    if (h.outcome === 'error' && h.errorCode !== null && TCP_FAILURES.has(h.errorCode)) h.outcome = 'tcp-failed';
  }
  const ms = performance.now() - t0;
  h.ms = round1(ms);
  return [observation('tls.handshake', h, ms)];
}
