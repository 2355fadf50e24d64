/**
 * The routing tables in columns, for tables of any size (a full BGP table has a million routes):
 * routes are numbered, their prefixes, lengths, tables, types, metrics and devices live in typed
 * arrays, and Route objects are made only for the routes an answer names. Lookup is the kernel's
 * longest-prefix match per table: one open-addressing hash per prefix length (probed longest
 * first), and for a large IPv4 table a DIR-24-8 array (one or two memory reads per lookup).
 * Within one prefix the routes keep the kernel's order: lowest metric first, then listing order.
 */
import type { Route } from '../model/snapshot.js';
import { maskBits, parseV4, parseV6, type Addr } from './ip.js';

/** Route flags the lookup must look at: such routes are never in the fast paths. */
export const F_DEAD = 1;
export const F_TOS = 2;
export const F_FROM = 4;
export const F_MULTIPATH = 8;

const DIR_MIN = 65_536;

interface Slots {
  mask: number;
  keys: Uint32Array;
  heads: Int32Array;
}

interface TableIx {
  id: number;
  lens: number[];
  byLen: Array<Slots | undefined>;
  size: number;
  /** DIR-24-8 (IPv4, large tables): the best plain route per address; -1 none, ≤ -2 a pointer into tbl8. */
  tbl24?: Int32Array;
  tbl8?: Int32Array;
}

const hash32 = (k: number, bits: number): number => (bits === 0 ? 0 : Math.imul(k, 0x9e3779b1) >>> (32 - bits));

/** One address family's routes in columns. */
export class FamilyTable {
  readonly W: 1 | 4;
  n = 0;
  net: Uint32Array;
  len: Uint8Array;
  table: Uint16Array;
  type: Uint8Array;
  metric: Uint32Array;
  flags: Uint8Array;
  dev: Uint16Array;
  next: Int32Array;
  /** Where each route came from: its index in the source (Route[] or the JSON's objects). */
  source: Int32Array;
  readonly tables = new Map<number, TableIx>();

  constructor(
    readonly family: 4 | 6,
    capacity: number,
  ) {
    this.W = family === 4 ? 1 : 4;
    const c = Math.max(capacity, 1);
    this.net = new Uint32Array(c * this.W);
    this.len = new Uint8Array(c);
    this.table = new Uint16Array(c);
    this.type = new Uint8Array(c);
    this.metric = new Uint32Array(c);
    this.flags = new Uint8Array(c);
    this.dev = new Uint16Array(c);
    this.next = new Int32Array(c).fill(-1);
    this.source = new Int32Array(c);
  }

  /** Adds a route (words already masked to len); returns its number, or -1 when the family is full. */
  add(w: ArrayLike<number>, len: number, table: number, type: number, metric: number, flags: number, dev: number, source: number): number {
    const i = this.n;
    if (i >= this.len.length) return -1;
    for (let k = 0; k < this.W; k++) this.net[i * this.W + k] = w[k]!;
    this.len[i] = len;
    this.table[i] = table;
    this.type[i] = type;
    this.metric[i] = metric;
    this.flags[i] = flags;
    this.dev[i] = dev;
    this.source[i] = source;
    this.n++;
    return i;
  }

  /** Bytes held in typed arrays (columns, hashes, DIR-24-8). */
  bytes(): number {
    let b =
      this.net.byteLength +
      this.len.byteLength +
      this.table.byteLength +
      this.type.byteLength +
      this.metric.byteLength +
      this.flags.byteLength +
      this.dev.byteLength +
      this.next.byteLength +
      this.source.byteLength;
    for (const t of this.tables.values()) {
      for (const sl of t.byLen) if (sl) b += sl.keys.byteLength + sl.heads.byteLength;
      b += (t.tbl24?.byteLength ?? 0) + (t.tbl8?.byteLength ?? 0);
    }
    return b;
  }

  /** The hash key of address words masked to `len` (IPv4: the masked address; IPv6: a hash of it). */
  key(w: ArrayLike<number>, len: number): number {
    if (this.W === 1) return (w[0]! & maskBits(len)) >>> 0;
    let h = len * 0x27d4eb2f;
    for (let k = 0; k * 32 < len; k++) h = Math.imul(h ^ ((w[k]! & maskBits(len - 32 * k)) >>> 0), 0x85ebca6b) + 0x165667b1;
    return h >>> 0;
  }

  /** Whether route i's prefix covers the address words. */
  covers(i: number, w: ArrayLike<number>): boolean {
    const len = this.len[i]!;
    const o = i * this.W;
    for (let k = 0; k * 32 < len; k++) if ((w[k]! & maskBits(len - 32 * k)) >>> 0 !== this.net[o + k]) return false;
    return true;
  }

