/**
 * Flow analysis of a capture, one packet at a time: TCP connections (Zeek-style states, handshake
 * RTT, retransmissions, duplicate ACKs, zero windows, MSS / window scale per side, an MSS clamp
 * when a middlebox's two sides are both captured, idle gaps and what ended the flow), UDP flows,
 * DNS queries with their answers, ICMP errors matched to the flow they quote, echo requests, ARP.
 *
 * The hot path allocates nothing per packet: flows are found by a numeric hash of the 5-tuple in
 * a Map of chained flow objects; only a new flow, a DNS message, a TLS record or a notable event
 * (kept in small capped lists) allocates.
 */
import { decode, Decoded, ipText, SUPPORTED_LINKTYPES, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './decode.js';
import type { RawPacket } from './reader.js';
import { parseDns, TlsStream, type DnsMessage } from './app.js';

/** A packet reference in evidence: its number in the capture and its time (µs since the epoch). */
export interface PacketRef {
  n: number;
  tsUs: number;
}

/** At most this many packet references are kept per kind of event per flow. */
export const MAX_REFS = 8;

function ref(list: PacketRef[], n: number, tsUs: number): void {
  if (list.length < MAX_REFS) list.push({ n, tsUs });
}

export interface IcmpHit {
  n: number;
  tsUs: number;
  type: number;
  code: number;
  v6: boolean;
  from: string;
  mtu: number;
}

/** Per direction of a TCP flow (0: originator → responder, 1: back). */
export class TcpDir {
  pkts = 0;
  bytes = 0;
  payload = 0;
  syn = 0;
  fin = 0;
  rst = 0;
  hasNext = false;
  /** Hot numbers that are not small integers live in a typed array: storing them allocates nothing. */
  /** [nextSeq, lastSegUs, lastAck]: the hot path indexes it directly. */
  readonly v = new Float64Array([0, 0, -1]);
  get nextSeq(): number {
    return this.v[0]!;
  }
  set nextSeq(x: number) {
    this.v[0] = x;
  }
  get lastSegUs(): number {
    return this.v[1]!;
  }
  set lastSegUs(x: number) {
    this.v[1] = x;
  }
  get lastAck(): number {
    return this.v[2]!;
  }
  set lastAck(x: number) {
    this.v[2] = x;
  }
  lastWin = -1;
  retrans = 0;
  dupAcks = 0;
  zeroWin = 0;
  mss = -1;
  wscale = -1;
  /** Largest payload seen, and retransmissions of segments that large. */
  maxPay = 0;
  bigRetrans = 0;
  /** Sequence number of the first full-size segment retransmitted (-1: none). */
  bigRetransSeq = -1;
  bigRetransLen = 0;
  smallAcked = 0;
  synRefs: PacketRef[] = [];
  retransRefs: PacketRef[] = [];
  bigRetransRefs: PacketRef[] = [];
  rstRefs: PacketRef[] = [];
  zeroWinRefs: PacketRef[] = [];
  /** The SYN's sequence number and MSS (first seen), for the clamp check. */
  synSeq = -1;
  mssClamp: { from: number; to: number; n: number; tsUs: number } | null = null;
  /** Data segments (ts), for heartbeat detection: small payloads only, capped. */
  dataTimes: number[] = [];
  dataRefs: number[] = [];
  tls: TlsStream | null = null;
  tlsChecked = false;
  tlsNext = 0;
}

export class TcpFlow {
  next: TcpFlow | null = null;
  id = 0;
  ver = 4;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  aport = 0;
  bport = 0;
  firstN = 0;
  firstUs = 0;
  lastN = 0;
  readonly d: [TcpDir, TcpDir] = [new TcpDir(), new TcpDir()];
  /** [lastUs, maxGapUs, gapAfterUs, lastSynUs]: the hot path indexes it directly. */
  readonly tv = new Float64Array(4);
  get lastUs(): number {
    return this.tv[0]!;
  }
  set lastUs(x: number) {
    this.tv[0] = x;
  }
  get maxGapUs(): number {
    return this.tv[1]!;
  }
  set maxGapUs(x: number) {
    this.tv[1] = x;
  }
  get gapAfterUs(): number {
    return this.tv[2]!;
  }
  set gapAfterUs(x: number) {
    this.tv[2] = x;
  }
  get lastSynUs(): number {
    return this.tv[3]!;
  }
  set lastSynUs(x: number) {
    this.tv[3] = x;
  }
  /** Handshake: SYN-ACK seen (from responder), and the ACK that completes it. */
  synAckN = 0;
  synAckUs = 0;
  synAcks = 0;
  synAckRefs: PacketRef[] = [];
  establishedUs = 0;
  establishedN = 0;
  /** SYN → SYN-ACK, ms (-1: not measured). */
  rttMs = -1;
  /** Largest silence between two packets (maxGapUs), and the packets either side of it. */
  gapBeforeN = 0;
  gapAfterN = 0;
  /** The first RST: packet, direction, time. */
  firstRstN = 0;
  firstRstUs = 0;
  firstRstDir = -1;
  /** Packets after the largest gap: from each side. */
  afterGap: [number, number] = [0, 0];
  icmp: IcmpHit[] = [];
  /** Flow seen on two interfaces (a middlebox's two sides). */
  ifaces = 0;

  get state(): string {
    return zeekState(this);
  }

  addr(side: 0 | 1): string {
    return side === 0 ? ipText(this.ver, this.a0, this.a1, this.a2, this.a3) : ipText(this.ver, this.b0, this.b1, this.b2, this.b3);
  }
}

/** Zeek conn_state from what each side sent. */
export function zeekState(f: TcpFlow): string {
  const o = f.d[0];
  const r = f.d[1];
  const origSyn = o.syn > 0;
  const respSynAck = f.synAcks > 0;
  if (!origSyn && !respSynAck) return 'OTH';
  if (origSyn && !respSynAck) {
    if (r.rst > 0) return 'REJ';
    if (o.rst > 0) return 'RSTOS0';
    if (o.fin > 0) return 'SH';
    if (r.pkts > 0) return 'OTH';
    return 'S0';
  }
  if (!origSyn && respSynAck) {
    if (r.rst > 0) return 'RSTRH';
    if (r.fin > 0) return 'SHR';
    return 'OTH';
  }
  // Established (SYN and SYN-ACK seen).
  if (o.rst > 0 && (f.firstRstDir === 0 || r.rst === 0)) return 'RSTO';
  if (r.rst > 0) return 'RSTR';
  if (o.fin > 0 && r.fin > 0) return 'SF';
  if (o.fin > 0) return 'S2';
  if (r.fin > 0) return 'S3';
  return 'S1';
}

export class UdpFlow {
  next: UdpFlow | null = null;
  ver = 4;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  aport = 0;
  bport = 0;
  firstN = 0;
  firstUs = 0;
  private readonly tv = new Float64Array(1);
  get lastUs(): number {
    return this.tv[0]!;
  }
  set lastUs(x: number) {
    this.tv[0] = x;
  }
  pkts: [number, number] = [0, 0];
  bytes: [number, number] = [0, 0];
  icmp: IcmpHit[] = [];
  addr(side: 0 | 1): string {
    return side === 0 ? ipText(this.ver, this.a0, this.a1, this.a2, this.a3) : ipText(this.ver, this.b0, this.b1, this.b2, this.b3);
  }
}

export interface DnsTx {
  client: string;
  server: string;
  id: number;
  qname: string;
  qtype: number;
  queryN: number;
  queryUs: number;
  queries: number;
  responseN: number;
  responseUs: number;
  rcode: number;
  answers: string[];
  cnames: string[];
}

export interface ArpTarget {
  ip: string;
  requests: number;
  refs: PacketRef[];
  replies: number;
  mac: string;
}

export interface EchoDst {
  dst: string;
  /** Destination MAC the requests went to (-1: not Ethernet). */
  dstMac: number;
  requests: number;
  replies: number;
  refs: PacketRef[];
}

export interface FragNeeded extends PacketRef {
  from: string;
  mtu: number;
  v6: boolean;
  /** The quoted flow, as text. */
  flow: string;
}

export interface AnalyzeOptions {
  /** Keep this packet? (the --filter), evaluated on the decoded packet. */
  filter?: ((d: Decoded) => boolean) | null;
}

// ── hashing ─────────────────────────────────────────────────────────────────

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) | 0;
}

