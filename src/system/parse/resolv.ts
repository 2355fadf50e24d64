/**
 * resolv.conf as glibc reads it (resolv(5), res_init): a keyword must start the line, `#` and `;`
 * start comments, the last `domain`/`search` wins, at most 3 nameservers are used, and the
 * option defaults are timeout:5 attempts:2 ndots:1. Lines glibc would skip are kept in
 * `ignored` with their line numbers and why, so a diagnosis can point at them.
 */
import { ParseError } from '../../model/errors.js';
import type { ResolvConf } from '../../model/snapshot.js';
import { ipFamily } from '../../model/prefix.js';

export const MAXNS = 3;
const LIMITS = { timeout: 30, attempts: 5, ndots: 15 } as const; // RES_MAXRETRANS, RES_MAXRETRY, RES_MAXNDOTS

function stripComment(s: string): string {
  const m = /[#;]/.exec(s);
  return (m ? s.slice(0, m.index) : s).trim();
}

export function parseResolvConf(text: string, path = '/etc/resolv.conf'): ResolvConf {
  if (typeof text !== 'string') throw new ParseError(path, 'expected text');
  if (text.includes('\0')) throw new ParseError(path, 'expected a text file, found NUL bytes');
  const out: ResolvConf = { path, nameservers: [], search: [], options: { timeout: 5, attempts: 2, rotate: false, ndots: 1, other: [] }, ignored: [] };
  const ignore = (line: number, raw: string, reason: string) => out.ignored.push({ line, text: raw.slice(0, 300), reason });
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.startsWith('#') || raw.startsWith(';')) return;
    if (/^\s/.test(raw)) {
      if (!/^\s*[#;]/.test(raw)) ignore(line, raw, 'starts with whitespace (glibc reads keywords only at the start of a line)');
      return;
    }
    const [keyword = '', ...args] = stripComment(raw).split(/\s+/);
    switch (keyword) {
      case 'nameserver': {
        const addr = args[0];
        if (addr === undefined) return ignore(line, raw, 'nameserver without an address');
        if (ipFamily(addr.replace(/%[^%]+$/, '')) === null) return ignore(line, raw, `not an IP address: ${addr.slice(0, 60)}`);
        if (out.nameservers.length >= MAXNS) return ignore(line, raw, `more than ${MAXNS} nameservers (glibc uses the first ${MAXNS})`);
        out.nameservers.push(addr);
        return;
      }
      case 'domain':
        if (args[0] === undefined) return ignore(line, raw, 'domain without a name');
        out.search = [args[0]];
        return;
      case 'search':
        if (args.length === 0) return ignore(line, raw, 'search without domains');
        out.search = args;
        return;
      case 'options':
        for (const opt of args) {
          const m = /^(timeout|attempts|ndots):(\d+)$/.exec(opt);
          if (m) {
            const key = m[1] as keyof typeof LIMITS;
            out.options[key] = Math.min(Number(m[2]), LIMITS[key]);
          } else if (opt === 'rotate') out.options.rotate = true;
          else out.options.other.push(opt);
        }
        return;
      case 'sortlist':
        return; // understood by glibc; nothing a diagnosis uses
      default:
        return ignore(line, raw, `unknown keyword "${keyword.slice(0, 40)}"`);
    }
  });
  return out;
}
