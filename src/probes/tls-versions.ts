/**
 * Which TLS versions the server accepts: one short handshake per version (min = max = that
 * version), all in parallel. A version counts as accepted when the handshake completes with it,
 * or when the server answered our ClientHello with a ServerHello and the failure came later
 * (a client certificate it wants, a certificate we do not trust: not a version question).
 */
import { nodeTls } from '../model/builtin.js';
import type tls from 'node:tls';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type Observation } from '../model/observation.js';
import { openTcp, tap } from './tls-tap.js';
import { errCode, onAbort } from './abort.js';
import type { ProbeContext } from './types.js';

export const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Version = (typeof VERSIONS)[number];

export interface VersionsQuery {
  address: string;
  port: number;
  sni: string | null;
  /** The client's range in the failed handshake (recorded as clientRange). */
  min: string;
  max: string;
}

/** Client-side refusals of what the server chose: the server did not accept the version offered. */
const CLIENT_REFUSALS = /UNSUPPORTED_PROTOCOL|WRONG_SSL_VERSION|VERSION_TOO|NO_PROTOCOLS|LEGACY_SIGALG|NO_SHARED_CIPHER|NO_CIPHERS|NO_SUITABLE|WRONG_CIPHER/;

async function tryVersion(q: VersionsQuery, v: Version, signal: AbortSignal): Promise<boolean> {
  const tcp = await openTcp(q.address, q.port, signal);
  if (!tcp.ok) return false;
  return new Promise((resolve) => {
    let done = false;
    const t = tap(tcp.socket, () => finish(false));
    const sni = q.sni && net.isIP(q.sni) === 0 ? q.sni : null;
    let s: tls.TLSSocket;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      detach();
      s?.destroy();
      tcp.socket.destroy();
      resolve(ok);
    };
    const detach = onAbort(signal, () => finish(false));
    try {
      s = nodeTls().connect({
        socket: t.stream,
        minVersion: v,
        maxVersion: v,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ciphers: 'DEFAULT@SECLEVEL=0',
        ...(sni ? { servername: sni } : {}),
      });
    } catch {
      return finish(false);
    }
    s.once('secureConnect', () => finish(s.getProtocol() === v));
    s.once('error', (err) => finish(t.records.serverHello && !CLIENT_REFUSALS.test(errCode(err) ?? '')));
    s.once('close', () => finish(false));
  });
}

export async function run(q: VersionsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const results = await Promise.all(VERSIONS.map(async (v) => [v, await tryVersion(q, v, ctx.signal)] as const));
  const accepted = results.filter(([, ok]) => ok).map(([v]) => v);
  const rejected = results.filter(([, ok]) => !ok).map(([v]) => v);
  return [observation('tls.versions', { address: q.address, port: q.port, accepted, rejected, clientRange: { min: q.min, max: q.max } }, performance.now() - t0)];
}
