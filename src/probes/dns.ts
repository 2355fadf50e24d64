/**
 * DNS probe: one query to one resolver, directly over UDP (TCP when the answer is truncated),
 * so each configured server is seen on its own — latency, rcode, answers, TTL.
 * Hostile or broken replies (garbage, wrong id, wrong question) are outcomes, never crashes.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { lookup } from 'node:dns/promises';
import * as dnsPacket from 'dns-packet';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { ProbeContext } from './types.js';

export interface DnsQuery {
  server: string;
  port?: number;
  name: string;
  qtype: 'A' | 'AAAA';
}

type QueryData = ObservationData['dns.query'];

/** Decodes a reply and checks it answers our question; returns an error text otherwise. */
export function decodeReply(buf: Buffer, id: number, name: string, qtype: 'A' | 'AAAA'): { ok: true; packet: dnsPacket.Packet } | { ok: false; error: string } {
  let p: dnsPacket.Packet;
  try {
    p = dnsPacket.decode(buf);
  } catch (err) {
    return { ok: false, error: `malformed DNS reply (${err instanceof Error ? err.message : 'decode error'})` };
  }
  if (p.id !== id) return { ok: false, error: 'reply id does not match the query' };
  const q = p.questions?.[0];
  if (q && (q.name.toLowerCase() !== name.toLowerCase() || q.type !== qtype)) return { ok: false, error: 'reply is for another question' };
  return { ok: true, packet: p };
}

function summarize(p: dnsPacket.Packet, qtype: 'A' | 'AAAA'): Pick<QueryData, 'rcode' | 'answers' | 'cnames' | 'truncated'> {
  const answers: QueryData['answers'] = [];
  const cnames: string[] = [];
  for (const a of (p.answers ?? []).slice(0, 100)) {
    if (a.type === qtype && typeof a.data === 'string') answers.push({ address: a.data, ttl: a.ttl ?? 0 });
    else if (a.type === 'CNAME' && typeof a.data === 'string') cnames.push(a.data);
  }
  const flags = p.flags ?? 0;
  return { rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', answers, cnames, truncated: (flags & dnsPacket.TRUNCATED_RESPONSE) !== 0 };
}

function encodeQuery(id: number, name: string, qtype: 'A' | 'AAAA'): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype, name, class: 'IN' }] });
}

function udpQuery(q: DnsQuery, id: number, ctx: ProbeContext): Promise<{ buf: Buffer } | { outcome: 'timeout' | 'unreachable' | 'error'; error: string }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(q.server.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (v: { buf: Buffer } | { outcome: 'timeout' | 'unreachable' | 'error'; error: string }): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      sock.close();
      resolve(v);
    };
    const onAbort = (): void => finish({ outcome: 'timeout', error: `no answer within ${Math.round(ctx.budgetMs)} ms` });
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort);
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      finish({ outcome: code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'unreachable' : 'error', error: code });
    });
    sock.on('message', (buf) => {
      // Ignore strays (wrong id): keep waiting for ours until the budget ends.
      if (buf.length >= 2 && buf.readUInt16BE(0) === id) finish({ buf });
    });
    // connect() so that ICMP port-unreachable surfaces as ECONNREFUSED.
    sock.connect(q.port ?? 53, q.server, (cerr?: Error) => {
      if (done) return;
      if (cerr) {
        const code = (cerr as NodeJS.ErrnoException).code ?? 'error';
        return finish({ outcome: code === 'ENETUNREACH' || code === 'EHOSTUNREACH' ? 'unreachable' : 'error', error: code });
      }
      try {
        sock.send(encodeQuery(id, q.name, q.qtype), (err) => {
          if (err) finish({ outcome: 'error', error: (err as NodeJS.ErrnoException).code ?? err.message });
        });
      } catch (err) {
        // connect() failed (no route): the socket is not connected.
        finish({ outcome: 'unreachable', error: (err as NodeJS.ErrnoException).code ?? 'not connected' });
      }
    });
  });
}

function tcpQuery(q: DnsQuery, id: number, ctx: ProbeContext): Promise<{ buf: Buffer } | { outcome: 'timeout' | 'unreachable' | 'error'; error: string }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: q.server, port: q.port ?? 53 });
    let acc = Buffer.alloc(0);
    let done = false;
    const finish = (v: { buf: Buffer } | { outcome: 'timeout' | 'unreachable' | 'error'; error: string }): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(v);
    };
    const onAbort = (): void => finish({ outcome: 'timeout', error: 'no TCP answer within the budget' });
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort);
    sock.on('connect', () => sock.write(dnsPacket.streamEncode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: q.qtype, name: q.name, class: 'IN' }] })));
    sock.on('data', (d) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length > 70_000) return finish({ outcome: 'error', error: 'oversized TCP DNS reply' });
      if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) finish({ buf: acc.subarray(2, 2 + acc.readUInt16BE(0)) });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: err.code === 'ECONNREFUSED' ? 'unreachable' : 'error', error: err.code ?? err.message }));
    sock.on('close', () => finish({ outcome: 'error', error: 'connection closed before a full reply' }));
  });
}

/** One query to one resolver → one 'dns.query' observation. */
export async function run(q: DnsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const id = randomInt(1, 65535);
  const base: QueryData = { server: q.server, port: q.port ?? 53, name: q.name, qtype: q.qtype, transport: 'udp', outcome: 'error', rcode: null, answers: [], cnames: [], truncated: false, ms: 0 };
  let r = await udpQuery(q, id, ctx);
  if ('buf' in r) {
    const d = decodeReply(r.buf, id, q.name, q.qtype);
    if (d.ok && summarize(d.packet, q.qtype).truncated) {
      base.transport = 'tcp';
      r = await tcpQuery(q, id, ctx);
    }
  }
  const ms = performance.now() - t0;
  let data: QueryData;
  if ('buf' in r) {
    const d = decodeReply(r.buf, id, q.name, q.qtype);
    data = d.ok ? { ...base, outcome: 'answer', ...summarize(d.packet, q.qtype), ms } : { ...base, outcome: 'error', error: d.error, ms };
  } else data = { ...base, outcome: r.outcome, error: r.error, ms };
  data.ms = Math.round(ms * 10) / 10;
  return [observation('dns.query', data, ms)];
}

/** What the system resolver (getaddrinfo: hosts file, nsswitch, resolv.conf) returns. */
export async function systemLookup(name: string, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  const timeout = new Promise<'timeout'>((res) => {
    if (ctx.signal.aborted) res('timeout');
    ctx.signal.addEventListener('abort', () => res('timeout'), { once: true });
  });
  let data: ObservationData['dns.system'];
  try {
    const r = await Promise.race([lookup(name, { all: true, verbatim: true }), timeout]);
    if (r === 'timeout') data = { name, addresses: [], error: 'TIMEOUT', ms: 0 };
    else data = { name, addresses: r.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })), error: null, ms: 0 };
  } catch (err) {
    data = { name, addresses: [], error: (err as NodeJS.ErrnoException).code ?? 'ERROR', ms: 0 };
  }
  const ms = performance.now() - t0;
  data.ms = Math.round(ms * 10) / 10;
  return [observation('dns.system', data, ms)];
}
