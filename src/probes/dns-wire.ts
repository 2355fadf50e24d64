/**
 * DNS wire format for the DNS probe: the query we send and the judgement of a reply.
 * Pure; a reply is untrusted input (garbage, another id, another question, huge) and is
 * turned into a value, never an exception.
 */
import * as dnsPacket from 'dns-packet';
import type { ObservationData } from '../model/observation.js';

export type QType = 'A' | 'AAAA';
type QueryData = ObservationData['dns.query'];

/** What a reply says, as the observation carries it. */
export type ReplySummary = Pick<QueryData, 'rcode' | 'answers' | 'cnames' | 'truncated'>;

export type Reply =
  | { ok: true; summary: ReplySummary }
  /** `wrongId`: a well-formed reply to another query (keep waiting for ours). */
  | { ok: false; error: string; wrongId?: boolean };

/** At most this many answers / CNAMEs are kept from one reply. */
export const MAX_RECORDS = 100;
const HEADER = 12;

export function encodeQuery(id: number, name: string, qtype: QType, edns = false): Buffer {
  const packet: dnsPacket.Packet = { type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype, name, class: 'IN' }] };
  if (edns) packet.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as dnsPacket.Answer];
  return dnsPacket.encode(packet);
}

/** The query framed for DNS over TCP (two-byte length prefix). */
export function encodeTcpQuery(id: number, name: string, qtype: QType, edns = false): Buffer {
  const q = encodeQuery(id, name, qtype, edns);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(q.length);
  return Buffer.concat([len, q]);
}

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/** Decodes a reply and checks that it answers our query (id, response bit, question). */
export function decodeReply(buf: Uint8Array, id: number, name: string, qtype: QType): Reply {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER) return { ok: false, error: `malformed DNS reply: ${b.length} bytes, shorter than a DNS header` };
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(b);
  } catch (err) {
    const why = err instanceof Error ? err.message : 'decode error';
    return { ok: false, error: `malformed DNS reply (${b.length} bytes): ${why.slice(0, 120)}` };
  }
  if (p.id !== id) return { ok: false, error: `reply id ${p.id ?? '?'} does not match the query id ${id}`, wrongId: true };
  if (p.type !== 'response') return { ok: false, error: 'the reply is a query, not a response (QR bit clear)' };
  const q = p.questions?.[0];
  if (q && (typeof q.name !== 'string' || !sameName(q.name, name) || q.type !== qtype)) {
    return { ok: false, error: `the reply is for another question (${String(q.name).slice(0, 80)} ${String(q.type)})` };
  }
  return { ok: true, summary: summarize(p, qtype) };
}

function summarize(p: dnsPacket.DecodedPacket, qtype: QType): ReplySummary {
  const answers: ReplySummary['answers'] = [];
  const cnames: string[] = [];
  for (const a of p.answers ?? []) {
    if (answers.length >= MAX_RECORDS && cnames.length >= MAX_RECORDS) break;
    const { data, ttl: rawTtl } = a as { data?: unknown; ttl?: unknown };
    if (typeof data !== 'string') continue;
    const ttl = typeof rawTtl === 'number' && Number.isFinite(rawTtl) ? rawTtl : 0;
    if (a.type === qtype && answers.length < MAX_RECORDS) answers.push({ address: data, ttl });
    else if (a.type === 'CNAME' && cnames.length < MAX_RECORDS) cnames.push(data.replace(/\.$/, '').slice(0, 255));
  }
  const rcode: unknown = (p as { rcode?: unknown }).rcode;
  return { rcode: typeof rcode === 'string' ? rcode : null, answers, cnames, truncated: p.flag_tc === true };
}