function endHash(a: number, b: number, c: number, d: number, port: number): number {
  return mix(mix(mix(mix(mix(0x2545f491, a), b), c), d), port);
}

/**
 * Symmetric flow key: the same for both directions. Written out (no calls) so that the 32-bit
 * address words, which are not small integers, are never boxed to be passed as arguments.
 */
function flowKey(d: Decoded, proto: number): number {
  let h = 0x2545f491;
  h = Math.imul(h ^ d.src0, 0x9e3779b1);
  h = (h ^ (h >>> 15)) | 0;
  h = Math.imul(h ^ d.src1, 0x9e3779b1);
  h = (h ^ (h >>> 15)) | 0;
  h = Math.imul(h ^ d.src2, 0x9e3779b1);
  h = (h ^ (h >>> 15)) | 0;
  h = Math.imul(h ^ d.src3, 0x9e3779b1);
  h = (h ^ (h >>> 15)) | 0;
  h = Math.imul(h ^ d.sport, 0x9e3779b1);
  h = (h ^ (h >>> 15)) | 0;
  let g = 0x2545f491;
  g = Math.imul(g ^ d.dst0, 0x9e3779b1);
  g = (g ^ (g >>> 15)) | 0;
  g = Math.imul(g ^ d.dst1, 0x9e3779b1);
  g = (g ^ (g >>> 15)) | 0;
  g = Math.imul(g ^ d.dst2, 0x9e3779b1);
  g = (g ^ (g >>> 15)) | 0;
  g = Math.imul(g ^ d.dst3, 0x9e3779b1);
  g = (g ^ (g >>> 15)) | 0;
  g = Math.imul(g ^ d.dport, 0x9e3779b1);
  g = (g ^ (g >>> 15)) | 0;
  return (((h + g) | 0) ^ proto) & 0x3fffffff;
}

