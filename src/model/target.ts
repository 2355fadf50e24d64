import ipaddr from 'ipaddr.js';
import { usageError } from './errors.js';
import { E } from './error-messages.js';
import type { Msg } from './message.js';

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
}

export interface TargetOptions {
  port?: number | undefined;
  protocol?: Protocol | undefined;
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

export function parsePort(text: string, what: string | Msg = 'port'): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw usageError(E('expected', { what, value: shown(text), expected: E('port') }));
  const n = Number(text);
  if (n < 1 || n > 65535) throw usageError(E('expected', { what, value: shown(text), expected: E('port') }));
  return n;
}

function parseHost(rawText: string, input: string): { host: string; ipFamily: 4 | 6 | null } {
  const text = rawText;
  const family = ipFamilyOf(text);
  if (family === 6) return { host: ipaddr.IPv6.parse(text).toString(), ipFamily: 6 };
  if (family === 4) return { host: text, ipFamily: 4 };
  if (!isValidHostname(text)) {
    throw usageError(E('targetNotHost', { input, value: shown(text) }));
  }
  return { host: text.toLowerCase().replace(/\.$/, ''), ipFamily: null };
}

function splitHostPort(hp: string, input: string): { hostText: string; portText: string | null } {
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    if (close < 0) throw usageError(E('targetUnclosed', { input }));
    const hostText = hp.slice(1, close);
    const rest = hp.slice(close + 1);
    if (rest === '') return { hostText, portText: null };
    if (!rest.startsWith(':')) throw usageError(E('targetPortAfter', { input }));
    if (ipFamilyOf(hostText) !== 6) throw usageError(E('targetNotV6', { input, value: shown(hostText) }));
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
  throw usageError(E('targetBareV6', { input }));
}

/**
 * Parses what the user typed into a Target.
 * `host` → network-level (icmp) unless --port/--protocol say otherwise;
 * `host:port` → tcp (tls for well-known TLS ports); URLs set protocol and default port.
 */
export function parseTarget(input: string, opts: TargetOptions = {}): Target {
  const raw = input.trim();
  const inputShown = shown(input);
  if (raw === '') throw usageError(E('targetEmpty'));
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(raw);
  let protocol: Protocol | undefined;
  let hp = raw;
  let path: string | undefined;
  if (m) {
    const scheme = m[1]!.toLowerCase();
    if (!(['tcp', 'tls', 'http', 'https'] as string[]).includes(scheme)) {
      throw usageError(E('targetScheme', { input: inputShown, scheme }));
    }
    protocol = scheme as Protocol;
    const rest = m[2]!;
    const slash = rest.search(/[/?#]/);
    hp = slash < 0 ? rest : rest.slice(0, slash);
    if (slash >= 0) path = rest.slice(slash);
    if (hp.includes('@')) throw usageError(E('targetCredentials', { input: inputShown }));
    if ((protocol === 'tcp' || protocol === 'tls') && path && path !== '/') {
      throw usageError(E('targetPath', { input: inputShown, protocol }));
    }
  }
  if (hp === '') throw usageError(E('targetNoHost', { input: inputShown }));
  const { hostText, portText } = splitHostPort(hp, inputShown);
  const { host, ipFamily } = parseHost(hostText, inputShown);
  let port: number | null = portText === null ? null : parsePort(portText, E('targetPortWhat', { input: inputShown }));
  if (opts.port !== undefined) port = opts.port;
  if (opts.protocol) protocol = opts.protocol;
  if (!protocol) {
    if (port === null) protocol = 'icmp';
    else protocol = TLS_PORTS.has(port) ? 'tls' : 'tcp';
  }
  if (port === null) port = DEFAULT_PORT[protocol];
  if (protocol === 'tcp' && port === null) throw usageError(E('targetTcpPort', { input: inputShown }));
  const t: Target = { input, host, port, protocol, ipFamily };
  if (protocol === 'http' || protocol === 'https') t.path = path ?? '/';
  return t;
}

/** host:port for display, with brackets for IPv6. */
export function formatHostPort(host: string, port: number | null): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
}
