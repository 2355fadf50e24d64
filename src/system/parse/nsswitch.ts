/** The `hosts:` line of nsswitch.conf (the first one counts, as in glibc). */
import { ParseError } from '../../model/errors.js';
import type { NsswitchHosts } from '../types.js';

/** glibc's built-in order when nsswitch.conf has no hosts line (nss/nss_database.c). */
export const DEFAULT_HOSTS = ['dns', '[!UNAVAIL=return]', 'files'];

export function parseNsswitch(text: string, path = '/etc/nsswitch.conf'): NsswitchHosts {
  if (typeof text !== 'string') throw new ParseError(path, 'expected text');
  if (text.includes('\0')) throw new ParseError(path, 'expected a text file, found NUL bytes');
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const body = raw.replace(/#.*/, '').trim();
    const m = /^hosts\s*:(.*)$/.exec(body);
    if (!m) continue;
    // Actions may be written with spaces inside the brackets: "[NOTFOUND = return]".
    const tokens = (m[1] ?? '').replace(/\[\s*([^\]]*?)\s*\]/g, (_s, inner: string) => `[${inner.replace(/\s*=\s*/g, '=').replace(/\s+/g, ' ')}]`).match(/\[[^\]]*\]|[^\s[]+/g) ?? [];
    return { path, hosts: tokens, line: i + 1 };
  }
  return { path, hosts: [...DEFAULT_HOSTS], defaulted: true };
}
