/** The `hosts:` line of nsswitch.conf (the first one counts, as in glibc). */
import { ParseError } from '../../model/errors.js';
import type { NsswitchHosts } from '../../model/snapshot.js';

/** glibc's built-in order when nsswitch.conf has no hosts line (nss/nss_database.c). */
export const DEFAULT_HOSTS = ['dns', '[!UNAVAIL=return]', 'files'];

/** Sources and bracketed actions; "[ NOTFOUND = return ]" becomes "[NOTFOUND=return]". A linear scan. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '[') {
      const end = s.indexOf(']', i + 1);
      const inner = s.slice(i + 1, end === -1 ? s.length : end);
      out.push(
        `[${inner
          .split('=')
          .map((t) => t.trim())
          .join('=')
          .split(/\s+/)
          .join(' ')}]`,
      );
      i = end === -1 ? s.length : end + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '[' && !/\s/.test(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

export function parseNsswitch(text: string, path = '/etc/nsswitch.conf'): NsswitchHosts {
  if (typeof text !== 'string') throw new ParseError(path, 'expected text');
  if (text.includes('\0')) throw new ParseError(path, 'expected a text file, found NUL bytes');
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const body = raw.replace(/#.*/, '').trim();
    const m = /^hosts\s*:(.*)$/.exec(body);
    if (!m) continue;
    const tokens = tokenize(m[1] ?? '');
    return { path, hosts: tokens, line: i + 1 };
  }
  return { path, hosts: [...DEFAULT_HOSTS], defaulted: true };
}
