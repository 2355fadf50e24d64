/** Test doubles for the engine: a small Snapshot and scriptable fake deps (Hono-style platform seam). */
import { observation, type Observation, type ObservationData } from '../model/observation.js';
import type { Snapshot } from '../model/snapshot.js';
import type { EngineDeps } from './engine.js';

export function fakeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    schema: 'netdx.snapshot/v1',
    collectedAt: '2026-11-26T00:00:00.000Z',
    hostname: 'client',
    kernel: '6.1.0',
    uid: 0,
    links: {
      ok: true,
      value: [
        {
          name: 'lo',
          index: 1,
          up: true,
          carrier: true,
          operstate: 'UNKNOWN',
          mtu: 65536,
          kind: 'loopback',
          loopback: true,
          mac: null,
          master: null,
          addresses: [{ family: 4, address: '127.0.0.1', prefixlen: 8, scope: 'host' }],
        },
        {
          name: 'eth0',
          index: 2,
          up: true,
          carrier: true,
          operstate: 'UP',
          mtu: 1500,
          kind: 'veth',
          loopback: false,
          mac: '02:00:00:00:00:01',
          master: null,
          addresses: [{ family: 4, address: '198.51.100.10', prefixlen: 28, scope: 'global' }],
        },
      ],
    },
    routes: {
      ok: true,
      value: [
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '0.0.0.0/0',
          gateway: '198.51.100.1',
          dev: 'eth0',
          src: null,
          metric: null,
          protocol: 'static',
          scope: 'global',
          nexthops: [],
          text: 'default via 198.51.100.1 dev eth0',
        },
        {
          family: 4,
          table: 'main',
          type: 'unicast',
          dst: '198.51.100.0/28',
          gateway: null,
          dev: 'eth0',
          src: '198.51.100.10',
          metric: null,
          protocol: 'kernel',
          scope: 'link',
          nexthops: [],
          text: '198.51.100.0/28 dev eth0 proto kernel scope link src 198.51.100.10',
        },
      ],
    },
    rules: { ok: true, value: [] },
    neighbors: { ok: true, value: [] },
    resolv: { ok: true, value: { path: '/etc/resolv.conf', nameservers: ['198.51.100.53'], search: [], options: { timeout: 5, attempts: 2, rotate: false, ndots: 1, other: [] }, ignored: [] } },
    hosts: { ok: true, value: { path: '/etc/hosts', entries: [{ line: 1, address: '127.0.0.1', names: ['localhost'], text: '127.0.0.1 localhost' }] } },
    nsswitch: { ok: true, value: { path: '/etc/nsswitch.conf', hosts: ['files', 'dns'] } },
    firewall: { iptables: { ok: false, unavailable: 'test' }, ip6tables: { ok: false, unavailable: 'test' }, nft: { ok: false, unavailable: 'test' }, ufw: { ok: false, unavailable: 'test' } },
    sysctls: { ok: true, value: {} },
    listening: { ok: true, value: [] },
    proxyEnv: {},
    time: { local: '2026-11-26T00:00:00.000Z', timezone: 'UTC', ntpSynchronized: null },
    ...over,
  };
}

export const route = (dst: string | { destination: string }, over: Partial<ObservationData['route.lookup']> = {}): Observation => {
  const destination = typeof dst === 'string' ? dst : dst.destination;
  return observation('route.lookup', {
    destination,
    family: destination.includes(':') ? 6 : 4,
    outcome: 'route',
    dev: 'eth0',
    gateway: '198.51.100.1',
    src: '198.51.100.10',
    table: 'main',
    route: 'default via 198.51.100.1 dev eth0',
    candidates: [],
    rules: [],
    ...over,
  });
};

