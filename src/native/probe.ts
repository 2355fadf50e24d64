/**
 * One raw probe — ICMP echo, UDP datagram or TCP SYN — with a TTL, a size and the DF bit, and the
 * answer that comes back: the target's reply, an ICMP error from a router (time exceeded,
 * unreachable, frag-needed with the next-hop MTU), or nothing before the timeout.
 *
 * Flow identity (Paris traceroute): the caller fixes the flow (ICMP ident / UDP and TCP ports);
 * what tells the probes of one flow apart is carried where load balancers do not look: the ICMP
 * sequence number (the checksum is kept constant), the UDP checksum, the TCP sequence number.
 */
import { performance } from 'node:perf_hooks';
import type { RawAddon } from './addon.js';
import { receiver, keys, type Delivery } from './listener.js';
import { acquireSendSocket, familyOf } from './sockets.js';
import { buildEcho, buildSyn, buildUdp, icmpName, TCP_FLAGS, udpChecksumId } from './packet.js';
import type { IcmpError } from '../model/observation.js';

export interface ProbeSpec {
  proto: 'icmp' | 'udp' | 'tcp';
  dst: string;
  /** Local address (from routeSource); needed for UDP and TCP checksums. */
  src: string;
  ttl: number;
  timeoutMs: number;
  /** Total IP packet size in bytes (default: the smallest probe). */
  size?: number;
  df?: boolean;
  /** ICMP: the echo ident (constant per flow). UDP/TCP: the source port (constant per flow). */
  flow: number;
  /** UDP/TCP destination port. */
  port?: number;
  /** What tells this probe apart within its flow: ICMP seq, UDP checksum, TCP sequence number. */
  id: number;
  /** Firewall mark of the probe (SO_MARK), e.g. a WireGuard fwmark; 0 or absent: none. */
  mark?: number;
  signal?: AbortSignal;
}

export interface ProbeReply {
  /** reply: the target answered (echo reply, SYN-ACK, RST, or port-unreachable from the target for UDP). */
  outcome: 'reply' | 'icmp-error' | 'timeout' | 'error';
  from: string | null;
  rttMs: number | null;
  icmp: IcmpError | null;
  /** TCP: 'syn-ack' | 'rst' when the target answered. */
  tcp?: 'syn-ack' | 'rst';
  /** The TTL the answer arrived with (-1 unknown). */
  replyTtl?: number;
  errno: string | null;
}

const HEADER = { 4: 20, 6: 40 } as const;

function payloadFor(spec: ProbeSpec, family: 4 | 6): Buffer {
  const l4Size = Math.max(0, (spec.size ?? 0) - HEADER[family]);
  if (spec.proto === 'icmp') return buildEcho({ family, ident: spec.flow, seq: spec.id, size: Math.max(16, l4Size), constantChecksum: true });
  if (spec.proto === 'udp') return buildUdp({ src: spec.src, dst: spec.dst, sport: spec.flow, dport: spec.port ?? 33434, size: Math.max(12, l4Size), checksum: udpChecksumId(spec.id) });
  return buildSyn({ src: spec.src, dst: spec.dst, sport: spec.flow, dport: spec.port ?? 80, seq: spec.id });
}

function keyFor(spec: ProbeSpec): string {
  if (spec.proto === 'icmp') return keys.echo(spec.flow & 0xffff, spec.id & 0xffff);
  if (spec.proto === 'udp') return keys.udp(spec.dst, spec.flow, spec.port ?? 33434, udpChecksumId(spec.id));
  return keys.syn(spec.dst, spec.flow, spec.port ?? 80, spec.id);
}

export function toIcmpError(family: 4 | 6, type: number, code: number, from: string, mtu?: number): IcmpError {
  const e: IcmpError = { type, code, from, name: icmpName(family, type, code) };
  if (mtu !== undefined) e.mtu = mtu;
  return e;
}

/** Sends one probe and resolves with what came back. Never rejects for a network outcome. */
export function sendProbe(addon: RawAddon, spec: ProbeSpec): Promise<ProbeReply> {
  const family = familyOf(spec.dst);
  return new Promise((resolve) => {
    const key = keyFor(spec);
    const icmpRx = receiver(addon, family, 'icmp');
    const tcpRx = spec.proto === 'tcp' ? receiver(addon, family, 'tcp') : null;
    let sock: { fd: number; release: () => void } | null = null;
    const timer: { id?: ReturnType<typeof setTimeout> } = {};
    let t0 = 0;
    let done = false;
    const finish = (r: ProbeReply): void => {
      if (done) return;
      done = true;
      clearTimeout(timer.id);
      spec.signal?.removeEventListener('abort', onAbort);
      icmpRx.off(key);
      tcpRx?.off(key);
      sock?.release();
      resolve(r);
    };
    const onAbort = (): void => finish({ outcome: 'timeout', from: null, rttMs: null, icmp: null, errno: null });
    const onAnswer = (d: Delivery): void => {
      // Never below zero: the kernel's receive time and this clock agree to a few microseconds only.
      const rttMs = Math.max(0, Math.round((d.at - t0) * 1000) / 1000);
      if (d.kind === 'tcp') {
        const f = d.seg.flags;
        if (f & TCP_FLAGS.RST || (f & TCP_FLAGS.SYN && f & TCP_FLAGS.ACK)) finish({ outcome: 'reply', from: d.seg.src, rttMs, icmp: null, tcp: f & TCP_FLAGS.RST ? 'rst' : 'syn-ack', errno: null });
        return;
      }
      const m = d.msg;
      if (m.quote === undefined) {
        finish({ outcome: 'reply', from: m.from, rttMs, icmp: null, replyTtl: m.ttl, errno: null });
        return;
      }
      const err = toIcmpError(family, m.type, m.code, m.from, m.mtu);
      // For UDP the target itself answers with port unreachable: that is the target's reply.
      const isTarget = m.from === m.quote.dst;
      const targetReply = spec.proto === 'udp' && isTarget && err.name === 'port-unreachable';
      finish({ outcome: targetReply ? 'reply' : 'icmp-error', from: m.from, rttMs, icmp: err, replyTtl: m.ttl, errno: null });
    };
    try {
      icmpRx.on(key, onAnswer);
      tcpRx?.on(key, onAnswer);
      sock = acquireSendSocket(addon, family, spec.proto, spec.mark ?? 0);
    } catch (err) {
      finish({ outcome: 'error', from: null, rttMs: null, icmp: null, errno: (err as NodeJS.ErrnoException).code ?? String(err) });
      return;
    }
    if (spec.signal?.aborted) return onAbort();
    spec.signal?.addEventListener('abort', onAbort);
    timer.id = setTimeout(
      () => {
        // A last look: the answer may be queued while the timer fired first.
        icmpRx.drain();
        tcpRx?.drain();
        finish({ outcome: 'timeout', from: null, rttMs: null, icmp: null, errno: null });
      },
      Math.max(1, spec.timeoutMs),
    );
    const data = payloadFor(spec, family);
    t0 = performance.now();
    const sent = addon.sendto(sock.fd, data, spec.dst, 0, spec.ttl, spec.df === undefined ? -1 : spec.df ? 1 : 0);
    if (typeof sent === 'string') finish({ outcome: 'error', from: null, rttMs: null, icmp: null, errno: sent });
  });
}