  /** Builds the per-table hashes (and DIR-24-8 for large IPv4 tables). Call once after the adds. */
  build(): void {
    const counts = new Map<string, number>();
    for (let i = 0; i < this.n; i++) {
      const k = `${this.table[i]}/${this.len[i]}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, c] of counts) {
      const [tb, ln] = k.split('/').map(Number) as [number, number];
      let t = this.tables.get(tb);
      if (!t) this.tables.set(tb, (t = { id: tb, lens: [], byLen: [], size: 0 }));
      let cap = 2;
      while (cap * 3 < c * 4) cap *= 2; // load factor ≤ 3/4
      t.byLen[ln] = { mask: cap - 1, keys: new Uint32Array(cap), heads: new Int32Array(cap).fill(-1) };
      t.lens.push(ln);
      t.size += c;
    }
    for (const t of this.tables.values()) t.lens.sort((a, b) => b - a);
    const wv = new Uint32Array(this.W);
    for (let i = 0; i < this.n; i++) {
      const t = this.tables.get(this.table[i]!)!;
      const s = t.byLen[this.len[i]!]!;
      for (let k = 0; k < this.W; k++) wv[k] = this.net[i * this.W + k]!;
      const key = this.key(wv, this.len[i]!);
      const bits = 31 - Math.clz32(s.mask + 1);
      let h = hash32(key, bits);
      for (;;) {
        const head = s.heads[h]!;
        if (head === -1) {
          s.keys[h] = key;
          s.heads[h] = i;
          break;
        }
        if (s.keys[h] === key && this.sameNet(head, i)) {
          // insert into the chain by metric, after routes of equal metric (listing order)
          if (this.metric[i]! < this.metric[head]!) {
            this.next[i] = head;
            s.heads[h] = i;
          } else {
            let p = head;
            while (this.next[p]! !== -1 && this.metric[this.next[p]!]! <= this.metric[i]!) p = this.next[p]!;
            this.next[i] = this.next[p]!;
            this.next[p] = i;
          }
          break;
        }
        h = (h + 1) & s.mask;
      }
    }
    if (this.family === 4) for (const t of this.tables.values()) if (t.size >= DIR_MIN) this.buildDir(t);
  }

  private sameNet(a: number, b: number): boolean {
    if (this.len[a] !== this.len[b]) return false;
    for (let k = 0; k < this.W; k++) if (this.net[a * this.W + k] !== this.net[b * this.W + k]) return false;
    return true;
  }

  /** The first route of a chain that a default flow can use (no dead, tos-only or source-specific routes). */
  private plainHead(head: number): number {
    for (let i = head; i !== -1; i = this.next[i]!) if ((this.flags[i]! & (F_DEAD | F_TOS | F_FROM)) === 0) return i;
    return -1;
  }

  private buildDir(t: TableIx): void {
    const tbl24 = new Int32Array(1 << 24).fill(-1);
    let tbl8 = new Int32Array(256 * 64);
    let blocks = 0;
    for (const len of [...t.lens].sort((a, b) => a - b)) {
      const s = t.byLen[len]!;
      for (let h = 0; h <= s.mask; h++) {
        const head = s.heads[h]!;
        if (head === -1) continue;
        const best = this.plainHead(head);
        if (best === -1) continue;
        const net = this.net[head]!;
        if (len <= 24) {
          const from = net >>> 8;
          tbl24.fill(best, from, from + 2 ** (24 - len));
        } else {
          const i24 = net >>> 8;
          let v = tbl24[i24]!;
          if (v > -2) {
            if ((blocks + 1) * 256 > tbl8.length) {
              const bigger = new Int32Array(tbl8.length * 2);
              bigger.set(tbl8);
              tbl8 = bigger;
            }
            tbl8.fill(v, blocks * 256, blocks * 256 + 256);
            v = -2 - blocks++;
            tbl24[i24] = v;
          }
          const base = (-2 - v) * 256 + (net & 255);
          tbl8.fill(best, base, base + 2 ** (32 - len));
        }
      }
    }
    t.tbl24 = tbl24;
    t.tbl8 = tbl8.slice(0, blocks * 256);
  }

  /**
   * The route a lookup in table `tableId` picks for `w`: the longest prefix with a route that
   * `usable` accepts (null: a default flow), or -1. Like fib_table_lookup, it backtracks to
   * shorter prefixes when no route of a prefix is usable.
   */
  best(tableId: number, w: ArrayLike<number>, usable: ((i: number) => boolean) | null): number {
    const t = this.tables.get(tableId);
    if (!t) return -1;
    if (usable === null && t.tbl24) {
      const a = w[0]!;
      const v = t.tbl24[a >>> 8]!;
      return v > -2 ? v : t.tbl8![(-2 - v) * 256 + (a & 255)]!;
    }
    for (let li = 0; li < t.lens.length; li++) {
      const len = t.lens[li]!;
      const head = this.find(t, w, len);
      if (head === -1) continue;
      for (let i = head; i !== -1; i = this.next[i]!) {
        if (usable === null ? (this.flags[i]! & (F_DEAD | F_TOS | F_FROM)) === 0 : usable(i)) return i;
      }
    }
    return -1;
  }

  /** The head of the chain of routes of exactly this prefix length covering w, or -1. */
  find(t: TableIx, w: ArrayLike<number>, len: number): number {
    const s = t.byLen[len];
    if (!s) return -1;
    const key = this.key(w, len);
    let h = hash32(key, 31 - Math.clz32(s.mask + 1));
    for (;;) {
      const head = s.heads[h]!;
      if (head === -1) return -1;
      if (s.keys[h] === key && this.len[head] === len && this.covers(head, w)) return head;
      h = (h + 1) & s.mask;
    }
  }

  /** Every route of one table covering w, longest prefix first, kernel order within a prefix. */
  covering(tableId: number, w: ArrayLike<number>): number[] {
    const t = this.tables.get(tableId);
    const out: number[] = [];
    if (!t) return out;
    for (const len of t.lens) for (let i = this.find(t, w, len); i !== -1; i = this.next[i]!) out.push(i);
    return out;
  }

  /** The other routes of route i's own prefix and table (kernel order). */
  sameSlot(i: number): number[] {
    const t = this.tables.get(this.table[i]!)!;
    const w = this.net.subarray(i * this.W, i * this.W + this.W);
    const out: number[] = [];
    for (let j = this.find(t, w, this.len[i]!); j !== -1; j = this.next[j]!) out.push(j);
    return out;
  }
}

const TYPES = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast', 'nat'];

/** String ↔ small number, for table names, route types and devices. */
class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  constructor(initial: string[] = []) {
    for (const n of initial) this.id(n);
  }
  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.ids.set(name, i);
    }
    return i;
  }
  peek(name: string): number {
    return this.ids.get(name) ?? -1;
  }
}

/** All routes of a snapshot (or of `ip -j route` output), both families. */
export class RouteTable {
  readonly v4: FamilyTable;
  readonly v6: FamilyTable;
  readonly tableNames = new Interner(['main', 'local', 'default']);
  readonly typeNames = new Interner(TYPES);
  readonly devNames = new Interner(['']);
  /** Routes whose dst could not be read (with their source index). */
  readonly skipped: Array<{ index: number; dst: string }> = [];
  private readonly made = new Map<string, Route>();

  private constructor(
    n4: number,
    n6: number,
    private readonly make: (family: 4 | 6, source: number) => Route,
  ) {
    this.v4 = new FamilyTable(4, n4);
    this.v6 = new FamilyTable(6, n6);
  }

  /** Bytes held in typed arrays, plus what the source keeps (the JSON text, its object offsets). */
  bytes(): { arrays: number; source: number } {
    return { arrays: this.v4.bytes() + this.v6.bytes(), source: this.sourceBytes };
  }

  sourceBytes = 0;

  fam(f: 4 | 6): FamilyTable {
    return f === 4 ? this.v4 : this.v6;
  }

  /** The Route object of route i of a family (made once, on demand). */
  route(f: 4 | 6, i: number): Route {
    const src = this.fam(f).source[i]!;
    const k = `${f}/${src}`;
    let r = this.made.get(k);
    if (!r) {
      r = this.make(f, src);
      this.made.set(k, r);
    }
    return r;
  }

  typeOf(f: 4 | 6, i: number): string {
    return this.typeNames.names[this.fam(f).type[i]!]!;
  }

  tableOf(f: 4 | 6, i: number): string {
    return this.tableNames.names[this.fam(f).table[i]!]!;
  }

  private addOne(f: 4 | 6, dst: string, table: string, type: string, metric: number | null, flags: number, dev: string | null, source: number): void {
    const slash = dst.indexOf('/');
    const addrText = slash === -1 ? dst : dst.slice(0, slash);
    const len = slash === -1 ? (f === 4 ? 32 : 128) : Number(dst.slice(slash + 1));
    let w: ArrayLike<number> | null;
    if (dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0') w = f === 4 ? [0] : [0, 0, 0, 0];
    else if (f === 4) {
      const v = parseV4(addrText);
      w = v === null ? null : [v];
    } else w = parseV6(addrText);
    const l = dst === 'default' ? 0 : len;
    if (!w || !Number.isInteger(l) || l < 0 || l > (f === 4 ? 32 : 128)) {
      this.skipped.push({ index: source, dst });
      return;
    }
    const m = f === 4 ? [(w[0]! & maskBits(l)) >>> 0] : [0, 1, 2, 3].map((k) => (w![k]! & maskBits(l - 32 * k)) >>> 0);
    this.fam(f).add(m, l, this.tableNames.id(table), this.typeNames.id(type), metric ?? 0, flags, this.devNames.id(dev ?? ''), source);
  }

  /** The snapshot path: the routes are Route objects already; nothing is copied but numbers. */
  static fromRoutes(routes: readonly Route[]): RouteTable {
    let n4 = 0;
    for (const r of routes) if (r.family === 4) n4++;
    const t = new RouteTable(n4, routes.length - n4, (_f, src) => routes[src]!);
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      const flags =
        (r.flags?.includes('dead') ? F_DEAD : 0) |
        (r.tos !== undefined && r.tos !== '' && Number(r.tos) !== 0 ? F_TOS : 0) |
        (r.family === 6 && r.from !== undefined && !/\/0$/.test(r.from) ? F_FROM : 0) |
        (r.nexthops.length > 0 ? F_MULTIPATH : 0);
      t.addOne(r.family, r.dst, r.table, r.type, r.metric, flags, r.dev ?? r.nexthops[0]?.dev ?? null, i);
    }
    t.v4.build();
    t.v6.build();
    return t;
  }

  /**
   * The large-table path: `ip -j -4|-6 route show …` output read object by object (each one
   * parsed alone, so a million routes never exist as objects at once); Route objects are made by
   * the system parser (`parseRoutes` of src/system/parse/routes.ts, passed in: analyzers do not
   * import collectors) only for routes an answer names.
   */
  static fromIpJson(texts: { v4?: string; v6?: string }, parseRoutes: (json: string, family: 4 | 6) => Route[]): RouteTable {
    const spans: Record<4 | 6, Int32Array> = { 4: objectSpans(texts.v4 ?? '[]'), 6: objectSpans(texts.v6 ?? '[]') };
    const src = (f: 4 | 6): string => (f === 4 ? (texts.v4 ?? '[]') : (texts.v6 ?? '[]'));
    const t = new RouteTable(spans[4].length / 2, spans[6].length / 2, (f, i) => {
      const s = spans[f];
      return parseRoutes(`[${src(f).slice(s[2 * i]!, s[2 * i + 1]!)}]`, f)[0]!;
    });
    t.sourceBytes = (texts.v4?.length ?? 0) + (texts.v6?.length ?? 0) + spans[4].byteLength + spans[6].byteLength;
    for (const f of [4, 6] as const) {
      const text = src(f);
      const s = spans[f];
      for (let i = 0; i < s.length / 2; i++) {
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(text.slice(s[2 * i]!, s[2 * i + 1]!)) as Record<string, unknown>;
        } catch {
          t.skipped.push({ index: i, dst: '?' });
          continue;
        }
        const dst = typeof o.dst === 'string' ? o.dst : '';
        const hops = Array.isArray(o.nexthops) ? (o.nexthops as Array<Record<string, unknown>>) : [];
        const flagsArr = Array.isArray(o.flags) ? o.flags : [];
        const tos = o.tos;
        const flags =
          (flagsArr.includes('dead') ? F_DEAD : 0) |
          (tos !== undefined && tos !== null && Number(tos) !== 0 ? F_TOS : 0) |
          (f === 6 && typeof o.from === 'string' && !/\/0$/.test(o.from) && o.from !== '::' ? F_FROM : 0) |
          (hops.length > 0 ? F_MULTIPATH : 0);
        const dev = typeof o.dev === 'string' ? o.dev : typeof hops[0]?.dev === 'string' ? (hops[0].dev as string) : null;
        const table = o.table === undefined ? 'main' : String(o.table);
        t.addOne(f, dst === 'default' ? (f === 4 ? '0.0.0.0/0' : '::/0') : dst, table, typeof o.type === 'string' ? o.type : 'unicast', typeof o.metric === 'number' ? o.metric : null, flags, dev, i);
      }
    }
    t.v4.build();
    t.v6.build();
    return t;
  }
}

/** Start/end offsets of each top-level object of a JSON array (strings and nesting respected). */
export function objectSpans(text: string): Int32Array {
  let out = new Int32Array(1024);
  let n = 0;
  let depth = 0;
  let start = -1;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // skip a string
      i++;
      while (i < len) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === 2 && c === 123) start = i;
    } else if (c === 125 || c === 93) {
      if (depth === 2 && c === 125 && start >= 0) {
        if (n + 2 > out.length) {
          const bigger = new Int32Array(out.length * 2);
          bigger.set(out);
          out = bigger;
        }
        out[n++] = start;
        out[n++] = i + 1;
        start = -1;
      }
      depth--;
    }
  }
  return out.slice(0, n);
}

export type { Addr };
