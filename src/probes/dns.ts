/**
 * DNS probe: one query to one resolver, directly over UDP (TCP when the answer is truncated),
 * so each configured server is seen on its own: latency, rcode, answers with TTL, CNAME chain.
 * The UDP socket is connected, so an ICMP port-unreachable from the server surfaces as
 * ECONNREFUSED ('unreachable'). The query is sent again halfway through the budget. Garbage, a wrong question or a non-response are outcome 'error'
 * with a message; replies with another id are ignored (ours may still come).
 */
import { nodeCrypto } from '../model/builtin.js';
import { ipFamily } from '../model/prefix.js';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import { decodeReply, encodeQuery, encodeTcpQuery, type QType, type ReplySummary } from './dns-wire.js';
import { errCode, onAbort, round1 } from './abort.js';
import type { ProbeContext } from './types.js';

export { run as systemLookup } from './system.js';

export interface DnsQuery {
  /** Resolver address (IP literal). */
  server: string;
  port?: number;
  name: string;
  qtype: QType;
  /** Add an EDNS0 OPT record (UDP payload 1232). Off by default, as stub resolvers do. */
  edns?: boolean;
}

type QueryData = ObservationData['dns.query'];
type Failure = { outcome: 'timeout' | 'unreachable' | 'error'; error: string; reply?: string };

/** The first bytes of an unusable reply, as evidence (hex). */
const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, Math.min(48, b.byteLength)).toString('hex');
type Exchange = { summary: ReplySummary } | Failure;

/** Largest DNS-over-TCP message (the length prefix is 16 bits). */
const MAX_TCP_REPLY = 65_535 + 2;

/** Errors that mean the resolver cannot be reached: ICMP errors, no route, a prohibit route (EACCES), the local firewall (EPERM). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL', 'EACCES', 'EPERM']);
const failure = (code: string): Failure => ({ outcome: UNREACHABLE.has(code) ? 'unreachable' : 'error', error: code });

function udpExchange(q: DnsQuery, id: number, ctx: ProbeContext): Promise<Exchange> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(ipFamily(q.server.replace(/%.*$/, '')) === 6 ? 'udp6' : 'udp4');
    let done = false;
    let ignored: string | null = null;
    let ignoredBytes: string | null = null;
    const finish = (v: Exchange): void => {
      if (done) return;
      done = true;
      detach();
      try {
        sock.close();
      } catch {
        /* never bound: nothing to close */
      }
      resolve(v);
    };
    const detach = onAbort(ctx.signal, () =>
      finish(
        ignored
          ? { outcome: 'error', error: `no matching reply within ${Math.round(ctx.budgetMs)} ms; ignored: ${ignored}`, ...(ignoredBytes ? { reply: ignoredBytes } : {}) }
          : { outcome: 'timeout', error: `no answer within ${Math.round(ctx.budgetMs)} ms` },
      ),
    );
    sock.on('error', (err) => finish(failure(errCode(err) ?? 'error')));
    sock.on('message', (buf) => {
      const r = decodeReply(buf, id, q.name, q.qtype);
      if (r.ok) finish({ summary: r.summary });
      else if (r.wrongId) {
        ignored = r.error;
        ignoredBytes = hexOf(buf);
      } else finish({ outcome: 'error', error: r.error, reply: hexOf(buf) });
    });
    // connect() so that an ICMP port-unreachable surfaces as ECONNREFUSED, and only the server's packets arrive.
    sock.connect(q.port ?? 53, q.server, (cerr?: Error) => {
      if (done) return;
      if (cerr) return finish(failure(errCode(cerr) ?? 'error'));
      const packet = encodeQuery(id, q.name, q.qtype, q.edns);
      const send = (): void => {
        if (done) return;
        try {
          sock.send(packet, (err) => {
            if (err) finish(failure(errCode(err) ?? 'error'));
          });
        } catch (err) {
          finish(failure(errCode(err) ?? 'ENOTCONN'));
        }
      };
      send();
      // One retransmission halfway through the budget, as a stub resolver would (same id, so
      // either answer counts): a single lost datagram is loss, not a dead resolver.
      const retry = setTimeout(send, Math.max(50, ctx.budgetMs / 2));
      retry.unref();
      sock.once('close', () => clearTimeout(retry));
    });
  });
}

