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
import tls from 'node:tls';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { DiagnoseOptions } from '../model/options.js';
import { chainOf, pinMatches } from './tls-cert.js';
import { ALERT_NAMES } from './tls-records.js';
import { bannerOf, readBanner } from './tls-banner.js';
import { MAX_HANDSHAKE_BYTES, openTcp, tap, type Tap } from './tls-tap.js';
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

function handshake(q: TlsQuery, h: Handshake, sock: net.Socket, rttMs: number, deadlineMs: number, signal: AbortSignal): Promise<Handshake> {
  return new Promise((resolve) => {
    const o = q.options;
    let finished = false;
    let secured = false;
    let t: Tap | null = null;
    let tlsSock: tls.TLSSocket | null = null;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: Handshake['outcome']): void => {
      if (finished) return;
      finished = true;
      for (const x of timers) clearTimeout(x);
      detach();
      h.outcome = outcome;
      if (t) {
        h.clientCertRequested ??= t.records.certificateRequested;
        if (outcome !== 'ok' && outcome !== 'verify-failed' && h.banner === null && t.records.tls === false) h.banner = bannerOf(t.records.first);
      }
      tlsSock?.destroy();
      sock.destroy();
      resolve(h);
    };
    const verdict = (): Handshake['outcome'] => (h.verify.ok && h.verify.hostnameOk !== false ? 'ok' : 'verify-failed');
    const capture = (): void => {
      if (!tlsSock || h.chain.length > 0) return;
      const { chain, leaf } = chainOf(tlsSock);
      h.chain = chain;
      if (leaf && q.hostname) {
        try {
          h.verify.hostnameOk = tls.checkServerIdentity(q.hostname, leaf) === undefined;
        } catch {
          h.verify.hostnameOk = false;
        }
      }
      if (h.pin) h.pin.matched = pinMatches(h.pin.expected, h.chain);
    };
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
    const opts: tls.ConnectionOptions = {
      socket: t.stream,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ...versionOptions(h.minVersion as TlsVersion, h.maxVersion as TlsVersion),
      ...(h.sni ? { servername: h.sni } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
    };
    try {
      tlsSock = tls.connect(opts);
    } catch (err) {
      // Bad --ca/--cert/--key material is caught by the CLI; anything left is an error value here.
      h.errorCode = errCode(err);
      h.error = firstLine(err);
      return finish('error');
    }
    const ts = tlsSock;
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
        timers.push(setTimeout(() => finish(verdict()), postHandshakeMs(rttMs)));
        ts.once('session', () => finish(verdict()));
      } else finish(verdict());
    });
    ts.on('data', () => {});
    ts.on('error', (err) => {
      capture();
      const code = errCode(err);
      h.errorCode = code;
      h.error = firstLine(err);
      const recAlert = t?.records.alert;
      const alert = alertFromCode(code) ?? (recAlert?.fatal ? recAlert.name : null);
      if (alert) {
        h.alert = alert;
        if (CLIENT_CERT_ALERTS.has(alert)) h.clientCertRequested = true;
        return finish('alert');
      }
      if ((code !== null && NOT_TLS.has(code)) || t?.records.tls === false) return finish('not-tls');
      if (t?.raw.reset) return finish('reset');
      if (t?.raw.fin) return finish(secured ? verdict() : 'closed');
      if (code === 'ECONNRESET') return finish('reset');
      if (secured) return finish(verdict());
      finish('error');
    });
    ts.on('close', () => {
      if (secured) return finish(verdict());
      capture();
      if (t?.records.tls === false) return finish('not-tls');
      finish(t?.raw.reset ? 'reset' : 'closed');
    });
  });
}

export async function run(q: TlsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const o = q.options;
  const min: TlsVersion = o.tlsMin ?? 'TLSv1.2';
  const max: TlsVersion = o.tlsMax ?? 'TLSv1.3';
  const sni = q.sni && net.isIP(q.sni) === 0 ? q.sni : null;
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
