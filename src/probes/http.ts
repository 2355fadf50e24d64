/**
 * HTTP probe: one GET to an address already resolved (no proxy; certificate checks are the TLS
 * probe's job, so rejectUnauthorized is off): status, Location, Date (a server-time source for
 * host.clock), Server, and how much of the body (up to 64 KiB) arrived within the budget; headers
 * are bounded by node's 16 KiB limit.
 */
import { nodeHttps } from '../model/builtin.js';
import { ipFamily } from '../model/prefix.js';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { errCode, firstLine, round1 } from './abort.js';
import { printable } from './tls-records.js';
import type { ProbeContext } from './types.js';

export interface HttpQuery {
  url: string;
  /** Connect to this address (already resolved), sending the URL's host in Host (and SNI for https). */
  address: string;
  servername: string | null;
}

type Response = ObservationData['http.response'];
const MAX_HEADER_TEXT = 300;
const MAX_BODY = 64 * 1024;
const TEXT_BYTES = 2048;

export function run(q: HttpQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (d: Omit<Response, 'url' | 'ms'>): void => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      resolve([observation('http.response', { url: q.url, ...d, ms: round1(ms) }, ms)]);
    };
    const none = { status: null, location: null, date: null, server: null };
    let u: URL;
    try {
      u = new URL(q.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http(s) URL: ${u.protocol}`);
    } catch (err) {
      return finish({ outcome: 'error', ...none, error: firstLine(err) });
    }
    const tlsUrl = u.protocol === 'https:';
    const sni = q.servername && ipFamily(q.servername) === null ? q.servername : null;
    let req: http.ClientRequest;
    try {
      req = (tlsUrl ? nodeHttps() : http).request({
        host: q.address,
        port: u.port || (tlsUrl ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        setHost: false,
        headers: { Host: u.host, 'User-Agent': 'netdx/0.1', Accept: '*/*', Connection: 'close' },
        signal: ctx.signal,
        agent: false,
        ...(tlsUrl ? { rejectUnauthorized: false, ...(sni ? { servername: sni } : {}) } : {}),
      });
    } catch (err) {
      return finish({ outcome: 'error', ...none, error: firstLine(err) });
    }
    let head: Omit<Response, 'url' | 'ms'> | null = null;
    let bytes = 0;
    /** The start of an error page (status ≥ 400): its words name the cause (nginx: "No required SSL certificate was sent"). */
    let text: Buffer[] | null = null;
    const words = (): { text: string } | Record<string, never> => (text ? { text: printable(Buffer.concat(text), 300) } : {});
    req.on('response', (res) => {
      const h = (k: string): string | null => {
        const v = res.headers[k];
        return typeof v === 'string' ? v.slice(0, MAX_HEADER_TEXT) : null;
      };
      head = { outcome: 'response', status: res.statusCode ?? null, location: h('location'), date: h('date'), server: h('server') };
      const length = Number(h('content-length') ?? NaN);
      const want = Number.isFinite(length) ? Math.min(length, MAX_BODY) : MAX_BODY;
      if ((res.statusCode ?? 0) >= 400) text = [];
      const done = (complete: boolean): void => {
        finish({ ...head!, body: { bytes, complete, ...(Number.isFinite(length) ? { length } : {}), ...words() } });
        res.destroy();
        req.destroy();
      };
      // The body, up to 64 KiB: a transfer that stops after the first small packets is how a PMTU
      // blackhole shows on plain HTTP (the engine then searches the path MTU).
      res.on('data', (d: Buffer) => {
        if (text && bytes < TEXT_BYTES) text.push(d.subarray(0, TEXT_BYTES - bytes));
        bytes += d.length;
        if (bytes >= want) done(true);
      });
      res.on('end', () => done(true));
      if (want === 0) done(true);
    });
    req.on('error', (err) => {
      const aborted = ctx.signal.aborted || (err as { name?: string }).name === 'AbortError';
      if (head) {
        finish({ ...head, body: { bytes, complete: false, stalled: aborted, ...words() } });
        return;
      }
      finish({ outcome: aborted ? 'timeout' : 'error', ...none, error: aborted ? `no response within ${Math.round(ctx.budgetMs)} ms` : (errCode(err) ?? firstLine(err)) });
    });
    req.end();
  });
}
