/** Small HTTP pieces of the fleet server: errors with a status, a rate limit, bodies with a size limit. */
import type http from 'node:http';
import type { Lang } from '../model/layer.js';
import { MAX_BODY_BYTES } from './protocol.js';
import { ft } from './messages.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A token bucket per key: `burst` requests at once, `perS` per second after that. */
export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst: number,
    private readonly perS: number,
  ) {}
  take(key: string, now: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perS);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perS);
  }
}

export function pickLang(req: http.IncomingMessage, url: URL, fallback: Lang): Lang {
  const q = url.searchParams.get('lang');
  if (q === 'zh' || q === 'en') return q;
  const c = cookie(req, 'netdx_lang');
  if (c === 'zh' || c === 'en') return c;
  return fallback;
}

export function cookie(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=') || null;
  }
  return null;
}

export function readBody(req: http.IncomingMessage, max: number, lang: Lang): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) return reject(new HttpError(413, ft(lang, 'api.tooLarge', { max })));
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, ft(lang, 'api.tooLarge', { max })));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readJson(req: http.IncomingMessage, lang: Lang): Promise<unknown> {
  const buf = await readBody(req, MAX_BODY_BYTES, lang);
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, ft(lang, 'api.badJson', { why: err instanceof Error ? err.message : String(err) }));
  }
}

export function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function json(res: http.ServerResponse, status: number, v: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(v) + '\n', headers);
}
