/**
 * A longest-prefix-match index over the snapshot's routes: one hash map per (family, table,
 * prefix length), probed from the longest length present down to /0, like the kernel's FIB
 * walks its trie. Within one prefix the routes keep the kernel's order (metric, then listing
 * order). Built once per route list and cached; a lookup allocates nothing for IPv4.
 */
import type { Route } from '../system/types.js';
import { maskBits, parsePrefix, type Addr, type Prefix } from './ip.js';

type Key = number | string;

export interface TableIndex {
  family: 4 | 6;
  table: string;
  /** Prefix lengths present, longest first. */
  lens: number[];
  /** By prefix length: masked-address key → routes in the kernel's order. */
  byLen: Array<Map<Key, Route[]> | undefined>;
  size: number;
}

/** The hash key of `w` masked to `len` bits (a number up to /30 of IPv4, else a string). */
export function keyOf(family: 4 | 6, w: readonly number[], len: number): Key {
  if (family === 4) return len === 0 ? 0 : w[0]! >>> (32 - len);
  if (len <= 30) return len === 0 ? 0 : w[0]! >>> (32 - len);
  let k = '';
  for (let i = 0; i * 32 < len; i++) k += `${(w[i]! & maskBits(len - 32 * i)) >>> 0}.`;
  return k;
}

const metricOf = (r: Route): number => r.metric ?? 0;

export class RouteIndex {
  readonly tables = new Map<string, TableIndex>();
  /** Routes the index could not place (a dst that is not a prefix), with their position. */
  readonly skipped: Array<{ index: number; dst: string }> = [];
  private readonly prefixes = new WeakMap<Route, Prefix>();

  constructor(routes: readonly Route[]) {
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      const p = parsePrefix(r.dst, r.family);
      if (!p) {
        this.skipped.push({ index: i, dst: r.dst });
        continue;
      }
      this.prefixes.set(r, p);
      const tk = `${r.family}/${r.table}`;
      let t = this.tables.get(tk);
      if (!t) {
        t = { family: r.family, table: r.table, lens: [], byLen: [], size: 0 };
        this.tables.set(tk, t);
      }
      let m = t.byLen[p.len];
      if (!m) {
        m = new Map();
        t.byLen[p.len] = m;
        t.lens.push(p.len);
      }
      const k = keyOf(r.family, p.w, p.len);
      const list = m.get(k);
      if (!list) m.set(k, [r]);
      else {
        // keep metric order, stable for equal metrics (the kernel's insertion order)
        let at = list.length;
        while (at > 0 && metricOf(list[at - 1]!) > metricOf(r)) at--;
        list.splice(at, 0, r);
      }
      t.size++;
    }
    for (const t of this.tables.values()) t.lens.sort((a, b) => b - a);
  }

  table(family: 4 | 6, name: string): TableIndex | undefined {
    return this.tables.get(`${family}/${name}`);
  }

  prefixOf(r: Route): Prefix | undefined {
    return this.prefixes.get(r);
  }

  /** Every route of one table covering `a`, longest prefix first (kernel order within a prefix). */
  covering(t: TableIndex, a: Addr): Route[] {
    const out: Route[] = [];
    for (const len of t.lens) {
      const list = t.byLen[len]!.get(keyOf(t.family, a.w, len));
      if (list) out.push(...list);
    }
    return out;
  }

  /** The routes of one prefix length covering `a` (kernel order), or undefined. */
  slot(t: TableIndex, a: Addr, len: number): Route[] | undefined {
    return t.byLen[len]?.get(keyOf(t.family, a.w, len));
  }

  /**
   * The first route of the table, longest prefix first, that `usable` accepts; the kernel's
   * fib_table_lookup backtracks to shorter prefixes when no route of a prefix is usable.
   */
  best(t: TableIndex, a: Addr, usable: ((r: Route) => boolean) | null): Route | null {
    for (let i = 0; i < t.lens.length; i++) {
      const len = t.lens[i]!;
      const list = t.byLen[len]!.get(keyOf(t.family, a.w, len));
      if (!list) continue;
      if (usable === null) return list[0]!;
      for (let j = 0; j < list.length; j++) if (usable(list[j]!)) return list[j]!;
    }
    return null;
  }
}

const cache = new WeakMap<readonly Route[], RouteIndex>();

/** The index of a route list, built once and cached for as long as the list lives. */
export function indexRoutes(routes: readonly Route[]): RouteIndex {
  let ix = cache.get(routes);
  if (!ix) {
    ix = new RouteIndex(routes);
    cache.set(routes, ix);
  }
  return ix;
}