/** 0: d goes a→b; 1: b→a; -1: not this flow. */
function dirOf(f: TcpFlow | UdpFlow, d: Decoded): number {
  if (f.ver !== d.ipVer) return -1;
  if (
    d.sport === f.aport &&
    d.dport === f.bport &&
    d.src3 === f.a3 &&
    d.dst3 === f.b3 &&
    d.src2 === f.a2 &&
    d.dst2 === f.b2 &&
    d.src1 === f.a1 &&
    d.dst1 === f.b1 &&
    d.src0 === f.a0 &&
    d.dst0 === f.b0
  )
    return 0;
  if (
    d.sport === f.bport &&
    d.dport === f.aport &&
    d.src3 === f.b3 &&
    d.dst3 === f.a3 &&
    d.src2 === f.b2 &&
    d.dst2 === f.a2 &&
    d.src1 === f.b1 &&
    d.dst1 === f.a1 &&
    d.src0 === f.b0 &&
    d.dst0 === f.a0
  )
    return 1;
  return -1;
}

/** A cleanly closed connection is folded into the totals this long (capture time) after its last packet. */
export const RETIRE_AFTER_US = 60_000_000;
/** Handshake RTTs kept for the percentiles (a uniform sample beyond this). */
const RTT_SAMPLE = 100_000;

/** A finished conversation as the summary lists it. */
export interface ConvRow {
  proto: 'tcp' | 'udp';
  a: string;
  aPort: number;
  b: string;
  bPort: number;
  packetsAB: number;
  bytesAB: number;
  packetsBA: number;
  bytesBA: number;
  firstPacket: number;
  firstUs: number;
  lastUs: number;
  tcp: TcpFlow | null;
}

export function convOfTcp(f: TcpFlow): ConvRow {
  return {
    proto: 'tcp',
    a: f.addr(0),
    aPort: f.aport,
    b: f.addr(1),
    bPort: f.bport,
    packetsAB: f.d[0].pkts,
    bytesAB: f.d[0].bytes,
    packetsBA: f.d[1].pkts,
    bytesBA: f.d[1].bytes,
    firstPacket: f.firstN,
    firstUs: f.firstUs,
    lastUs: f.lastUs,
    tcp: f,
  };
}

export function convOfUdp(u: UdpFlow): ConvRow {
  return {
    proto: 'udp',
    a: u.addr(0),
    aPort: u.aport,
    b: u.addr(1),
    bPort: u.bport,
    packetsAB: u.pkts[0],
    bytesAB: u.bytes[0],
    packetsBA: u.pkts[1],
    bytesBA: u.bytes[1],
    firstPacket: u.firstN,
    firstUs: u.firstUs,
    lastUs: u.lastUs,
    tcp: null,
  };
}

/** Totals of the connections retired from the live table. */
export class RetiredFlows {
  tcpFlows = 0;
  udpFlows = 0;
  states: Record<string, number> = {};
  rtts: number[] = [];
  private rttSeen = 0;
  tcpPkts = 0;
  retrans = 0;
  dupAcks = 0;
  zeroWin = 0;
  talkers = new Map<string, { packets: number; bytes: number }>();
  /** The largest retired conversations (at most TOP_KEEP). */
  top: ConvRow[] = [];

  talk(addr: string, pk: number, by: number): void {
    const x = this.talkers.get(addr);
    if (x) {
      x.packets += pk;
      x.bytes += by;
    } else if (this.talkers.size < 100_000) this.talkers.set(addr, { packets: pk, bytes: by });
  }

  private keep(c: ConvRow): void {
    this.top.push(c);
    if (this.top.length >= 64) {
      this.top.sort((x, y) => y.bytesAB + y.bytesBA - (x.bytesAB + x.bytesBA));
      this.top.length = 20;
    }
  }

  addTcp(f: TcpFlow): void {
    this.tcpFlows++;
    const st = f.state;
    this.states[st] = (this.states[st] ?? 0) + 1;
    if (f.rttMs >= 0) {
      this.rttSeen++;
      if (this.rtts.length < RTT_SAMPLE) this.rtts.push(f.rttMs);
      else {
        const j = Math.floor(Math.random() * this.rttSeen);
        if (j < RTT_SAMPLE) this.rtts[j] = f.rttMs;
      }
    }
    const [o, r] = f.d;
    this.tcpPkts += o.pkts + r.pkts;
    this.retrans += o.retrans + r.retrans;
    this.dupAcks += o.dupAcks + r.dupAcks;
    this.zeroWin += o.zeroWin + r.zeroWin;
    this.talk(f.addr(0), o.pkts, o.bytes);
    this.talk(f.addr(1), r.pkts, r.bytes);
    this.keep(convOfTcp(f));
  }