function tcpExchange(q: DnsQuery, id: number, ctx: ProbeContext): Promise<Exchange> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: q.server, port: q.port ?? 53 });
    let acc = Buffer.alloc(0);
    let done = false;
    const finish = (v: Exchange): void => {
      if (done) return;
      done = true;
      detach();
      sock.destroy();
      resolve(v);
    };
    const detach = onAbort(ctx.signal, () => finish({ outcome: 'timeout', error: `no TCP answer within ${Math.round(ctx.budgetMs)} ms` }));
    sock.on('connect', () => sock.write(encodeTcpQuery(id, q.name, q.qtype, q.edns)));
    sock.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length < 2) return;
      const len = acc.readUInt16BE(0);
      if (acc.length > MAX_TCP_REPLY) return finish({ outcome: 'error', error: `oversized TCP DNS reply (${acc.length} bytes)` });
      if (acc.length < 2 + len) return;
      const r = decodeReply(acc.subarray(2, 2 + len), id, q.name, q.qtype);
      finish(r.ok ? { summary: r.summary } : { outcome: 'error', error: r.error, reply: hexOf(acc.subarray(2, 2 + len)) });
    });
    sock.on('error', (err) => finish(failure(errCode(err) ?? 'error')));
    sock.on('close', () => finish({ outcome: 'error', error: `connection closed before a full reply (${acc.length} bytes)` }));
  });
}

/** One query to one resolver → one 'dns.query' observation. */
export async function run(q: DnsQuery, ctx: ProbeContext): Promise<Observation[]> {
  const t0 = performance.now();
  // A query id an off-path spoofer cannot guess: from the CSPRNG (loaded only when a name is resolved).
  const id = nodeCrypto().randomInt(0, 65_536);
  const base: QueryData = { server: q.server, port: q.port ?? 53, name: q.name, qtype: q.qtype, transport: 'udp', outcome: 'error', rcode: null, answers: [], cnames: [], truncated: false, ms: 0 };
  let data: QueryData;
  if (ipFamily(q.server.replace(/%.*$/, '')) === null) {
    data = { ...base, error: `resolver '${q.server.slice(0, 80)}' is not an IP address` };
  } else {
    const udp = await udpExchange(q, id, ctx);
    if (!('summary' in udp)) data = { ...base, outcome: udp.outcome, error: udp.error, ...(udp.reply ? { reply: udp.reply } : {}) };
    else if (!udp.summary.truncated) data = { ...base, outcome: 'answer', ...udp.summary };
    else {
      // TC set: the full answer needs TCP. If TCP fails, keep what UDP said and why TCP did not help.
      const tcp = await tcpExchange(q, id, ctx);
      data =
        'summary' in tcp
          ? { ...base, transport: 'tcp', outcome: 'answer', ...tcp.summary, truncated: true }
          : { ...base, outcome: 'answer', ...udp.summary, error: `truncated over UDP; TCP retry failed: ${tcp.error}`, ...(tcp.reply ? { reply: tcp.reply } : {}) };
    }
  }
  const ms = performance.now() - t0;
  data.ms = round1(ms);
  return [observation('dns.query', data, ms)];
}

export interface ResolverAddress {
  server: string;
  port?: number;
}

/** A and AAAA for `name` against every server, all in parallel (2 × servers observations, in server order). */
export async function queryAll(servers: ReadonlyArray<string | ResolverAddress>, name: string, ctx: ProbeContext, opts: { edns?: boolean } = {}): Promise<Observation[]> {
  const jobs = servers.flatMap((s) => {
    const addr = typeof s === 'string' ? { server: s } : s;
    return (['A', 'AAAA'] as const).map((qtype) => run({ ...addr, name, qtype, ...(opts.edns ? { edns: true } : {}) }, ctx));
  });
  return (await Promise.all(jobs)).flat();
}
