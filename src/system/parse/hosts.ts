/** /etc/hosts as glibc reads it: `ADDRESS NAME [ALIAS…]`, `#` to the end of a line is a comment. */
import { ParseError } from '../../model/errors.js';
import type { HostsEntry, HostsFile } from '../../model/snapshot.js';
import { ipFamily } from '../../model/prefix.js';

export function parseHosts(text: string, path = '/etc/hosts'): HostsFile {
  if (typeof text !== 'string') throw new ParseError(path, 'expected text');
  if (text.includes('\0')) throw new ParseError(path, 'expected a text file, found NUL bytes');
  const entries: HostsEntry[] = [];
  const ignored: NonNullable<HostsFile['ignored']> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const body = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (body === '') return;
    const [address = '', ...names] = body.split(/\s+/);
    const line = i + 1;
    if (ipFamily(address.replace(/%[^%]+$/, '')) === null) ignored.push({ line, text: raw.trim().slice(0, 300), reason: `not an IP address: ${address.slice(0, 60)}` });
    else if (names.length === 0) ignored.push({ line, text: raw.trim().slice(0, 300), reason: 'an address without a name' });
    else entries.push({ line, address, names, text: raw.trim() });
  });
  const out: HostsFile = { path, entries };
  if (ignored.length > 0) out.ignored = ignored;
  return out;
}
