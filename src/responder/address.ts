/** HOST:PORT / [IPv6]:PORT of a responder (or a listen address), validated at the edge. */
import { usageError } from '../model/errors.js';
import { ipFamilyOf, isValidHostname, parsePort, shown } from '../model/target.js';

export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:[\]]+):(\d+)$/.exec(text.trim());
  if (!m) throw usageError({ en: `${what} '${shown(text)}': expected HOST:PORT or [IPv6]:PORT`, zh: `${what} '${shown(text)}'：应为 HOST:PORT 或 [IPv6]:PORT` });
  const host = m[1]!;
  if (ipFamilyOf(host) === null && !isValidHostname(host))
    throw usageError({ en: `${what} '${shown(text)}': '${shown(host)}' is not a host name or IP address`, zh: `${what} '${shown(text)}'：'${shown(host)}' 不是主机名或 IP 地址` });
  return { host, port: parsePort(m[2]!, what) };
}
