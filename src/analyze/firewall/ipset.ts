/**
 * `ipset save` output → sets the iptables `-m set` match can test. Types of dimensions ip, net,
 * port and iface are understood (hash:ip, hash:net, hash:ip,port, hash:net,port, hash:net,iface,
 * bitmap:ip …); other types answer "unknown". Never throws.
 */
import { parsePrefix, prefixHas, type Prefix } from '../ip.js';
import { portRange, protoNumber, tri } from './common.js';
import type { Packet, Problem, Tri } from './types.js';

type Dim = 'ip' | 'net' | 'port' | 'iface' | 'other';

interface Elem {
  parts: Array<Prefix | { proto: number; lo: number; hi: number } | string>;
  nomatch: boolean;
}

export interface IpSet {
  name: string;
  type: string;
  family: 4 | 6;
  /** Why it cannot be tested (unsupported type), when it cannot. */
  why?: string;
  test(p: Packet, flags: Array<'src' | 'dst'>): Tri;
}

export type IpsetStore = Map<string, IpSet>;

function dims(type: string): Dim[] {
  const [, spec] = type.split(':');
  return (spec ?? '').split(',').map((d) => (d === 'ip' || d === 'net' || d === 'port' || d === 'iface' ? d : 'other'));
}

function parseElem(text: string, ds: Dim[], family: 4 | 6): Elem | null {
  const [value, ...flags] = text.split(/\s+/);
  const raw = (value ?? '').split(',');
  if (raw.length !== ds.length) return null;
  const parts: Elem['parts'] = [];
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    const v = raw[i]!;
    if (d === 'ip' || d === 'net') {
      const p = parsePrefix(v, family);
      if (!p) return null;
      parts.push(p);
    } else if (d === 'port') {
      const [pr, port] = v.includes(':') ? v.split(':') : ['tcp', v];
      const proto = protoNumber(pr ?? '');
      const r = portRange((port ?? '').replace('-', ':'));
      if (proto === null || !r) return null;
      parts.push({ proto, lo: r[0], hi: r[1] });
    } else parts.push(v);
  }
  return { parts, nomatch: flags.includes('nomatch') };
}

function makeSet(name: string, type: string, family: 4 | 6, elems: Elem[], ds: Dim[]): IpSet {
  const supported = ds.every((d) => d !== 'other');
  return {
    name,
    type,
    family,
    ...(supported ? {} : { why: `set type ${type} is not understood` }),
    test(p, flags) {
      if (!supported) return 2;
      if (p.family !== family) return 0;
      let unknown = false;
      let hit: Elem | null = null;
      for (const e of elems) {
        let all: Tri = 1;
        for (let i = 0; i < ds.length && all !== 0; i++) {
          const dir = flags[Math.min(i, flags.length - 1)] ?? 'src';
          const part = e.parts[i]!;
          let r: Tri;
          if (ds[i] === 'port') {
            const pp = part as { proto: number; lo: number; hi: number };
            const v = dir === 'src' ? p.sport : p.dport;
            r = p.proto !== pp.proto ? 0 : v === null ? 2 : tri(v >= pp.lo && v <= pp.hi);
          } else if (ds[i] === 'iface') {
            const dev = dir === 'src' ? p.iif : p.oif;
            r = dev === null ? 2 : tri(dev === part);
          } else {
            const a = dir === 'src' ? p.src : p.dst;
            r = a === null ? 2 : tri(prefixHas(part as Prefix, a));
          }
          if (r === 0) all = 0;
          else if (r === 2) all = 2;
        }
        if (all === 2) unknown = true;
        // the most specific match wins for nomatch entries (hash:net): a nomatch hit means "not in the set"
        if (all === 1 && (!hit || (e.nomatch && !hit.nomatch))) hit = e;
      }
      if (hit) return hit.nomatch ? 0 : 1;
      return unknown ? 2 : 0;
    },
  };
}

/** Parses `ipset save` (or `ipset list -o save`). Lines it cannot read go to `problems`. */
export function parseIpsetSave(text: string, problems: Problem[] = []): IpsetStore {
  const meta = new Map<string, { type: string; family: 4 | 6; ds: Dim[]; elems: Elem[] }>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    if (words[0] === 'create' && words[1] && words[2]) {
      const fam = words.includes('inet6') ? 6 : 4;
      meta.set(words[1], { type: words[2], family: fam, ds: dims(words[2]), elems: [] });
    } else if (words[0] === 'add' && words[1] && words[2]) {
      const m = meta.get(words[1]);
      const e = m ? parseElem(words.slice(2).join(' '), m.ds, m.family) : null;
      if (m && e) m.elems.push(e);
      else problems.push({ line: i + 1, text: line.slice(0, 200), reason: m ? 'set element not understood' : `set ${words[1]} was not created before` });
    } else problems.push({ line: i + 1, text: line.slice(0, 200), reason: 'not an ipset save line' });
  }
  const out: IpsetStore = new Map();
  for (const [name, m] of meta) out.set(name, makeSet(name, m.type, m.family, m.elems, m.ds));
  return out;
}
