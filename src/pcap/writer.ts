/**
 * A small capture writer: pcap / pcapng files and the packets in them (Ethernet, IPv4/IPv6, TCP,
 * UDP, ICMP, ARP), for tests, fixtures and the benchmark's large capture. Checksums are left 0
 * (tcpdump and tshark do not validate them by default).
 */
import { parseIpWords } from './decode.js';

export interface WriterOptions {
  format?: 'pcap' | 'pcapng';
  linktype?: number;
  nano?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}

export class CaptureWriter {
  private readonly parts: Buffer[] = [];
  private readonly le: boolean;
  readonly format: 'pcap' | 'pcapng';
  private readonly units: number;
  size = 0;

  constructor(private readonly o: WriterOptions = {}) {
    this.le = !o.bigEndian;
    this.format = o.format ?? 'pcap';
    this.units = o.nano ? 1e9 : 1e6;
    const snap = o.snaplen ?? 262144;
    if (this.format === 'pcap') {
      const h = Buffer.alloc(24);
      this.w32(h, 0, o.nano ? 0xa1b23c4d : 0xa1b2c3d4);
      this.w16(h, 4, 2);
      this.w16(h, 6, 4);
      this.w32(h, 16, snap);
      this.w32(h, 20, o.linktype ?? 1);
      this.add(h);
    } else {
      const shb = Buffer.alloc(28);
      this.w32(shb, 0, 0x0a0d0d0a);
      this.w32(shb, 4, 28);
      this.w32(shb, 8, 0x1a2b3c4d);
      this.w16(shb, 12, 1);
      this.w16(shb, 14, 0);
      shb.writeInt32LE(-1, 16);
      shb.writeInt32LE(-1, 20);
      this.w32(shb, 24, 28);
      this.add(shb);
      this.interface(o.linktype ?? 1, o.nano ? 9 : 6, snap);
    }
  }

