/**
 * The responder's wire protocol: one JSON object per line on TCP (one per datagram on UDP).
 * Requests are parsed once, here, into typed values with bounds; anything else is an error reply,
 * never an exception. Documented in docs/responder.md.
 *
 * TCP, line mode (any number, in order): arrived · time · stats. Then at most one data-mode op
 * that ends the line mode: sink (client sends BYTES, server answers a summary), source (server
 * sends BYTES; more than SOURCE_FREE_BYTES needs the token), hold (server keeps the connection
 * silent for SECONDS, then writes one line).
 * UDP: echo (answered at the request's own size), count (how many echoes of an id arrived),
 * mtu (DF datagrams of the asked sizes back; sizes above the request's own size need the token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;
/** The longest request line / datagram accepted. */
export const MAX_LINE = 4096;
export const MAX_BYTES = 64 * 1024 ** 3;
export const MAX_HOLD_S = 3600;
/** What `source` sends without the token (no larger than a request line could be). */
export const SOURCE_FREE_BYTES = MAX_LINE;
export const MIN_MTU_SIZE = 68;
export const MAX_MTU_SIZE = 9216;
export const MAX_MTU_SIZES = 32;
export const MAX_ID = 2 ** 31 - 1;

export type TcpRequest =
  | { op: 'arrived'; token?: string }
  | { op: 'time'; t1: number; token?: string }
  | { op: 'stats'; token?: string }
  | { op: 'sink'; bytes: number; token?: string }
  | { op: 'source'; bytes: number; token?: string }
  | { op: 'hold'; seconds: number; token?: string };

export type UdpRequest = { op: 'echo'; id: number; seq: number; t1: number; token?: string } | { op: 'count'; id: number; token?: string } | { op: 'mtu'; id: number; sizes: number[]; token?: string };

export type ErrorCode = 'malformed' | 'too-long' | 'unknown-op' | 'bad-field' | 'bad-token' | 'needs-token' | 'rate-limited' | 'busy';

export type Parsed<R> = { ok: true; req: R } | { ok: false; error: ErrorCode; detail: string };

const TCP_OPS = new Set(['arrived', 'time', 'stats', 'sink', 'source', 'hold']);
const UDP_OPS = new Set(['echo', 'count', 'mtu']);

function fail<R>(error: ErrorCode, detail: string): Parsed<R> {
  return { ok: false, error, detail };
}

function int(o: Record<string, unknown>, key: string, min: number, max: number): number | string {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return `${key} must be an integer in ${min}…${max}`;
  return v;
}

function num(o: Record<string, unknown>, key: string): number | string {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${key} must be a number`;
  return v;
}

function object(text: string): Record<string, unknown> | string {
  if (text.length > MAX_LINE) return 'too-long';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'malformed';
  return v as Record<string, unknown>;
}

function token(o: Record<string, unknown>): string | undefined | null {
  if (o.token === undefined) return undefined;
  return typeof o.token === 'string' && o.token.length <= 256 ? o.token : null;
}

/** Parses one TCP request line. */
export function parseTcpRequest(text: string): Parsed<TcpRequest> {
  const o = object(text);
  if (typeof o === 'string') return fail(o === 'too-long' ? 'too-long' : 'malformed', o === 'too-long' ? `a request line is at most ${MAX_LINE} bytes` : 'a request is one JSON object per line');
  const op = o.op;
  if (typeof op !== 'string' || !TCP_OPS.has(op)) return fail('unknown-op', `op must be one of ${[...TCP_OPS].join(', ')}`);
  const tok = token(o);
  if (tok === null) return fail('bad-field', 'token must be a string of at most 256 characters');
  const t = tok === undefined ? {} : { token: tok };
  switch (op) {
    case 'arrived':
    case 'stats':
      return { ok: true, req: { op, ...t } };
    case 'time': {
      const t1 = num(o, 't1');
      return typeof t1 === 'string' ? fail('bad-field', t1) : { ok: true, req: { op, t1, ...t } };
    }
    case 'sink':
    case 'source': {
      const bytes = int(o, 'bytes', 0, MAX_BYTES);
      return typeof bytes === 'string' ? fail('bad-field', bytes) : { ok: true, req: { op, bytes, ...t } };
    }
    default: {
      const seconds = int(o, 'seconds', 0, MAX_HOLD_S);
      return typeof seconds === 'string' ? fail('bad-field', seconds) : { ok: true, req: { op: 'hold', seconds, ...t } };
    }
  }
}

/** Parses one UDP request datagram (trailing spaces, the padding of a request, are allowed). */
export function parseUdpRequest(text: string): Parsed<UdpRequest> {
  const o = object(text.trimEnd());
  if (typeof o === 'string') return fail(o === 'too-long' ? 'too-long' : 'malformed', 'a datagram is one JSON object');
  const op = o.op;
  if (typeof op !== 'string' || !UDP_OPS.has(op)) return fail('unknown-op', `op must be one of ${[...UDP_OPS].join(', ')}`);
  const tok = token(o);
  if (tok === null) return fail('bad-field', 'token must be a string of at most 256 characters');
  const t = tok === undefined ? {} : { token: tok };
  const id = int(o, 'id', 0, MAX_ID);
  if (typeof id === 'string') return fail('bad-field', id);
  if (op === 'count') return { ok: true, req: { op, id, ...t } };
  if (op === 'echo') {
    const seq = int(o, 'seq', 0, 1_000_000);
    if (typeof seq === 'string') return fail('bad-field', seq);
    const t1 = num(o, 't1');
    return typeof t1 === 'string' ? fail('bad-field', t1) : { ok: true, req: { op, id, seq, t1, ...t } };
  }
  const sizes = o.sizes;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > MAX_MTU_SIZES) return fail('bad-field', `sizes must be a list of 1…${MAX_MTU_SIZES} sizes`);
  for (const s of sizes)
    if (typeof s !== 'number' || !Number.isInteger(s) || s < MIN_MTU_SIZE || s > MAX_MTU_SIZE) return fail('bad-field', `each size must be an integer in ${MIN_MTU_SIZE}…${MAX_MTU_SIZE}`);
  return { ok: true, req: { op: 'mtu', id, sizes: sizes as number[], ...t } };
}

/**
 * Constant-time token check. Without a configured token nobody is authenticated: every limit for
 * anonymous clients applies.
 */
export function tokenMatches(configured: string | null, given: string | undefined): boolean {
  if (configured === null || given === undefined) return false;
  const a = createHash('sha256').update(configured).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** An error reply line. */
export function errorLine(error: ErrorCode, detail: string): string {
  return JSON.stringify({ ok: false, error, detail }) + '\n';
}