/** A TLS handshake observation: a healthy TLS 1.3 handshake unless `over` says otherwise. */
export const handshakeObs = (q: { address: string; port: number; sni: string | null }, over: Record<string, unknown> = {}): Observation =>
  observation('tls.handshake', {
    address: q.address,
    port: q.port,
    sni: q.sni,
    outcome: 'ok',
    ms: 5,
    protocol: 'TLSv1.3',
    cipher: null,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    alert: null,
    errorCode: null,
    error: null,
    chain: [],
    verify: { ok: true, code: null, hostnameOk: true, trustedBy: 'system' },
    pin: null,
    banner: null,
    clientCertOffered: false,
    clientCertRequested: false,
    ...over,
  } as never);

/** A resolver's answer to one query: NOERROR with no records unless `over` says otherwise. */
export const dnsQueryObs = (q: { server: string; name: string; qtype: string }, over: Record<string, unknown> = {}): Observation =>
  observation('dns.query', {
    server: q.server,
    port: 53,
    name: q.name,
    qtype: q.qtype,
    transport: 'udp',
    outcome: 'answer',
    rcode: 'NOERROR',
    answers: [],
    cnames: [],
    truncated: false,
    ms: 1.5,
    ...over,
  } as never);

/** A resolver that cannot be reached (ENETUNREACH) for every query. */
export const unreachableDnsQuery = async (q: { server: string; name: string; qtype: string }): Promise<Observation[]> => [
  dnsQueryObs(q, { outcome: 'unreachable', rcode: null, ms: 0.1, error: 'ENETUNREACH' }),
];

export interface Calls {
  [probe: string]: unknown[];
}

/** Healthy fakes for a target at 203.0.113.10; override any probe. Records every call. */
export function fakeDeps(over: Partial<EngineDeps> = {}, snapshot: Snapshot = fakeSnapshot()): { deps: EngineDeps; calls: Calls } {
  const calls: Calls = {};
  const rec =
    <A extends unknown[], R>(name: string, fn: (...a: A) => R) =>
    (...a: A): R => {
      (calls[name] ??= []).push(a[0]);
      return fn(...a);
    };
  const base: EngineDeps = {
    snapshot: async () => snapshot,
    systemLookup: async (name) => [observation('dns.system', { name, addresses: [{ address: '203.0.113.10', family: 4 }], error: null, ms: 2 })],
    dnsQuery: async (q) => [dnsQueryObs(q, { answers: q.qtype === 'A' ? [{ address: '203.0.113.10', ttl: 60 }] : [] })],
    routeLookup: async (dst) => [route(dst)],
    gateway: async (q) => [observation('gateway.neighbor', { gateway: q.gateway, dev: q.dev, state: 'REACHABLE', answered: true, method: 'ping' })],
    icmp: async (q) => [observation('icmp.echo', { address: q.address, method: 'raw', sent: q.count, received: q.count, lossPct: 0, rtt: { min: 0.2, avg: 0.3, max: 0.4, stddev: 0.1 }, errors: [] })],
    tcp: async (q) => [observation('tcp.connect', { address: q.address, port: q.port, family: q.address.includes(':') ? 6 : 4, outcome: 'open', ms: 0.8, after: { event: 'quiet', ms: q.afterMs } })],
    tls: async (q) => [handshakeObs(q, { cipher: 'TLS_AES_256_GCM_SHA384' })],
    tlsVersions: async (q) => [observation('tls.versions', { address: q.address, port: q.port, accepted: ['TLSv1.3'], rejected: [], clientRange: { min: q.min, max: q.max } })],
    http: async (q) => [observation('http.response', { url: q.url, outcome: 'response', status: 200, location: null, date: new Date().toUTCString(), server: 'lab', ms: 3 })],
    proxyConnect: async (q) => [observation('proxy.connect', { host: q.host, port: q.port, outcome: 'open', ms: 1 })],
    now: () => new Date(),
  };
  const merged = { ...base, ...over } as EngineDeps;
  const deps = Object.fromEntries(
    Object.entries(merged).map(([k, v]) => [k, typeof v === 'function' && k !== 'now' && k !== 'snapshot' ? rec(k, v as (...a: unknown[]) => unknown) : v]),
  ) as unknown as EngineDeps;
  return { deps, calls };
}
