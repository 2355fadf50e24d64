import ipaddr from 'ipaddr.js';
import { domainToASCII, domainToUnicode } from 'node:url';
import { usageError } from './errors.js';

export const PROTOCOLS = ['icmp', 'tcp', 'tls', 'http', 'https'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** What `netdx diagnose` is asked to reach. */
export interface Target {
  /** The text the user typed. */
  input: string;
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  /** Service port, or null for a network-level diagnosis (DNS, route, ICMP). */
  port: number | null;
  protocol: Protocol;
  /** 4 or 6 when host is an IP literal, else null. */
  ipFamily: 4 | 6 | null;
  /** URL path for http/https targets. */
  path?: string;
  /**
   * An internationalized name as the user wrote it (Unicode), when `host` is its A-label form
   * (punycode, as curl and browsers send it): DNS, SNI and Host use `host`, people read this.
   */
  display?: string;
}

export interface TargetOptions {
  port?: number | undefined;
  protocol?: Protocol | undefined;
  /**
   * A TLS-only option that was given (--ca, --cert, --key, --pin, --sni, --tls-min, --tls-max):
   * HOST:PORT on any port then means TLS; a scheme or --protocol that says otherwise is a usage error.
   */
  tlsOption?: string | undefined;
}

const DEFAULT_PORT: Record<Protocol, number | null> = { icmp: null, tcp: null, tls: 443, http: 80, https: 443 };
const TLS_PORTS = new Set([443, 465, 636, 853, 993, 995, 8443]);

const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

export function isValidHostname(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return false;
  const labels = n.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // An all-numeric dotted name that is not a valid IPv4 literal is not a host (e.g. 1.2.3.999).
  return !/^[0-9.]+$/.test(n);
}

/** 4 or 6 for a strict IP literal, else null. */
export function ipFamilyOf(text: string): 4 | 6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 4;
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return 6;
  return null;
}

/** Makes untrusted text safe for a one-line message (control characters escaped, length capped). */
export function shown(text: string): string {
  let esc = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    esc += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
  }
  return esc.length > 200 ? `${esc.slice(0, 200)}…` : esc;
}

export function parsePort(text: string, what = 'port'): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw usageError({ en: `${what} '${shown(text)}': expected a number from 1 to 65535`, zh: `${what} '${shown(text)}'：应为 1 到 65535 之间的数字` });
  const n = Number(text);
  if (n < 1 || n > 65535) throw usageError({ en: `${what} '${shown(text)}': expected a number from 1 to 65535`, zh: `${what} '${shown(text)}'：应为 1 到 65535 之间的数字` });
  return n;
}

function parseHost(rawText: string, input: string): { host: string; ipFamily: 4 | 6 | null; display?: string } {
  const text = rawText;
  const family = ipFamilyOf(text);
  if (family === 6) return { host: ipaddr.IPv6.parse(text).toString(), ipFamily: 6 };
  if (family === 4) return { host: text, ipFamily: 4 };
  // An internationalized name (bücher.example): its A-label form (UTS #46, as curl and browsers do).
  if ([...text].some((ch) => ch.codePointAt(0)! > 0x7f)) {
    const ascii = domainToASCII(text);
    if (ascii !== '' && isValidHostname(ascii)) {
      const host = ascii.toLowerCase().replace(/\.$/, '');
      return { host, ipFamily: null, display: domainToUnicode(host) || text };
    }
  }
  if (!isValidHostname(text)) {
    throw usageError({
      en: `target '${input}': '${shown(text)}' is not a host name or IP address (expected HOST, HOST:PORT, [IPv6]:PORT or a tcp://, tls://, http://, https:// URL)`,
      zh: `目标 '${input}'：'${shown(text)}' 不是主机名或 IP 地址（应为 HOST、HOST:PORT、[IPv6]:PORT 或 tcp://、tls://、http://、https:// URL）`,
    });
  }
  return { host: text.toLowerCase().replace(/\.$/, ''), ipFamily: null };
}

function splitHostPort(hp: string, input: string): { hostText: string; portText: string | null } {
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    if (close < 0) throw usageError({ en: `target '${input}': unclosed '[' (expected [IPv6]:PORT)`, zh: `目标 '${input}'：'[' 没有闭合（应为 [IPv6]:PORT）` });
    const hostText = hp.slice(1, close);
    const rest = hp.slice(close + 1);
    if (rest === '') return { hostText, portText: null };
    if (!rest.startsWith(':')) throw usageError({ en: `target '${input}': expected ':PORT' after ']'`, zh: `目标 '${input}'：']' 之后应为 ':PORT'` });
    if (ipFamilyOf(hostText) !== 6)
      throw usageError({ en: `target '${input}': '${shown(hostText)}' in brackets is not an IPv6 address`, zh: `目标 '${input}'：方括号中的 '${shown(hostText)}' 不是 IPv6 地址` });
    return { hostText, portText: rest.slice(1) };
  }
  const colons = hp.split(':').length - 1;
  if (colons === 0) return { hostText: hp, portText: null };
  if (colons === 1) {
    const [h, p] = hp.split(':') as [string, string];
    return { hostText: h, portText: p };
  }
  // Several colons without brackets: a bare IPv6 literal, or nonsense.
  if (ipFamilyOf(hp) === 6) return { hostText: hp, portText: null };
  throw usageError({
    en: `target '${input}': not a host or IPv6 address (write an IPv6 address with a port as [ADDR]:PORT)`,
    zh: `目标 '${input}'：不是主机或 IPv6 地址（带端口的 IPv6 地址请写成 [ADDR]:PORT）`,
  });
}