  addUdp(u: UdpFlow): void {
    this.udpFlows++;
    this.talk(u.addr(0), u.pkts[0], u.bytes[0]);
    this.talk(u.addr(1), u.pkts[1], u.bytes[1]);
    this.keep(convOfUdp(u));
  }
}

/** A payload this small is a heartbeat candidate. */
/** The longest idle gap of a flow (capture time), and the packets each side sends after it. */
function noteIdleGap(f: TcpFlow, p: RawPacket, dir: number): void {
  const ts = p.tsUs;
  const gap = ts - f.tv[0]!;
  if (gap > f.tv[1]!) {
    f.tv[1] = gap;
    f.gapBeforeN = f.lastN;
    f.gapAfterN = p.n;
    f.tv[2] = ts;
    f.afterGap[0] = 0;
    f.afterGap[1] = 0;
  }
  if (f.gapAfterN > 0) f.afterGap[dir as 0 | 1]++;
  if (ts > f.tv[0]!) f.tv[0] = ts;
  f.lastN = p.n;
}

/** A SYN (without ACK) from side `s`: its MSS and window scale, and an MSS clamp between two captures of it. */
function noteSyn(f: TcpFlow, s: TcpDir, p: RawPacket, d: Decoded): void {
  const ts = p.tsUs;
  s.syn++;
  ref(s.synRefs, p.n, ts);
  f.tv[3] = ts;
  if (d.mss >= 0) {
    if (s.synSeq === d.seq && s.mss >= 0 && s.mss !== d.mss && s.mssClamp === null && p.iface !== 0) s.mssClamp = { from: s.mss, to: d.mss, n: p.n, tsUs: ts };
    else if (s.synSeq === d.seq && s.mss >= 0 && s.mss !== d.mss && s.mssClamp === null) s.mssClamp = { from: Math.max(s.mss, d.mss), to: Math.min(s.mss, d.mss), n: p.n, tsUs: ts };
    if (s.mss < 0) s.mss = d.mss;
  }
  if (d.wscale >= 0 && s.wscale < 0) s.wscale = d.wscale;
  s.synSeq = d.seq;
}

/** A SYN-ACK from the responder: the handshake RTT, its MSS and window scale, an MSS clamp. */
function noteSynAck(f: TcpFlow, s: TcpDir, p: RawPacket, d: Decoded): void {
  const ts = p.tsUs;
  f.synAcks++;
  ref(f.synAckRefs, p.n, ts);
  if (f.synAckN === 0) {
    f.synAckN = p.n;
    f.synAckUs = ts;
    if (f.tv[3]! > 0) f.rttMs = (ts - f.tv[3]!) / 1000;
  }
  if (d.mss >= 0 && s.mss < 0) s.mss = d.mss;
  if (d.wscale >= 0 && s.wscale < 0) s.wscale = d.wscale;
  if (d.mss >= 0 && s.synSeq === d.seq && s.mss !== d.mss && s.mssClamp === null) s.mssClamp = { from: Math.max(s.mss, d.mss), to: Math.min(s.mss, d.mss), n: p.n, tsUs: ts };
  s.synSeq = d.seq;
}

/**
 * Sequence analysis of a segment that is not a RST (as Wireshark: retransmission = a segment that
 * starts below the next expected sequence number and is not a keep-alive or, within the
 * reordering window, out of order). True when the segment is a retransmission.
 */
function noteSequence(f: TcpFlow, s: TcpDir, o: TcpDir, p: RawPacket, d: Decoded, syn: boolean, fin: boolean): boolean {
  const ts = p.tsUs;
  const pay = d.payLen;
  const seglen = pay + (syn ? 1 : 0) + (fin ? 1 : 0);
  const seq = d.seq;
  let isRetrans = false;
  if (s.hasNext && seglen > 0 && ((seq - s.v[0]!) | 0) < 0) {
    const keepAlive = seglen <= 1 && !syn && !fin && ((s.v[0]! - 1) | 0) === (seq | 0);
    const rtt = f.rttMs > 0 ? f.rttMs * 1000 : 3000;
    const ooo = ts - s.v[1]! < rtt && (s.v[0]! | 0) !== ((seq + seglen) | 0);
    if (!keepAlive && !ooo) {
      isRetrans = true;
      s.retrans++;
      ref(s.retransRefs, p.n, ts);
      // Full size: the largest segment seen, or (with TSO/GSO super-segments on the sender's
      // own capture) about the MSS the peer offered, less TCP options.
      const full = o.mss > 0 ? Math.min(s.maxPay, o.mss - 40) : s.maxPay;
      if (pay >= 536 && pay >= full) {
        if (s.bigRetrans === 0) {
          s.bigRetransSeq = seq;
          s.bigRetransLen = pay;
        }
        s.bigRetrans++;
        ref(s.bigRetransRefs, p.n, ts);
      }
    }
  }
  if (seglen > 0) {
    const end = (seq + seglen) | 0;
    if (!s.hasNext || ((end - s.v[0]!) | 0) > 0) s.v[0] = end;
    s.hasNext = true;
    s.v[1] = ts;
  } else if (!s.hasNext && !syn) {
    // A mid-stream pickup: start from here.
    s.v[0] = seq | 0;
    s.hasNext = true;
  }
  return isRetrans;
}

