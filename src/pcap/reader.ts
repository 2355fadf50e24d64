/**
 * Streaming capture reader: pcap (both byte orders, µs and ns timestamps) and pcapng (section,
 * interface, enhanced / simple / obsolete packet blocks; several interfaces, each with its own
 * link type and timestamp resolution). Zero-copy: each packet is handed to the callback as a
 * window (offset, length) into the reader's own buffer, in ONE reused `RawPacket` object; the
 * callback must not keep the buffer beyond the call. Memory is the buffer (grown only for a packet
 * larger than it), whatever the file size.
 *
 * Damaged input never throws out of `push`/`end` as anything but a `CaptureError` for a file that
 * is not a capture at all; damage after a valid start stops the read with a warning (what was read
 * stays: a partial result).
 */

import { t, type MessageKey } from '../report/i18n.js';

export class CaptureError extends Error {
  /** The message in Chinese. */
  readonly zh: string;
  constructor(message: string, zh: string) {
    super(message);
    this.name = 'CaptureError';
    this.zh = zh;
  }
}

/** One packet, valid only during the callback. */
export class RawPacket {
  /** 1-based packet number, as tcpdump/Wireshark count them. */
  n = 0;
  /** Capture time in microseconds since the epoch (float; ns captures keep the fraction). */
  tsUs = 0;
  linktype = 0;
  /** Interface index (pcapng), 0 for pcap. */
  iface = 0;
  buf: Buffer = Buffer.alloc(0);
  off = 0;
  /** Captured bytes (≤ origLen when the snaplen cut the packet). */
  caplen = 0;
  /** Length on the wire. */
  origLen = 0;
}

export type PacketFn = (p: RawPacket) => void;

export interface CaptureInfo {
  format: 'pcap' | 'pcapng' | null;
  /** pcap: 'us' | 'ns'; pcapng: per interface. */
  interfaces: Array<{ linktype: number; tsUnitsPerSec: number; snaplen: number }>;
  packets: number;
  bytes: number;
  /** Damage met while reading, in English (and as keys for the report's language). */
  warnings: string[];
  notes: Array<{ key: WarningKey; vars: Record<string, number> }>;
}

export type WarningKey = Extract<MessageKey, `pcap.warn.${string}`>;

const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
/** A packet record longer than this is damage, not a packet (tcpdump's own limit is 256 KiB). */
export const MAX_PACKET = 262144 * 4;
/** A pcapng block longer than this is damage. */
const MAX_BLOCK = 16 * 1024 * 1024;

export class CaptureReader {
  readonly info: CaptureInfo = { format: null, interfaces: [], packets: 0, bytes: 0, warnings: [], notes: [] };
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private le = true;
  private stopped = false;
  private readonly pkt = new RawPacket();
  /** pcap: units per second of the timestamp fraction. */
  private pcapUnits = 1e6;
  private pcapLinktype = 0;
  private pcapSnap = 0;
  private ifaceOffsetUs: number[] = [];
  private totalRead = 0;

  constructor(
    private readonly onPacket: PacketFn,
    private readonly name = 'capture',
    bufferSize = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(bufferSize);
  }

  /** True once the reader stopped on damage (the rest of the input is ignored). */
  get done(): boolean {
    return this.stopped;
  }

  /** Space to read into directly (zero copy for files): returns the buffer and the write window. */
  writable(min = 65536): { buf: Buffer; off: number; len: number } {
    this.compact(min);
    return { buf: this.buf, off: this.end, len: this.buf.length - this.end };
  }

  /** Tells the reader `n` bytes were written at `writable().off`; parses what is complete. */
  wrote(n: number): void {
    this.end += n;
    this.totalRead += n;
    this.parse();
  }

  /** Feeds a chunk (streams): copied once into the reader's buffer. */
  push(chunk: Buffer): void {
    let o = 0;
    while (o < chunk.length && !this.stopped) {
      const w = this.writable(Math.min(chunk.length - o, 1 << 20));
      const n = Math.min(w.len, chunk.length - o);
      chunk.copy(w.buf, w.off, o, o + n);
      o += n;
      this.wrote(n);
    }
  }

  /** End of input: a leftover is a record cut short. */
  finish(): CaptureInfo {
    if (this.info.format === null && !this.stopped) {
      if (this.totalRead === 0) throw new CaptureError(`${this.name}: empty file (0 bytes): expected a pcap or pcapng capture`, `${this.name}：空文件（0 字节）：应为 pcap 或 pcapng 抓包文件`);
      throw new CaptureError(
        `${this.name}: ${this.totalRead} bytes, too short for a capture header: expected a pcap or pcapng capture`,
        `${this.name}：只有 ${this.totalRead} 字节，不足一个抓包文件头：应为 pcap 或 pcapng 抓包文件`,
      );
    }
    if (!this.stopped && this.end > this.start) {
      this.warn('pcap.warn.cut', { bytes: this.end - this.start });
    }
    return this.info;
  }

