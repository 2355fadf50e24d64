/**
 * Observations derived from the Snapshot alone (no packets): the part of a diagnosis that
 * `netdx analyze SNAPSHOT` can make on another machine. Pure functions.
 */
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { Target } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';

export function linksObservation(s: Snapshot): Observation | null {
  if (!s.links.ok) return null;
  return observation('host.links', {
    links: s.links.value.map((l) => ({
      name: l.name,
      up: l.up,
      carrier: l.carrier,
      mtu: l.mtu,
      kind: l.kind,
      loopback: l.loopback,
      addresses: l.addresses.map((a) => ({ family: a.family, address: a.address, prefixlen: a.prefixlen, scope: a.scope })),
    })),
  });
}

export function dnsConfigObservation(s: Snapshot): Observation | null {
  if (!s.resolv.ok) return null;
  const r = s.resolv.value;
  return observation('dns.config', {
    nameservers: r.nameservers,
    search: r.search,
    timeoutSec: r.options.timeout,
    attempts: r.options.attempts,
    rotate: r.options.rotate,
    nsswitchHosts: s.nsswitch.ok ? s.nsswitch.value.hosts : ['files', 'dns'],
    source: r.path,
  });
}

/** The names a resolver would try for `host` (search list applied as glibc does for names with few dots). */
export function candidateNames(host: string, s: Snapshot | null): string[] {
  const search = s?.resolv.ok ? s.resolv.value.search : [];
  const ndots = s?.resolv.ok ? s.resolv.value.options.ndots : 1;
  const dots = host.split('.').length - 1;
  const withSearch = search.map((d) => `${host}.${d}`);
  return dots >= ndots ? [host, ...withSearch] : [...withSearch, host];
}

export function hostsObservation(s: Snapshot, target: Target): Observation | null {
  if (!s.hosts.ok || target.ipFamily !== null) return null;
  const names = new Set(candidateNames(target.host, s).map((n) => n.toLowerCase()));
  const matches = s.hosts.value.entries
    .filter((e) => e.names.some((n) => names.has(n.toLowerCase().replace(/\.$/, ''))))
    .map((e) => ({ line: e.line, address: e.address, names: e.names, text: e.text }));
  return observation('dns.hosts', { path: s.hosts.value.path, matches });
}

const PROXY_VARS: Record<string, string[]> = {
  http: ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'],
  https: ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'],
};

/** Does a NO_PROXY list exempt host? Returns the matching entry. */
export function noProxyMatch(host: string, noProxy: string): string | null {
  for (const raw of noProxy.split(',')) {
    const e = raw.trim().toLowerCase();
    if (!e) continue;
    if (e === '*') return e;
    const d = e.replace(/^\*?\./, '');
    if (host === d || host.endsWith(`.${d}`)) return e;
  }
  return null;
}

/** Proxy settings that apply to an http/https target (curl/requests semantics). */
export function proxyObservation(env: Record<string, string>, target: Target): Observation | null {
  const variables = Object.entries(env)
    .filter(([k]) => /^(https?|all|no)_proxy$/i.test(k))
    .map(([name, value]) => ({ name, value }));
  if (variables.length === 0) return null;
  const data: ObservationData['host.proxy'] = { variables, selected: null, noProxyMatch: null };
  const scheme = target.protocol === 'http' ? 'http' : target.protocol === 'https' ? 'https' : null;
  if (scheme) {
    const np = env.no_proxy ?? env.NO_PROXY ?? '';
    data.noProxyMatch = noProxyMatch(target.host, np);
    if (!data.noProxyMatch) {
      for (const v of PROXY_VARS[scheme]!) {
        const val = env[v];
        if (!val) continue;
        const parsed = parseProxyUrl(val);
        if (parsed) {
          data.selected = { variable: v, ...parsed };
          break;
        }
      }
    }
  }
  return observation('host.proxy', data);
}

export function parseProxyUrl(value: string): { host: string; port: number } | null {
  try {
    const u = new URL(value.includes('://') ? value : `http://${value}`);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (!host) return null;
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol.startsWith('socks') ? 1080 : 80;
    return { host, port };
  } catch {
    return null;
  }
}

/**
 * The next hop's neighbour entry as a snapshot recorded it (offline analysis: nothing is sent).
 * FAILED/INCOMPLETE means address resolution of the gateway went unanswered then (NET-002); an
 * entry that confirms it (REACHABLE, PERMANENT, NOARP) is an answer; STALE/DELAY/PROBE or no
 * entry says nothing and gives no observation.
 */
export function snapshotGatewayObservation(s: Snapshot, gateway: string, dev: string): Observation | null {
  if (!s.neighbors.ok) return null;
  const n = s.neighbors.value.find((x) => x.address === gateway && x.dev === dev);
  const state = n?.state[0] ?? null;
  if (state === null) return null;
  const answered = state === 'FAILED' || state === 'INCOMPLETE' ? false : state === 'REACHABLE' || state === 'PERMANENT' || state === 'NOARP' ? true : null;
  if (answered === null) return null;
  return observation('gateway.neighbor', { gateway, dev, state, answered, method: 'neigh', reason: 'the neighbour table recorded in the snapshot (not probed)' });
}