/** An ACK without SYN, FIN or RST: duplicate ACKs, small segments acknowledged, the last ACK and window. */
function noteAck(s: TcpDir, o: TcpDir, d: Decoded, pay: number): void {
  if (pay === 0 && s.v[2]! === d.ack && s.lastWin === d.win && o.hasNext && ((o.v[0]! - d.ack) | 0) > 0) s.dupAcks++;
  if (pay > 0 || s.v[2]! !== d.ack) {
    if (s.v[2]! >= 0 && ((d.ack - s.v[2]!) | 0) > 0 && o.maxPay > 0 && o.maxPay < 536) o.smallAcked++;
  }
  s.v[2] = d.ack;
  s.lastWin = d.win;
}

const HEARTBEAT_MAX = 256;
const MAX_DATA_TIMES = 1024;

export class Analyzer {
  readonly tcp: TcpFlow[] = [];
  readonly udp: UdpFlow[] = [];
  readonly dns: DnsTx[] = [];
  readonly arp = new Map<string, ArpTarget>();
  /** MAC of each IPv4 address, from ARP replies and requests. */
  readonly arpMac = new Map<string, string>();
  readonly echo = new Map<string, EchoDst>();
  readonly fragNeeded: FragNeeded[] = [];
  /** ICMP errors that quote no flow seen in the capture. */
  readonly orphanIcmp: IcmpHit[] = [];
  /** Per destination MAC: IPv4 packets and distinct destination addresses (for the gateway guess). */
  readonly macDsts = new Map<number, { pkts: number; dsts: Set<number> }>();
  readonly unknownLinktypes = new Map<number, number>();
  packets = 0;
  bytes = 0;
  /** Packets that passed the filter. */
  matched = 0;
  ipv4Frags = 0;
  ipv6Frags = 0;
  private readonly span = new Float64Array(2);
  /** First and last packet time (µs) of the packets that passed the filter. */
  get firstUs(): number {
    return this.span[0]!;
  }
  get lastUs(): number {
    return this.span[1]!;
  }
  private readonly d = new Decoded();
  private readonly tcpTable = new Map<number, TcpFlow>();
  private readonly udpTable = new Map<number, UdpFlow>();
  private readonly dnsPending = new Map<string, DnsTx>();
  private readonly filter: ((d: Decoded) => boolean) | null;

  constructor(o: AnalyzeOptions = {}) {
    this.filter = o.filter ?? null;
  }

  /** The reader's callback. */
  /** Connections folded into these totals once finished (memory bounded by live connections, not the file). */
  readonly retired = new RetiredFlows();

  readonly onPacket = (p: RawPacket): void => {
    if ((++this.packets & 0xffff) === 0) this.retire(p.tsUs);
    this.bytes += p.origLen;
    const d = this.d;
    if (!SUPPORTED_LINKTYPES.has(p.linktype)) {
      this.unknownLinktypes.set(p.linktype, (this.unknownLinktypes.get(p.linktype) ?? 0) + 1);
      return;
    }
    decode(d, p.linktype, p.buf, p.off, p.caplen);
    if (this.filter !== null && !this.filter(d)) return;
    this.matched++;
    const ts = p.tsUs;
    const span = this.span;
    if (span[0] === 0 || ts < span[0]!) span[0] = ts;
    if (ts > span[1]!) span[1] = ts;
    if (d.ipVer === 0) {
      if (d.arpOp !== 0) this.onArp(p);
      return;
    }
    if (d.fragment) {
      if (d.ipVer === 4) this.ipv4Frags++;
      else this.ipv6Frags++;
    }
    if (d.proto === 6 && d.sport >= 0) this.onTcp(p, d);
    else if (d.proto === 17 && d.sport >= 0) this.onUdp(p, d);
    else if ((d.proto === 1 || d.proto === 58) && d.icmpType >= 0) this.onIcmp(p, d);
  };

  /** Which MAC carries packets to which addresses (once per flow, for the gateway guess). */
  private macDst(d: Decoded): void {
    if (d.ipVer !== 4 || d.ethDst < 0) return;
    let m = this.macDsts.get(d.ethDst);
    if (m === undefined) {
      if (this.macDsts.size >= 1024) return;
      this.macDsts.set(d.ethDst, (m = { pkts: 0, dsts: new Set() }));
    }
    m.pkts++;
    if (m.dsts.size < 64) m.dsts.add(d.dst3);
  }

