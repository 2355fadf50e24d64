/** HTTP probe: one GET (no proxy, certificate checks left to the TLS probe): status, Location, Date, Server. */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { ProbeContext } from './types.js';

export interface HttpQuery {
  url: string;
  /** Connect to this address (already resolved), sending the URL's host in Host/SNI. */
  address: string;
  servername: string | null;
}

export function run(q: HttpQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const u = new URL(q.url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let done = false;
    const finish = (d: Omit<ObservationData['http.response'], 'url' | 'ms'>): void => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      resolve([observation('http.response', { url: q.url, ...d, ms: Math.round(ms * 10) / 10 }, ms)]);
    };
    const req = mod.request(
      {
        host: q.address,
        port: u.port || (u.protocol === 'https:' ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        headers: { Host: u.host, 'User-Agent': 'netdx/0.1', Accept: '*/*', Connection: 'close' },
        signal: ctx.signal,
        agent: false,
        ...(u.protocol === 'https:' ? { rejectUnauthorized: false, ...(q.servername ? { servername: q.servername } : {}) } : {}),
      },
      (res) => {
        const h = (k: string): string | null => {
          const v = res.headers[k];
          return typeof v === 'string' ? v.slice(0, 300) : null;
        };
        finish({ outcome: 'response', status: res.statusCode ?? null, location: h('location'), date: h('date'), server: h('server') });
        res.destroy();
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const aborted = err.name === 'AbortError' || ctx.signal.aborted;
      finish({ outcome: aborted ? 'timeout' : 'error', status: null, location: null, date: null, server: null, error: aborted ? `no response within ${Math.round(ctx.budgetMs)} ms` : (err.code ?? err.message) });
    });
    req.end();
  });
}