  private w32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private w16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }

  private add(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  /** pcapng: another interface (link type, timestamp resolution as 10^-n). Returns its index. */
  interface(linktype: number, tsresol = 6, snaplen = 262144): number {
    if (this.format !== 'pcapng') throw new Error('interfaces are a pcapng feature');
    const b = Buffer.alloc(32);
    this.w32(b, 0, 1);
    this.w32(b, 4, 32);
    this.w16(b, 8, linktype);
    this.w32(b, 12, snaplen);
    this.w16(b, 16, 9);
    this.w16(b, 18, 1);
    b[20] = tsresol;
    this.w16(b, 24, 0);
    this.w16(b, 26, 0);
    this.w32(b, 28, 32);
    this.add(b);
    return this.ifaces++;
  }

  private ifaces = 0;

  /** A packet at tsUs (µs since the epoch); `caplen` cuts it like a snaplen would. */
  packet(tsUs: number, frame: Buffer, opts: { caplen?: number; iface?: number; resol?: number } = {}): void {
    const cap = Math.min(frame.length, opts.caplen ?? frame.length);
    if (this.format === 'pcap') {
      const h = Buffer.alloc(16);
      const sec = Math.floor(tsUs / 1e6);
      this.w32(h, 0, sec);
      this.w32(h, 4, Math.round((tsUs - sec * 1e6) * (this.units / 1e6)));
      this.w32(h, 8, cap);
      this.w32(h, 12, frame.length);
      this.add(h);
      this.add(frame.subarray(0, cap));
      return;
    }
    const pad = (4 - (cap % 4)) % 4;
    const len = 32 + cap + pad;
    const b = Buffer.alloc(len);
    const units = opts.resol ?? this.units;
    const t = (BigInt(Math.round(tsUs)) * BigInt(units)) / 1000000n;
    this.w32(b, 0, 6);
    this.w32(b, 4, len);
    this.w32(b, 8, opts.iface ?? 0);
    this.w32(b, 12, Number(t >> 32n));
    this.w32(b, 16, Number(t & 0xffffffffn));
    this.w32(b, 20, cap);
    this.w32(b, 24, frame.length);
    frame.copy(b, 28, 0, cap);
    this.w32(b, len - 4, len);
    this.add(b);
  }

  /** pcapng simple packet block (interface 0, no timestamp). */
  simplePacket(frame: Buffer): void {
    const pad = (4 - (frame.length % 4)) % 4;
    const len = 16 + frame.length + pad;
    const b = Buffer.alloc(len);
    this.w32(b, 0, 3);
    this.w32(b, 4, len);
    this.w32(b, 8, frame.length);
    frame.copy(b, 12);
    this.w32(b, len - 4, len);
    this.add(b);
  }

  /** The bytes so far, and forgets them (for streaming a large file out in pieces). */
  drain(): Buffer {
    const out = Buffer.concat(this.parts);
    this.parts.length = 0;
    return out;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// ── packet builders ─────────────────────────────────────────────────────────

export function macBytes(m: string): Buffer {
  return Buffer.from(m.split(':').map((x) => parseInt(x, 16)));
}

export function ether(src: string, dst: string, etype: number, payload: Buffer, vlan?: number): Buffer {
  const tag = vlan === undefined ? 0 : 4;
  const b = Buffer.alloc(14 + tag + payload.length);
  macBytes(dst).copy(b, 0);
  macBytes(src).copy(b, 6);
  if (vlan !== undefined) {
    b.writeUInt16BE(0x8100, 12);
    b.writeUInt16BE(vlan, 14);
  }
  b.writeUInt16BE(etype, 12 + tag);
  payload.copy(b, 14 + tag);
  return b;
}

function addrBytes(a: string): Buffer {
  const w = parseIpWords(a);
  if (!w) throw new Error(`not an IP address: ${a}`);
  if (w[0] === 4) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(w[4]);
    return b;
  }
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeUInt32BE(w[i + 1]!, i * 4);
  return b;
}

export const isV6 = (a: string): boolean => a.includes(':');

export interface IpOpts {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  /** IPv4 fragment: byte offset and more-fragments flag. */
  fragOffset?: number;
  more?: boolean;
}

export function ip(o: IpOpts, payload: Buffer): Buffer {
  if (isV6(o.src)) {
    const b = Buffer.alloc(40 + payload.length);
    b.writeUInt32BE(0x60000000);
    b.writeUInt16BE(payload.length, 4);
    b[6] = o.proto;
    b[7] = o.ttl ?? 64;
    addrBytes(o.src).copy(b, 8);
    addrBytes(o.dst).copy(b, 24);
    payload.copy(b, 40);
    return b;
  }
  const b = Buffer.alloc(20 + payload.length);
  b[0] = 0x45;
  b.writeUInt16BE(20 + payload.length, 2);
  b.writeUInt16BE(o.id ?? 0, 4);
  b.writeUInt16BE((o.df ? 0x4000 : 0) | (o.more ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  b[8] = o.ttl ?? 64;
  b[9] = o.proto;
  addrBytes(o.src).copy(b, 12);
  addrBytes(o.dst).copy(b, 16);
  payload.copy(b, 20);
  return b;
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  mss?: number;
  wscale?: number;
}

export function tcp(o: TcpOpts, payload: Buffer = Buffer.alloc(0)): Buffer {
  const opts: number[] = [];
  if (o.mss !== undefined) opts.push(2, 4, o.mss >> 8, o.mss & 255);
  if (o.wscale !== undefined) opts.push(1, 3, 3, o.wscale);
  while (opts.length % 4) opts.push(0);
  const hl = 20 + opts.length;
  const b = Buffer.alloc(hl + payload.length);
  b.writeUInt16BE(o.sport, 0);
  b.writeUInt16BE(o.dport, 2);
  b.writeUInt32BE(o.seq >>> 0, 4);
  b.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  b[12] = (hl / 4) << 4;
  b[13] = o.flags;
  b.writeUInt16BE(o.win ?? 65535, 14);
  Buffer.from(opts).copy(b, 20);
  payload.copy(b, hl);
  return b;
}

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(8 + payload.length, 4);
  payload.copy(b, 8);
  return b;
}

export function icmp(type: number, code: number, rest: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = type;
  b[1] = code;
  b.writeUInt32BE(rest >>> 0, 4);
  payload.copy(b, 8);
  return b;
}

export function arpPacket(op: 1 | 2, sha: string, spa: string, tha: string, tpa: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(op, 6);
  macBytes(sha).copy(b, 8);
  addrBytes(spa).copy(b, 14);
  macBytes(tha).copy(b, 18);
  addrBytes(tpa).copy(b, 24);
  return b;
}

/** A host on a lab LAN for building frames. */
export interface Station {
  ip: string;
  mac: string;
}

/** Ethernet + IP frame from a to b (b's MAC may be a router's). */
export function frame(from: Station, to: Station, proto: number, l4: Buffer, ipo: Partial<IpOpts> = {}, toMac?: string): Buffer {
  const v6 = isV6(from.ip);
  return ether(from.mac, toMac ?? to.mac, v6 ? 0x86dd : 0x0800, ip({ src: from.ip, dst: to.ip, proto, ...ipo }, l4));
}

/**
 * A TCP conversation with its sequence numbers kept: `c.syn()`, `c.synAck()`, `c.data('c', 100)` …
 * Each call writes one packet at the writer's clock (`at`, µs), which the caller advances.
 */
export class TcpConv {
  cseq: number;
  sseq: number;
  constructor(
    readonly w: CaptureWriter,
    readonly client: Station,
    readonly server: Station,
    readonly cport: number,
    readonly sport: number,
    public at = 1_700_000_000_000_000,
  ) {
    this.cseq = 1000;
    this.sseq = 500000;
  }

  private send(dir: 'c' | 's', flags: number, payload: Buffer, extra: Partial<TcpOpts> = {}, opts: { seq?: number; caplen?: number } = {}): void {
    const c = dir === 'c';
    const seg = tcp(
      { sport: c ? this.cport : this.sport, dport: c ? this.sport : this.cport, seq: opts.seq ?? (c ? this.cseq : this.sseq), ack: flags & 16 ? (c ? this.sseq : this.cseq) : 0, flags, ...extra },
      payload,
    );
    const from = c ? this.client : this.server;
    const to = c ? this.server : this.client;
    this.w.packet(this.at, frame(from, to, 6, seg), opts.caplen !== undefined ? { caplen: opts.caplen } : {});
  }

  tick(ms: number): this {
    this.at += ms * 1000;
    return this;
  }

  syn(extra: Partial<TcpOpts> = { mss: 1460, wscale: 7 }): this {
    this.send('c', 2, Buffer.alloc(0), extra, { seq: this.cseq - 1 });
    return this;
  }

  /** Sends the SYN without consuming a sequence number (for retransmissions) — same as syn(). */
  synAck(extra: Partial<TcpOpts> = { mss: 1460, wscale: 7 }): this {
    this.send('s', 18, Buffer.alloc(0), extra, { seq: this.sseq - 1 });
    return this;
  }

  ack(dir: 'c' | 's' = 'c'): this {
    this.send(dir, 16, Buffer.alloc(0));
    return this;
  }

  /** Data from one side; `retransmit` resends the previous segment of that side instead. */
  data(dir: 'c' | 's', bytes: number | Buffer, o: { retransmitOf?: number; caplen?: number } = {}): this {
    const payload = typeof bytes === 'number' ? Buffer.alloc(bytes, 0x61) : bytes;
    if (o.retransmitOf !== undefined) {
      this.send(dir, 24, payload, {}, { seq: o.retransmitOf, ...(o.caplen !== undefined ? { caplen: o.caplen } : {}) });
      return this;
    }
    this.send(dir, 24, payload, {}, o.caplen !== undefined ? { caplen: o.caplen } : {});
    if (dir === 'c') this.cseq = (this.cseq + payload.length) >>> 0;
    else this.sseq = (this.sseq + payload.length) >>> 0;
    return this;
  }

  fin(dir: 'c' | 's'): this {
    this.send(dir, 17, Buffer.alloc(0));
    if (dir === 'c') this.cseq++;
    else this.sseq++;
    return this;
  }

  rst(dir: 'c' | 's', withAck = true): this {
    this.send(dir, withAck ? 20 : 4, Buffer.alloc(0));
    return this;
  }

  /** The usual three-way handshake, `rttMs` apart. */
  handshake(rttMs = 1): this {
    return this.syn().tick(rttMs).synAck().tick(0.05).ack('c');
  }

  /** An orderly close: FIN, ACK, FIN, ACK. */
  close(): this {
    this.fin('c').tick(0.1).ack('s').fin('s').tick(0.1).ack('c');
    return this;
  }
}