  /**
   * Folds connections that closed cleanly (both FINs, no RST) more than a minute of capture time
   * ago, and that nothing else can be said about (no ICMP, no TLS, no stalled large segments, no
   * heartbeat pattern), into the totals, and forgets them. UDP flows idle for a minute likewise.
   */
  retire(nowUs: number): void {
    const before = nowUs - RETIRE_AFTER_US;
    let w = 0;
    for (let i = 0; i < this.tcp.length; i++) {
      const f = this.tcp[i]!;
      const [o, r] = f.d;
      if (
        f.lastUs < before &&
        o.fin > 0 &&
        r.fin > 0 &&
        o.rst === 0 &&
        r.rst === 0 &&
        o.syn > 0 &&
        f.synAcks > 0 &&
        f.icmp.length === 0 &&
        o.tls === null &&
        r.tls === null &&
        o.bigRetrans < 2 &&
        r.bigRetrans < 2 &&
        o.dataTimes.length < 4
      ) {
        this.unlinkTcp(f);
        this.retired.addTcp(f);
      } else this.tcp[w++] = f;
    }
    this.tcp.length = w;
    w = 0;
    for (let i = 0; i < this.udp.length; i++) {
      const u = this.udp[i]!;
      if (u.lastUs < before && u.icmp.length === 0) {
        this.unlinkUdp(u);
        this.retired.addUdp(u);
      } else this.udp[w++] = u;
    }
    this.udp.length = w;
  }

  private unlinkTcp(f: TcpFlow): void {
    const key = (((endHash(f.a0, f.a1, f.a2, f.a3, f.aport) + endHash(f.b0, f.b1, f.b2, f.b3, f.bport)) | 0) ^ 6) & 0x3fffffff;
    let cur = this.tcpTable.get(key) ?? null;
    if (cur === f) {
      if (f.next) this.tcpTable.set(key, f.next);
      else this.tcpTable.delete(key);
      return;
    }
    while (cur !== null && cur.next !== f) cur = cur.next;
    if (cur !== null) cur.next = f.next;
  }

  private unlinkUdp(f: UdpFlow): void {
    const key = (((endHash(f.a0, f.a1, f.a2, f.a3, f.aport) + endHash(f.b0, f.b1, f.b2, f.b3, f.bport)) | 0) ^ 17) & 0x3fffffff;
    let cur = this.udpTable.get(key) ?? null;
    if (cur === f) {
      if (f.next) this.udpTable.set(key, f.next);
      else this.udpTable.delete(key);
      return;
    }
    while (cur !== null && cur.next !== f) cur = cur.next;
    if (cur !== null) cur.next = f.next;
  }