/**
 * Parses what the user typed into a Target.
 * `host` → network-level (icmp) unless --port/--protocol say otherwise;
 * `host:port` → tcp (tls for well-known TLS ports); URLs set protocol and default port.
 */
/**
 * The input with any URL userinfo (user:password@) masked, for messages: a secret typed into a
 * target is never echoed.
 */
export function redactTarget(input: string): string {
  return input.replace(/^(\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?)([^/?#\s]*)@/, (_m, pre: string) => `${pre}***@`);
}

export function parseTarget(input: string, opts: TargetOptions = {}): Target {
  const raw = input.trim();
  const inputShown = shown(redactTarget(input));
  // user:password@host (a URL's userinfo, or typed bare): refused, and never echoed.
  if (/^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?[^/?#\s]*@/.test(raw)) {
    throw usageError({
      en: `target '${inputShown}': credentials (user:password@) in the target are refused; netdx never sends them — give HOST, HOST:PORT or a URL without them`,
      zh: `目标 '${inputShown}'：拒绝目标中的凭据（user:password@），netdx 从不发送凭据——请给出不含凭据的 HOST、HOST:PORT 或 URL`,
    });
  }
  if (raw === '') throw usageError({ en: 'target: empty (expected HOST, HOST:PORT or a URL)', zh: '目标为空（应为 HOST、HOST:PORT 或 URL）' });
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(raw);
  let protocol: Protocol | undefined;
  let hp = raw;
  let path: string | undefined;
  if (m) {
    const scheme = m[1]!.toLowerCase();
    if (!(['tcp', 'tls', 'http', 'https'] as string[]).includes(scheme)) {
      throw usageError({
        en: `target '${inputShown}': unsupported scheme '${scheme}://' (expected tcp://, tls://, http:// or https://)`,
        zh: `目标 '${inputShown}'：不支持的协议 '${scheme}://'（应为 tcp://、tls://、http:// 或 https://）`,
      });
    }
    protocol = scheme as Protocol;
    const rest = m[2]!;
    const slash = rest.search(/[/?#]/);
    hp = slash < 0 ? rest : rest.slice(0, slash);
    if (slash >= 0) path = rest.slice(slash);
    if ((protocol === 'tcp' || protocol === 'tls') && path && path !== '/') {
      throw usageError({ en: `target '${inputShown}': a ${protocol}:// target has no path`, zh: `目标 '${inputShown}'：${protocol}:// 目标不能带路径` });
    }
  }
  if (hp === '') throw usageError({ en: `target '${inputShown}': no host`, zh: `目标 '${inputShown}'：缺少主机` });
  const { hostText, portText } = splitHostPort(hp, inputShown);
  const { host, ipFamily, display } = parseHost(hostText, inputShown);
  let port: number | null = portText === null ? null : parsePort(portText, `target '${inputShown}': port`);
  if (opts.port !== undefined) port = opts.port;
  if (opts.protocol) protocol = opts.protocol;
  const explicit = protocol;
  if (!protocol) {
    if (opts.tlsOption) protocol = 'tls';
    else if (port === null) protocol = 'icmp';
    else protocol = TLS_PORTS.has(port) ? 'tls' : 'tcp';
  }
  if (opts.tlsOption && explicit && explicit !== 'tls' && explicit !== 'https') {
    const said = opts.protocol ? `--protocol ${explicit}` : `${explicit}://`;
    throw usageError({
      en: `${opts.tlsOption} applies to TLS, but target '${inputShown}' is ${explicit} (${said}): use tls://HOST:PORT or https://, or drop ${opts.tlsOption}`,
      zh: `${opts.tlsOption} 只适用于 TLS，但目标 '${inputShown}' 是 ${explicit}（${said}）：请使用 tls://HOST:PORT 或 https://，或去掉 ${opts.tlsOption}`,
    });
  }
  if (port === null) port = DEFAULT_PORT[protocol];
  if (protocol === 'tcp' && port === null)
    throw usageError({ en: `target '${inputShown}': tcp needs a port (tcp://HOST:PORT or --port)`, zh: `目标 '${inputShown}'：tcp 需要端口（tcp://HOST:PORT 或 --port）` });
  const t: Target = { input, host, port, protocol, ipFamily };
  if (display !== undefined) t.display = display;
  if (protocol === 'http' || protocol === 'https') t.path = path ?? '/';
  return t;
}

/** host:port for display, with brackets for IPv6. */
export function formatHostPort(host: string, port: number | null): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
}
