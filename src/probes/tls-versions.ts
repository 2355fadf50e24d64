/** Which TLS versions the server accepts: one short handshake per version, all in parallel. */
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { observation, type Observation } from '../model/observation.js';
import type { ProbeContext } from './types.js';

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

function tryVersion(address: string, port: number, sni: string | null, v: (typeof VERSIONS)[number], signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: address, port, minVersion: v, maxVersion: v, rejectUnauthorized: false, ...(sni ? { servername: sni } : {}), ciphers: 'DEFAULT@SECLEVEL=0' });
    const done = (ok: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    if (signal.aborted) return done(false);
    signal.addEventListener('abort', onAbort);
    s.once('secureConnect', () => done(s.getProtocol() === v));
    s.once('error', () => done(false));
    s.once('close', () => done(false));
  });
}

export async function run(q: { address: string; port: number; sni: string | null; min: string; max: string }, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const results = await Promise.all(VERSIONS.map(async (v) => [v, await tryVersion(q.address, q.port, q.sni, v, ctx.signal)] as const));
  return [
    observation(
      'tls.versions',
      { address: q.address, port: q.port, accepted: results.filter(([, ok]) => ok).map(([v]) => v), rejected: results.filter(([, ok]) => !ok).map(([v]) => v), clientRange: { min: q.min, max: q.max } },
      performance.now() - t0,
    ),
  ];
}