  private onTcp(p: RawPacket, d: Decoded): void {
    const key = flowKey(d, 6);
    let f = this.tcpTable.get(key) ?? null;
    let dir = -1;
    while (f !== null) {
      dir = dirOf(f, d);
      if (dir >= 0) break;
      f = f.next;
    }
    const ts = p.tsUs;
    const flags = d.flags;
    if (f === null) {
      // The originator: the SYN's sender; the SYN-ACK's receiver; else the first packet's sender.
      const swap = (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      f = this.newTcpFlow(p, d, key, swap);
      dir = swap ? 1 : 0;
    }
    const s = f.d[dir]!;
    const o = f.d[dir ^ 1]!;
    f.ifaces |= 1 << (p.iface & 15);
    noteIdleGap(f, p, dir);
    s.pkts++;
    s.bytes += p.origLen;
    const pay = d.payLen;
    s.payload += pay;
    const syn = (flags & TCP_SYN) !== 0;
    const ackf = (flags & TCP_ACK) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    if (syn) {
      if (!ackf) noteSyn(f, s, p, d);
      else if (dir === 1) noteSynAck(f, s, p, d);
    } else if (ackf && f.establishedN === 0 && f.synAckN > 0 && dir === 0) {
      f.establishedN = p.n;
      f.establishedUs = ts;
    }
    if (rst) {
      s.rst++;
      ref(s.rstRefs, p.n, ts);
      if (f.firstRstN === 0) {
        f.firstRstN = p.n;
        f.firstRstUs = ts;
        f.firstRstDir = dir;
      }
    }
    if (fin) s.fin++;
    const isRetrans = rst ? false : noteSequence(f, s, o, p, d, syn, fin);
    if (pay > s.maxPay) s.maxPay = pay;
    // Duplicate ACK: a pure ACK repeating the last ACK and window while the peer has data outstanding.
    if (ackf && !syn && !fin && !rst) noteAck(s, o, d, pay);
    if (d.win === 0 && !rst && !syn) {
      s.zeroWin++;
      ref(s.zeroWinRefs, p.n, ts);
    }
    if (pay > 0) {
      if (pay <= HEARTBEAT_MAX && !isRetrans && s.dataTimes.length < MAX_DATA_TIMES) {
        s.dataTimes.push(ts);
        s.dataRefs.push(p.n);
      }
      if (d.payCap > 0) this.onTcpPayload(f, s, d, p, dir);
    }
  }

  /** A flow first seen in this packet, linked into the table; `swap`: the packet's receiver is the originator. */
  private newTcpFlow(p: RawPacket, d: Decoded, key: number, swap: boolean): TcpFlow {
    const f = new TcpFlow();
    f.id = this.tcp.length;
    f.ver = d.ipVer;
    if (!swap) {
      f.a0 = d.src0;
      f.a1 = d.src1;
      f.a2 = d.src2;
      f.a3 = d.src3;
      f.aport = d.sport;
      f.b0 = d.dst0;
      f.b1 = d.dst1;
      f.b2 = d.dst2;
      f.b3 = d.dst3;
      f.bport = d.dport;
    } else {
      f.a0 = d.dst0;
      f.a1 = d.dst1;
      f.a2 = d.dst2;
      f.a3 = d.dst3;
      f.aport = d.dport;
      f.b0 = d.src0;
      f.b1 = d.src1;
      f.b2 = d.src2;
      f.b3 = d.src3;
      f.bport = d.sport;
    }
    f.firstN = p.n;
    f.firstUs = p.tsUs;
    f.tv[0] = p.tsUs;
    f.next = this.tcpTable.get(key) ?? null;
    this.tcpTable.set(key, f);
    this.tcp.push(f);
    this.macDst(d);
    return f;
  }

  private onTcpPayload(f: TcpFlow, s: TcpDir, d: Decoded, p: RawPacket, dir: number): void {
    const b = p.buf;
    if (!s.tlsChecked) {
      s.tlsChecked = true;
      // TLS: a handshake record (or an alert) with a 3.x version.
      const t = b[d.payOff]!;
      if ((t === 22 || t === 21) && d.payCap >= 3 && b[d.payOff + 1] === 3) {
        s.tls = new TlsStream();
        s.tlsNext = d.seq;
      }
      // DNS over TCP is left alone (rare in the faults this reads).
      void f;
      void dir;
    }
    if (s.tls !== null && !s.tls.done) {
      // In-order bytes only; a retransmission's already-seen part is skipped.
      const rel = (s.tlsNext - d.seq) | 0;
      if (rel >= 0 && rel < d.payCap) {
        s.tls.push(b.subarray(d.payOff + rel, d.payOff + d.payCap), p.n, p.tsUs);
        s.tlsNext = (d.seq + d.payCap) | 0;
        if (d.payCap < d.payLen) s.tls.done = true; // snaplen cut: the rest is not in the capture
      }
    }
  }

  private onUdp(p: RawPacket, d: Decoded): void {
    const key = flowKey(d, 17);
    let f = this.udpTable.get(key) ?? null;
    let dir = -1;
    while (f !== null) {
      dir = dirOf(f, d);
      if (dir >= 0) break;
      f = f.next;
    }
    if (f === null) {
      f = new UdpFlow();
      f.ver = d.ipVer;
      f.a0 = d.src0;
      f.a1 = d.src1;
      f.a2 = d.src2;
      f.a3 = d.src3;
      f.aport = d.sport;
      f.b0 = d.dst0;
      f.b1 = d.dst1;
      f.b2 = d.dst2;
      f.b3 = d.dst3;
      f.bport = d.dport;
      f.firstN = p.n;
      f.firstUs = p.tsUs;
      dir = 0;
      f.next = this.udpTable.get(key) ?? null;
      this.udpTable.set(key, f);
      this.udp.push(f);
      this.macDst(d);
    }
    f.lastUs = p.tsUs;
    f.pkts[dir as 0 | 1]++;
    f.bytes[dir as 0 | 1] += p.origLen;
    if ((d.sport === 53 || d.dport === 53) && d.payCap >= 12) {
      const m = parseDns(p.buf, d.payOff, d.payCap);
      if (m) this.onDns(m, p, d);
    }
  }

  private onDns(m: DnsMessage, p: RawPacket, d: Decoded): void {
    const src = ipText(d.ipVer, d.src0, d.src1, d.src2, d.src3);
    const dst = ipText(d.ipVer, d.dst0, d.dst1, d.dst2, d.dst3);
    if (!m.response) {
      const key = `${src}|${d.sport}|${dst}|${m.id}`;
      const have = this.dnsPending.get(key);
      if (have && have.responseN === 0) {
        have.queries++;
        return;
      }
      const tx: DnsTx = {
        client: src,
        server: dst,
        id: m.id,
        qname: m.qname,
        qtype: m.qtype,
        queryN: p.n,
        queryUs: p.tsUs,
        queries: 1,
        responseN: 0,
        responseUs: 0,
        rcode: -1,
        answers: [],
        cnames: [],
      };
      this.dnsPending.set(key, tx);
      if (this.dns.length < 10000) this.dns.push(tx);
      return;
    }
    const key = `${dst}|${d.dport}|${src}|${m.id}`;
    let tx = this.dnsPending.get(key);
    if (!tx || tx.responseN !== 0) {
      // A response whose query is not in the capture.
      tx = { client: dst, server: src, id: m.id, qname: m.qname, qtype: m.qtype, queryN: 0, queryUs: 0, queries: 0, responseN: 0, responseUs: 0, rcode: -1, answers: [], cnames: [] };
      if (this.dns.length < 10000) this.dns.push(tx);
    }
    tx.responseN = p.n;
    tx.responseUs = p.tsUs;
    tx.rcode = m.rcode;
    tx.answers = m.answers;
    tx.cnames = m.cnames;
    this.dnsPending.delete(key);
  }

  private onIcmp(p: RawPacket, d: Decoded): void {
    const v6 = d.proto === 58;
    const t = d.icmpType;
    // Echo request / reply.
    if ((!v6 && (t === 8 || t === 0)) || (v6 && (t === 128 || t === 129))) {
      const req = t === 8 || t === 128;
      const peer = req ? ipText(d.ipVer, d.dst0, d.dst1, d.dst2, d.dst3) : ipText(d.ipVer, d.src0, d.src1, d.src2, d.src3);
      let e = this.echo.get(peer);
      if (!e) {
        if (this.echo.size >= 4096) return;
        this.echo.set(peer, (e = { dst: peer, dstMac: -1, requests: 0, replies: 0, refs: [] }));
      }
      if (req) {
        if (e.requests === 0) this.macDst(d);
        e.requests++;
        if (e.dstMac < 0) e.dstMac = d.ethDst;
        ref(e.refs, p.n, p.tsUs);
      } else e.replies++;
      return;
    }
    if (d.qVer === 0) return;
    const hit: IcmpHit = { n: p.n, tsUs: p.tsUs, type: t, code: d.icmpCode, v6, from: ipText(d.ipVer, d.src0, d.src1, d.src2, d.src3), mtu: d.icmpMtu };
    const fragNeeded = (!v6 && t === 3 && d.icmpCode === 4) || (v6 && t === 2);
    // The quoted packet's flow: look it up as if the quoted header were a packet of its own.
    const q = this.d2;
    q.ipVer = d.qVer;
    q.src0 = d.qSrc0;
    q.src1 = d.qSrc1;
    q.src2 = d.qSrc2;
    q.src3 = d.qSrc3;
    q.dst0 = d.qDst0;
    q.dst1 = d.qDst1;
    q.dst2 = d.qDst2;
    q.dst3 = d.qDst3;
    q.sport = d.qSport;
    q.dport = d.qDport;
    let matched = false;
    let flowText = `${ipText(d.qVer, d.qSrc0, d.qSrc1, d.qSrc2, d.qSrc3)} → ${ipText(d.qVer, d.qDst0, d.qDst1, d.qDst2, d.qDst3)}`;
    if (d.qSport >= 0)
      flowText = `${d.qProto === 6 ? 'TCP' : d.qProto === 17 ? 'UDP' : `proto ${d.qProto}`} ${ipText(d.qVer, d.qSrc0, d.qSrc1, d.qSrc2, d.qSrc3)}:${d.qSport} → ${ipText(d.qVer, d.qDst0, d.qDst1, d.qDst2, d.qDst3)}:${d.qDport}`;
    if (d.qProto === 6 && d.qSport >= 0) {
      for (let f = this.tcpTable.get(flowKey(q, 6)) ?? null; f !== null; f = f.next) {
        if (dirOf(f, q) >= 0) {
          if (f.icmp.length < MAX_REFS) f.icmp.push(hit);
          matched = true;
          break;
        }
      }
    } else if (d.qProto === 17 && d.qSport >= 0) {
      for (let f = this.udpTable.get(flowKey(q, 17)) ?? null; f !== null; f = f.next) {
        if (dirOf(f, q) >= 0) {
          if (f.icmp.length < MAX_REFS) f.icmp.push(hit);
          matched = true;
          break;
        }
      }
    }
    if (fragNeeded && this.fragNeeded.length < 64) this.fragNeeded.push({ n: p.n, tsUs: p.tsUs, from: hit.from, mtu: d.icmpMtu, v6, flow: flowText });
    if (!matched && this.orphanIcmp.length < 64) this.orphanIcmp.push(hit);
  }

  private readonly d2 = new Decoded();

  private onArp(p: RawPacket): void {
    const d = this.d;
    const spa = ipText(4, 0, 0, 0, d.arpSpa);
    const tpa = ipText(4, 0, 0, 0, d.arpTpa);
    if (d.arpSpa !== 0) this.arpMac.set(spa, macOf(d.arpSha));
    if (d.arpOp === 1) {
      if (d.arpSpa === d.arpTpa) return; // gratuitous
      let a = this.arp.get(tpa);
      if (!a) {
        if (this.arp.size >= 4096) return;
        this.arp.set(tpa, (a = { ip: tpa, requests: 0, refs: [], replies: 0, mac: '' }));
      }
      a.requests++;
      ref(a.refs, p.n, p.tsUs);
    } else if (d.arpOp === 2) {
      let a = this.arp.get(spa);
      if (!a) {
        if (this.arp.size >= 4096) return;
        this.arp.set(spa, (a = { ip: spa, requests: 0, refs: [], replies: 0, mac: '' }));
      }
      a.replies++;
      a.mac = macOf(d.arpSha);
    }
  }
}

function macOf(m: number): string {
  const hi = Math.floor(m / 4294967296);
  const lo = m >>> 0;
  return [hi >>> 8, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
