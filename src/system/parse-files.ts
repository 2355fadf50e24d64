/**
 * Parsers of the resolver configuration files: resolv.conf, hosts, nsswitch.conf.
 * They never fail on content: what cannot be understood is kept with its line number.
 */
import ipaddr from 'ipaddr.js';
import type { HostsEntry, ResolvConf } from './types.js';

const MAX_LINES = 100_000;

function lines(text: string): string[] {
  return text.split(/\r?\n/, MAX_LINES);
}

/** resolv.conf with glibc defaults (timeout 5, attempts 2, ndots 1); last `search`/`domain` wins. */
export function parseResolvConf(text: string, path = '/etc/resolv.conf'): ResolvConf {
  const r: ResolvConf = { path, nameservers: [], search: [], options: { timeout: 5, attempts: 2, rotate: false, ndots: 1, other: [] }, ignored: [] };
  lines(text).forEach((raw, i) => {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) return;
    const [kw, ...args] = line.split(/\s+/) as [string, ...string[]];
    switch (kw) {
      case 'nameserver': {
        const a = args[0]?.replace(/%.*$/, '');
        if (a && ipaddr.isValid(a) && (a.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(a))) {
          if (r.nameservers.length < 3) r.nameservers.push(ipaddr.parse(a).toString());
          else r.ignored.push({ line: i + 1, text: raw.slice(0, 200) + ' (glibc uses at most 3 nameservers)' });
        } else r.ignored.push({ line: i + 1, text: raw.slice(0, 200) });
        break;
      }
      case 'search':
      case 'domain':
        r.search = args.slice(0, 32);
        break;
      case 'options':
        for (const o of args) {
          const [k, v] = o.split(':') as [string, string | undefined];
          const n = v !== undefined && /^[0-9]{1,3}$/.test(v) ? Number(v) : null;
          if (k === 'timeout' && n !== null) r.options.timeout = Math.min(30, Math.max(1, n));
          else if (k === 'attempts' && n !== null) r.options.attempts = Math.min(5, Math.max(1, n));
          else if (k === 'ndots' && n !== null) r.options.ndots = Math.min(15, n);
          else if (k === 'rotate') r.options.rotate = true;
          else r.options.other.push(o.slice(0, 100));
        }
        break;
      default:
        r.ignored.push({ line: i + 1, text: raw.slice(0, 200) });
    }
  });
  return r;
}

/** /etc/hosts: one entry per line with an address and at least one name. */
export function parseHosts(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  lines(text).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [addr, ...names] = line.split(/\s+/) as [string, ...string[]];
    const a = addr.replace(/%.*$/, '');
    if (!ipaddr.isValid(a) || names.length === 0) return;
    out.push({ line: i + 1, address: a, names, text: raw.trim().slice(0, 500) });
  });
  return out;
}

/** The `hosts:` sources of nsswitch.conf (defaults to files dns, as glibc). */
export function parseNsswitchHosts(text: string): string[] {
  for (const raw of lines(text)) {
    const m = /^\s*hosts\s*:\s*(.*)$/.exec(raw.replace(/#.*$/, ''));
    if (m) return m[1]!.split(/\s+/).filter((w) => w && !w.startsWith('['));
  }
  return ['files', 'dns'];
}

/** `ss -H -ltnu` lines → listening sockets. */
export function parseSs(text: string): Array<{ proto: 'tcp' | 'udp'; local: string; port: number; process: string | null }> {
  const out: Array<{ proto: 'tcp' | 'udp'; local: string; port: number; process: string | null }> = [];
  for (const raw of lines(text)) {
    const f = raw.trim().split(/\s+/);
    if (f.length < 5) continue;
    const proto = f[0] === 'tcp' ? 'tcp' : f[0] === 'udp' ? 'udp' : null;
    if (!proto) continue;
    const local = f[4]!;
    const i = local.lastIndexOf(':');
    if (i < 0) continue;
    const port = Number(local.slice(i + 1));
    if (!Number.isInteger(port)) continue;
    const proc = /users:\(\("([^"]+)"/.exec(raw)?.[1] ?? null;
    out.push({ proto, local: local.slice(0, i).replace(/^\[|\]$/g, '').replace(/%.*$/, ''), port, process: proc });
  }
  return out;
}
