/** The real world behind EngineDeps: collectors, probes and analyzers. */
import { liveExec } from './live-exec.js';
import { readFile, stat } from 'node:fs/promises';
import { collectListening, collectSnapshot, DIAGNOSE_PARTS } from '../system/collect.js';
import { parseResolvConf } from '../system/parse/resolv.js';
import { run as routeLookup } from '../probes/route.js';
import { routeNetlink } from '../native/addon.js';
import { deviceLink } from '../system/route-get.js';
import { run as gateway } from '../probes/gateway.js';
import { run as icmp } from '../probes/icmp.js';
import { run as tcp } from '../probes/tcp.js';
import { run as spread } from '../probes/spread.js';
import { run as pmtu } from '../probes/pmtu.js';
import * as analyze from '../analyze/index.js';
import type { EngineDeps } from './engine.js';
import type { TunnelProbes } from './tunnel.js';
import { execTool } from '../system/collect.js';

const loaded = new Set<string>();

/** The lazily loaded probes this process has loaded, by name: what the diagnosis' code cache should hold (decision 069). */
export const lazyLoaded = (): string[] => [...loaded].sort();

/** Each module loaded on first use, and recorded under its key when it is. */
const onFirstUse = <T extends Record<string, () => Promise<unknown>>>(loaders: T): T =>
  Object.fromEntries(
    Object.entries(loaders).map(([name, load]) => {
      let p: Promise<unknown> | undefined;
      return [name, () => (p ??= (loaded.add(name), load()))];
    }),
  ) as T;

/**
 * The probes every walk of an address needs (route, gateway, echo, connect, flow spread, PMTU) load
 * with the engine; the others (DNS and its packet library, TLS, HTTP, proxy, trace, the idle,
 * backlog, heartbeat and responder tests, the tunnel probes) when a walk first asks for them: a
 * plain TCP diagnosis does not parse their code.
 */
const lazy = onFirstUse({
  dns: () => import('../probes/dns.js'),
  tls: () => import('../probes/tls.js'),
  tlsVersions: () => import('../probes/tls-versions.js'),
  http: () => import('../probes/http.js'),
  proxy: () => import('../probes/proxy.js'),
  trace: () => import('../probes/trace.js'),
  idle: () => import('../probes/idle.js'),
  backlog: () => import('../probes/backlog.js'),
  heartbeat: () => import('../probes/heartbeat.js'),
  responder: () => import('../probes/responder.js'),
  tunnel: async () => (await import('./tunnel-live.js')).liveTunnelProbes(),
});

const lazyTunnelProbes: TunnelProbes = {
  openvpnReset: async (q, ctx) => (await lazy.tunnel()).openvpnReset(q, ctx),
  wgPeers: async (dev) => (await lazy.tunnel()).wgPeers(dev),
  dfPing: async (q, ctx) => (await lazy.tunnel()).dfPing(q, ctx),
  sleep: async (ms, signal) => (await lazy.tunnel()).sleep(ms, signal),
};

/** The firewall rule evaluator of src/analyze, when the build has it. */
function firewallEvaluator(): Pick<EngineDeps, 'firewallVerdict'> {
  const f = (analyze as Record<string, unknown>).firewallVerdict;
  return typeof f === 'function' ? { firewallVerdict: f as NonNullable<EngineDeps['firewallVerdict']> } : {};
}

/** iptables-save -c / ip6tables-save -c now (for the counter diff), null when unavailable. */
async function firewallCounters(): Promise<{ v4: string | null; v6: string | null }> {
  const get = async (tool: string): Promise<string | null> => {
    try {
      return (await execTool(tool, ['-c'], 1500)).stdout;
    } catch {
      return null;
    }
  };
  const [v4, v6] = await Promise.all([get('iptables-save'), get('ip6tables-save')]);
  return { v4, v6 };
}

/**
 * The live world. The snapshot reads links, routes, rules and neighbours from the kernel in-process
 * (rtnetlink) while its commands (the firewall dumps, `wg show`) run in one batch beside the probes
 * (decision 066).
 */
export function liveDeps(): EngineDeps {
  return {
    // No `ss` and no timedatectl up front: the listening sockets come only when a connect is refused.
    snapshot: () => collectSnapshot({ ntp: false, netlink: routeNetlink(), exec: liveExec }, DIAGNOSE_PARTS),
    listening: () => collectListening(),
    nameservers: async () => {
      try {
        return parseResolvConf(await readFile('/etc/resolv.conf', 'utf8')).nameservers;
      } catch {
        return null;
      }
    },
    systemLookup: async (name, ctx) => (await lazy.dns()).systemLookup(name, ctx),
    dnsQuery: async (q, ctx) => (await lazy.dns()).run(q, ctx),
    // The kernel asked in-process (rtnetlink, through the addon); `ip route get` through the batching exec where it cannot be.
    routeLookup: (d, ctx) => routeLookup(d, ctx, liveExec, routeNetlink()),
    gateway,
    icmp,
    tcp,
    tls: async (q, ctx) =>
      (await lazy.tls()).run({ address: q.address, port: q.port, sni: q.sni, hostname: q.hostname, options: q.options, ...(q.handshakeMs !== undefined ? { handshakeMs: q.handshakeMs } : {}) }, ctx),
    tlsVersions: async (q, ctx) => (await lazy.tlsVersions()).run(q, ctx),
    http: async (q, ctx) => (await lazy.http()).run(q, ctx),
    proxyConnect: async (q, ctx) => (await lazy.proxy()).run(q, ctx),
    trace: async (q, ctx) => (await lazy.trace()).run({ address: q.address, proto: q.proto, port: q.port, count: q.count, intervalMs: 50, ...(q.flows ? { flows: q.flows } : {}) }, ctx),
    spread: (q, ctx) => spread(q, ctx),
    linkKind: (dev) => {
      const nl = routeNetlink();
      return nl ? deviceLink(nl, dev)?.kind : undefined;
    },
    pmtu: (q, ctx) => pmtu({ address: q.address, port: q.port, ...(q.quick ? { quick: true } : {}), ...(q.dev ? { dev: q.dev } : {}) }, ctx),
    idle: async (q, ctx) => (await lazy.idle()).run(q, ctx),
    backlog: async (q, ctx) => (await lazy.backlog()).run(q, ctx),
    heartbeat: async (q, ctx) => (await lazy.heartbeat()).run(q, ctx),
    responder: async (q, ctx) => (await lazy.responder()).run(q, ctx),
    explainRoute: (s, dst, opts) => {
      const e = analyze.explainRoute(s, dst, opts?.mark ? { mark: opts.mark } : {});
      return { candidates: e.candidates, rules: e.rules };
    },
    ...firewallEvaluator(),
    firewallCounters: () => firewallCounters(),
    tunnelProbes: lazyTunnelProbes,
    now: () => new Date(),
  };
}

/**
 * A cheap token of the state a snapshot reads (the kernel's route tables, resolv.conf, hosts,
 * nsswitch.conf): a SnapshotCache collects again when it changes. About a millisecond.
 */
export async function liveFingerprint(): Promise<string> {
  const text = (p: string) => readFile(p, 'utf8').catch(() => '');
  const mtime = (p: string) =>
    stat(p).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => '-',
    );
  const parts = await Promise.all([text('/proc/net/route'), text('/proc/net/ipv6_route'), mtime('/etc/resolv.conf'), mtime('/etc/hosts'), mtime('/etc/nsswitch.conf')]);
  return parts.join('\n');
}