  private warn(key: WarningKey, vars: Record<string, number>): void {
    if (this.info.notes.length >= 100) return;
    this.info.notes.push({ key, vars });
    this.info.warnings.push(t('en', key, vars));
  }

  private stop(key: WarningKey, vars: Record<string, number>): void {
    this.warn(key, vars);
    this.stopped = true;
    this.start = this.end;
  }

  private compact(min: number): void {
    if (this.buf.length - this.end >= min) return;
    const live = this.end - this.start;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.start = 0;
      this.end = live;
    }
    if (this.buf.length - this.end < min) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, live + min));
      this.buf.copy(grown, 0, 0, live);
      this.buf = grown;
    }
  }

  private u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }

  private u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }

  private parse(): void {
    if (this.stopped) {
      this.start = this.end;
      return;
    }
    if (this.info.format === null) {
      if (this.end - this.start < 24) {
        if (this.end - this.start >= 4) this.sniff(false);
        return;
      }
      this.sniff(true);
      if (this.stopped) return;
    }
    if (this.info.format === 'pcap') this.parsePcap();
    else this.parsePcapng();
    // Nothing more can be parsed; make room for a record larger than the buffer.
    const need = this.needed;
    if (need > 0 && need > this.buf.length - this.start) this.compact(need - (this.end - this.start));
  }

  /** Size of the record being waited for (0: unknown). */
  private needed = 0;

  private sniff(full: boolean): void {
    const b = this.buf;
    const s = this.start;
    const m = b.readUInt32LE(s);
    const isPcap = m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
    if (!isPcap && m !== PCAPNG_SHB) {
      const head = b.subarray(s, s + Math.min(8, this.end - s)).toString('hex');
      throw new CaptureError(
        `${this.name}: not a capture (starts with ${head}): expected a pcap or pcapng file (tcpdump -w, Wireshark)`,
        `${this.name}：不是抓包文件（开头为 ${head}）：应为 pcap 或 pcapng 文件（tcpdump -w、Wireshark）`,
      );
    }
    if (!full) return;
    if (isPcap) {
      this.le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
      this.pcapUnits = m === 0xa1b23c4d || m === 0x4d3cb2a1 ? 1e9 : 1e6;
      this.pcapSnap = this.u32(s + 16);
      this.pcapLinktype = this.u32(s + 20) & 0x0fffffff;
      this.info.format = 'pcap';
      this.info.interfaces.push({ linktype: this.pcapLinktype, tsUnitsPerSec: this.pcapUnits, snaplen: this.pcapSnap });
      this.start += 24;
    } else {
      this.info.format = 'pcapng';
    }
  }

  private parsePcap(): void {
    const p = this.pkt;
    const b = this.buf;
    const units = this.pcapUnits;
    const scale = 1e6 / units;
    const le = this.le;
    let s = this.start;
    const e = this.end;
    const info = this.info;
    p.buf = b;
    p.linktype = this.pcapLinktype;
    p.iface = 0;
    this.needed = 0;
    while (e - s >= 16) {
      let sec: number, frac: number, incl: number, orig: number;
      if (le) {
        sec = (b[s]! | (b[s + 1]! << 8) | (b[s + 2]! << 16)) + b[s + 3]! * 16777216;
        frac = (b[s + 4]! | (b[s + 5]! << 8) | (b[s + 6]! << 16)) + b[s + 7]! * 16777216;
        incl = (b[s + 8]! | (b[s + 9]! << 8) | (b[s + 10]! << 16)) + b[s + 11]! * 16777216;
        orig = (b[s + 12]! | (b[s + 13]! << 8) | (b[s + 14]! << 16)) + b[s + 15]! * 16777216;
      } else {
        sec = b.readUInt32BE(s);
        frac = b.readUInt32BE(s + 4);
        incl = b.readUInt32BE(s + 8);
        orig = b.readUInt32BE(s + 12);
      }
      if (incl > MAX_PACKET || frac >= units) {
        this.start = s;
        this.stop('pcap.warn.badRecord', { n: info.packets + 1, len: incl, frac, at: this.totalRead - (e - s) });
        return;
      }
      if (e - s < 16 + incl) {
        this.needed = 16 + incl;
        break;
      }
      p.n = ++info.packets;
      p.tsUs = sec * 1e6 + frac * scale;
      p.off = s + 16;
      p.caplen = incl;
      p.origLen = orig < incl ? incl : orig;
      info.bytes += p.origLen;
      this.onPacket(p);
      s += 16 + incl;
    }
    this.start = s;
  }

  private parsePcapng(): void {
    const b = this.buf;
    const p = this.pkt;
    p.buf = b;
    this.needed = 0;
    while (this.end - this.start >= 12 && !this.stopped) {
      const s = this.start;
      const typeLe = b.readUInt32LE(s);
      if (typeLe === PCAPNG_SHB) {
        // The byte order of the section is in its byte-order magic.
        const bom = b.readUInt32LE(s + 8);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          if (this.info.interfaces.length === 0 && this.info.packets === 0)
            throw new CaptureError(
              `${this.name}: pcapng section header with a bad byte-order magic (${bom.toString(16)}): not a capture`,
              `${this.name}：pcapng 段头的字节序标记错误（${bom.toString(16)}）：不是抓包文件`,
            );
          this.stop('pcap.warn.badBom', { at: this.totalRead - (this.end - s) });
          return;
        }
        this.info.interfaces = [];
        this.ifaceOffsetUs = [];
      }
      const type = this.u32(s);
      const len = this.u32(s + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        this.stop('pcap.warn.badBlock', { n: this.info.packets + 1, type, len, at: this.totalRead - (this.end - s) });
        return;
      }
      if (this.end - s < len) {
        this.needed = len;
        return;
      }
      if (this.u32(s + len - 4) !== len) {
        this.stop('pcap.warn.blockLen', { n: this.info.packets + 1, type, len, len2: this.u32(s + len - 4), at: this.totalRead - (this.end - s) });
        return;
      }
      if (type === 6) this.epb(s, len);
      else if (type === 3) this.spb(s, len);
      else if (type === 1) this.idb(s, len);
      else if (type === 2) this.opb(s, len);
      this.start = s + len;
    }
  }

  private idb(s: number, len: number): void {
    if (len < 20) {
      this.warn('pcap.warn.idbShort', { i: this.info.interfaces.length, len });
      this.info.interfaces.push({ linktype: -1, tsUnitsPerSec: 1e6, snaplen: 0 });
      this.ifaceOffsetUs.push(0);
      return;
    }
    const linktype = this.u16(s + 8);
    const snaplen = this.u32(s + 12);
    let units = 1e6;
    let offsetUs = 0;
    // Options: code(2) len(2) value padded to 4.
    let o = s + 16;
    const end = s + len - 4;
    while (o + 4 <= end) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const r = this.buf[o + 4]!;
        const exp = r & 0x7f;
        units = r & 0x80 ? 2 ** exp : 10 ** exp;
        if (!(units >= 1) || exp > 30) {
          this.warn('pcap.warn.tsresol', { i: this.info.interfaces.length, r });
          units = 1e6;
        }
      } else if (code === 14 && olen >= 8) {
        const hi = this.le ? this.buf.readInt32LE(o + 8) : this.buf.readInt32BE(o + 4);
        const lo = this.le ? this.buf.readUInt32LE(o + 4) : this.buf.readUInt32BE(o + 8);
        offsetUs = (hi * 4294967296 + lo) * 1e6;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.info.interfaces.push({ linktype, tsUnitsPerSec: units, snaplen });
    this.ifaceOffsetUs.push(offsetUs);
  }

  private emit(iface: number, hi: number, lo: number, dataOff: number, caplen: number, orig: number): void {
    const p = this.pkt;
    const ifc = this.info.interfaces[iface];
    p.n = ++this.info.packets;
    if (!ifc) {
      if (!this.unknownIface.has(iface)) {
        this.unknownIface.add(iface);
        this.warn('pcap.warn.noIface', { n: p.n, i: iface });
      }
      p.linktype = -1;
      p.tsUs = 0;
    } else {
      p.linktype = ifc.linktype;
      p.tsUs = ((hi * 4294967296 + lo) * 1e6) / ifc.tsUnitsPerSec + (this.ifaceOffsetUs[iface] ?? 0);
    }
    p.iface = iface;
    p.buf = this.buf;
    p.off = dataOff;
    p.caplen = caplen;
    p.origLen = orig < caplen ? caplen : orig;
    this.info.bytes += p.origLen;
    this.onPacket(p);
  }

  private readonly unknownIface = new Set<number>();

  private epb(s: number, len: number): void {
    if (len < 32) return this.badPacketBlock(s, len);
    const iface = this.u32(s + 8);
    const hi = this.u32(s + 12);
    const lo = this.u32(s + 16);
    const cap = this.u32(s + 20);
    const orig = this.u32(s + 24);
    if (cap > len - 32) return this.badPacketBlock(s, len);
    this.emit(iface, hi, lo, s + 28, cap, orig);
  }

  private opb(s: number, len: number): void {
    if (len < 32) return this.badPacketBlock(s, len);
    const iface = this.u16(s + 8);
    const hi = this.u32(s + 12);
    const lo = this.u32(s + 16);
    const cap = this.u32(s + 20);
    const orig = this.u32(s + 24);
    if (cap > len - 32) return this.badPacketBlock(s, len);
    this.emit(iface, hi, lo, s + 28, cap, orig);
  }

  private spb(s: number, len: number): void {
    if (len < 16) return this.badPacketBlock(s, len);
    const orig = this.u32(s + 8);
    const snap = this.info.interfaces[0]?.snaplen || 0;
    let cap = Math.min(orig, len - 16);
    if (snap > 0) cap = Math.min(cap, snap);
    this.emit(0, 0, 0, s + 12, cap, orig);
  }

  private badPacketBlock(s: number, len: number): void {
    this.info.packets++;
    this.warn('pcap.warn.packetBlock', { n: this.info.packets, len, at: this.totalRead - (this.end - s) });
  }
}
