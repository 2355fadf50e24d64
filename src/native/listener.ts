/**
 * Shared raw receivers: one raw ICMP(v6) socket per family (echo replies and the ICMP errors
 * that quote our probes) and, while TCP-SYN probes are out, one raw TCP socket per family (the
 * target's SYN-ACK or RST). Probes register a key for the answer they wait for; the receiver
 * parses each packet once and hands it to the probe whose key matches. A receiver's socket is
 * open only while some probe waits on it. A delivery's `at` is when the kernel received the
 * packet (SO_TIMESTAMPNS), on performance.now()'s clock.
 */
import { performance } from 'node:perf_hooks';
import type { RawAddon, WatchHandle } from './addon.js';
import { parseIcmp, parseTcp, type IcmpMessage, type TcpSegment } from './packet.js';

export type Delivery = { kind: 'icmp'; msg: IcmpMessage; at: number } | { kind: 'tcp'; seg: TcpSegment; at: number };
type Handler = (d: Delivery) => void;

/** Keys under which a parsed packet is looked up (the same function builds the probes' keys). */
export const keys = {
  echo: (ident: number, seq: number): string => `e|${ident}|${seq}`,
  udp: (dst: string, sport: number, dport: number, cksum: number): string => `u|${dst}|${sport}|${dport}|${cksum}`,
  syn: (dst: string, sport: number, dport: number, seq: number): string => `t|${dst}|${sport}|${dport}|${seq >>> 0}`,
  /** A kernel TCP connection (its ISN is unknown): matched by addresses and ports. */
  conn: (dst: string, sport: number, dport: number): string => `c|${dst}|${sport}|${dport}`,
  udpFlow: (dst: string, sport: number, dport: number): string => `f|${dst}|${sport}|${dport}`,
};

/** The keys a received packet can answer. */
export function deliveryKeys(d: Delivery): string[] {
  if (d.kind === 'tcp') {
    const s = d.seg;
    return [keys.syn(s.src, s.dport, s.sport, (s.ack - 1) >>> 0), keys.conn(s.src, s.dport, s.sport)];
  }
  const m = d.msg;
  if (m.ident !== undefined && m.seq !== undefined) return [keys.echo(m.ident, m.seq)];
  const q = m.quote;
  if (!q) return [];
  if (q.ident !== undefined && q.seq !== undefined) return [keys.echo(q.ident, q.seq)];
  if (q.proto === 17 && q.sport !== undefined && q.dport !== undefined) {
    return [keys.udp(q.dst, q.sport, q.dport, q.udpChecksum ?? 0), keys.udpFlow(q.dst, q.sport, q.dport)];
  }
  if (q.proto === 6 && q.sport !== undefined && q.dport !== undefined) {
    return [keys.syn(q.dst, q.sport, q.dport, q.tcpSeq ?? 0), keys.conn(q.dst, q.sport, q.dport)];
  }
  return [];
}

const ICMP_FILTER = 1;
const SOL_RAW = 255;

class Receiver {
  private fd = -1;
  private watchHandle: WatchHandle | null = null;
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly addon: RawAddon,
    private readonly family: 4 | 6,
    private readonly proto: 'icmp' | 'tcp',
  ) {}

  /** Opens the socket if needed; throws the socket error (EPERM without CAP_NET_RAW). */
  private open(): void {
    if (this.fd >= 0) return;
    const c = this.addon.constants;
    const fam = this.family === 4 ? c.AF_INET! : c.AF_INET6!;
    const proto = this.proto === 'tcp' ? c.IPPROTO_TCP! : this.family === 4 ? c.IPPROTO_ICMP! : c.IPPROTO_ICMPV6!;
    const fd = this.addon.socket(fam, c.SOCK_RAW!, proto);
    try {
      this.addon.setsockopt(fd, c.SOL_SOCKET!, c.SO_RCVBUF!, 1 << 20);
      if (this.family === 6) this.addon.setsockopt(fd, c.IPPROTO_IPV6!, c.IPV6_RECVHOPLIMIT!, 1);
      // The kernel's receive time of each packet: an answer that waited while the event loop was
      // busy (a snapshot being read, a process being spawned) keeps its true RTT.
      if (c.SO_TIMESTAMPNS !== undefined) this.addon.setsockopt(fd, c.SOL_SOCKET!, c.SO_TIMESTAMPNS, 1);
      if (this.family === 4 && this.proto === 'icmp') {
        // Only echo replies (0) and errors (3 unreachable, 11 time exceeded, 12 parameter problem).
        const pass = (1 << 0) | (1 << 3) | (1 << 11) | (1 << 12);
        this.addon.setsockopt(fd, SOL_RAW, ICMP_FILTER, ~pass | 0);
      }
      this.watchHandle = this.addon.watch(fd, c.UV_READABLE!, () => this.drain());
    } catch (err) {
      this.addon.close(fd);
      throw err;
    }
    this.fd = fd;
  }

  private close(): void {
    if (this.fd < 0) return;
    if (this.watchHandle) this.addon.unwatch(this.watchHandle);
    this.addon.close(this.fd);
    this.watchHandle = null;
    this.fd = -1;
  }

  /** Reads everything queued now; at most a bounded number of packets per wake-up. */
  drain(): void {
    if (this.fd < 0) return;
    for (let i = 0; i < 4096 && this.fd >= 0; i++) {
      const r = this.addon.recv(this.fd, false);
      if (r === null) break;
      if (!r.data) continue; // a consumed socket error
      // The age is taken in the same call as the packet: now less it is the kernel's receive time.
      const at = performance.now() - (r.ageMs ?? 0);
      const d: Delivery | null = this.proto === 'icmp' ? wrapIcmp(parseIcmp(this.family, r.data, r.address, r.ttl ?? -1), at) : wrapTcp(parseTcp(this.family, r.data, r.address), at);
      if (!d) continue;
      for (const k of deliveryKeys(d)) {
        const h = this.handlers.get(k);
        if (h) {
          h(d);
          break;
        }
      }
    }
  }

  on(key: string, h: Handler): void {
    this.open();
    this.handlers.set(key, h);
  }

  off(key: string): void {
    this.handlers.delete(key);
    if (this.handlers.size === 0) this.close();
  }
}

const wrapIcmp = (msg: IcmpMessage | null, at: number): Delivery | null => (msg ? { kind: 'icmp', msg, at } : null);
const wrapTcp = (seg: TcpSegment | null, at: number): Delivery | null => (seg ? { kind: 'tcp', seg, at } : null);

const receivers = new Map<string, Receiver>();

export function receiver(addon: RawAddon, family: 4 | 6, proto: 'icmp' | 'tcp'): { on(key: string, h: Handler): void; off(key: string): void; drain(): void } {
  const k = `${family}/${proto}`;
  let r = receivers.get(k);
  if (!r) {
    r = new Receiver(addon, family, proto);
    receivers.set(k, r);
  }
  return r;
}
