/** Host facts that need no parser: the sysctl list, proxy variables, the local time as ISO with offset, the time zone. */
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export const SYSCTLS = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.somaxconn',
  'net.ipv4.ping_group_range',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv4.icmp_ratelimit',
  'net.netfilter.nf_conntrack_tcp_timeout_established',
] as const;

/** 'net.ipv4.conf.all.rp_filter' → 'proc/sys/net/ipv4/conf/all/rp_filter' (relative to the root). */
export function sysctlPath(key: string): string {
  return ['proc', 'sys', ...key.split('.')].join('/');
}

export const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'] as const;

/** The proxy variables that are set (an empty value counts as unset, as curl does). */
export function proxyEnvOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PROXY_VARS) {
    const v = env[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** Local wall-clock time with its UTC offset: '2026-11-26T19:40:00.123+01:00'. */
export function localIso(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

const UTC_ALIASES = new Set(['Etc/UTC', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'UCT', 'Universal', 'Zulu', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0']);
const canonZone = (z: string): string => (UTC_ALIASES.has(z) ? 'UTC' : z);

/**
 * The machine's time zone name as the C library finds it: TZ, else the /etc/localtime link, else
 * /etc/timezone. Read from files because the first Intl call costs ~25 ms (ICU start-up) on the
 * diagnosis' critical path; Intl is only the last resort.
 */
export function timezoneName(env: NodeJS.ProcessEnv = process.env, root = '/'): string {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz && !tz.startsWith('/') && /^[A-Za-z0-9_+\-/]+$/.test(tz)) return canonZone(tz);
  try {
    const m = /zoneinfo\/(?:posix\/|right\/)?([A-Za-z0-9_+\-/]+)$/.exec(readlinkSync(join(root, 'etc/localtime')));
    if (m) return canonZone(m[1]!);
  } catch {
    /* not a link: a copied zone file, or absent */
  }
  try {
    const t = readFileSync(join(root, 'etc/timezone'), 'utf8').trim();
    if (/^[A-Za-z0-9_+\-/]+$/.test(t)) return canonZone(t);
  } catch {
    /* absent */
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
