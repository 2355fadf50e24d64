/**
 * The diagnosis engine: plan → observe → judge → rank → Report.
 * Independent probes run in parallel; every probe gets an RTT-derived budget; a layer above a
 * hard failure is skipped, not probed into noise. All side effects come through `EngineDeps`,
 * so the engine itself is tested with fakes.
 */
import { performance } from 'node:perf_hooks';
import type { Layer } from '../model/layer.js';
import { echoLossy, observation, ofKind, type Observation, type ObservationData } from '../model/observation.js';
import type { Report } from '../model/report.js';
import { formatHostPort, type Target } from '../model/target.js';
import type { Snapshot } from '../system/types.js';
import type { DiagnoseOptions } from './options.js';
import { budgets } from './budget.js';
import { dnsConfigObservation, hostsObservation, linksObservation, proxyObservation } from './derive.js';
import { INERT_TUNNEL_PROBES, tunnelPhase, type TunnelPhaseResult, type TunnelProbes } from './tunnel.js';
import { judge } from './judge.js';
import { m } from '../report/i18n.js';
import type { Msg } from '../model/message.js';
import { droppingRule } from '../analyze/counters.js';
import { JITTER_THRESHOLD_MS, RTT_THRESHOLD_MS } from '../rules/net-008-high-latency.js';
import { probeContext, type ProbeContext } from '../probes/types.js';

type Obs = Observation[];

/** Everything the engine needs from the outside world. */
export interface EngineDeps {
  snapshot(): Promise<Snapshot>;
  /** The configured resolvers, read ahead of the snapshot so the DNS queries start at once (optional; null: unreadable). */
  nameservers?(): Promise<string[] | null>;
  systemLookup(name: string, ctx: ProbeContext): Promise<Obs>;
  dnsQuery(q: { server: string; name: string; qtype: 'A' | 'AAAA' }, ctx: ProbeContext): Promise<Obs>;
  /** The kernel's route (`ip route get`); with a mark, as packets carrying that firewall mark are routed. */
  routeLookup(dst: string | { destination: string; mark?: string }, ctx: ProbeContext): Promise<Obs>;
  gateway(q: { gateway: string; dev: string }, ctx: ProbeContext): Promise<Obs>;
  icmp(q: { address: string; count: number; mark?: number }, ctx: ProbeContext): Promise<Obs>;
  tcp(q: { address: string; port: number; afterMs: number }, ctx: ProbeContext): Promise<Obs>;
  tls(q: TlsQuery, ctx: ProbeContext): Promise<Obs>;
  tlsVersions(q: { address: string; port: number; sni: string | null; min: string; max: string }, ctx: ProbeContext): Promise<Obs>;
  http(q: { url: string; address: string; servername: string | null }, ctx: ProbeContext): Promise<Obs>;
  proxyConnect(q: { host: string; port: number }, ctx: ProbeContext): Promise<Obs>;
  /** Route analyzer over the snapshot: fills route.lookup candidates/rules (optional). */
  explainRoute?(s: Snapshot, dst: string, opts?: { mark?: number }): Pick<ObservationData['route.lookup'], 'candidates' | 'rules'> | null;
  /** Firewall evaluator over the snapshot (optional). */
  firewallVerdict?(s: Snapshot, flow: FirewallFlow): ObservationData['firewall.verdict'] | null;
  /** mtr-style path trace (issue 5): run when the target does not answer, to find where packets die. */
  trace?(q: { address: string; proto: 'icmp' | 'tcp'; port: number | null; count: number; flows?: number[] }, ctx: ProbeContext): Promise<Obs>;
  /** Flow spread (issue 5): SYNs from several source ports at once, beside the connect, to see per-flow balancing over a broken member. */
  spread?(q: { address: string; port: number }, ctx: ProbeContext): Promise<Obs>;
  /** Path-MTU search (issue 5): run when a TLS handshake stalls over an open TCP connection. */
  pmtu?(q: { address: string; port: number | null }, ctx: ProbeContext): Promise<Obs>;
  /** Transport and application tests the user asked for (issue 5): idle hold, backlog, heartbeat. */
  idle?(q: { address: string; port: number; maxSec: number }, ctx: ProbeContext): Promise<Obs>;
  backlog?(q: { address: string; port: number; parallel: number }, ctx: ProbeContext): Promise<Obs>;
  heartbeat?(q: { address: string; port: number; tls: boolean; servername: string | null; spec: NonNullable<DiagnoseOptions['heartbeat']> }, ctx: ProbeContext): Promise<Obs>;
  /** `iptables-save -c` / `ip6tables-save -c` now, to see which rule's counters the probes moved (optional). */
  firewallCounters?(): Promise<{ v4: string | null; v6: string | null }>;
  /** The tunnel layer's own probes (issue 7: OpenVPN reset, `wg show`, DF ping); inert when absent. */
  tunnelProbes?: TunnelProbes;
  now(): Date;
}

export interface TlsQuery {
  address: string;
  port: number;
  sni: string | null;
  hostname: string;
  options: DiagnoseOptions;
  /** Time for the handshake once connected (the probe's budget also covers its own connect). */
  handshakeMs?: number;
}

export interface FirewallFlow {
  chain: 'OUTPUT' | 'INPUT' | 'FORWARD';
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  src: string | null;
  dst: string;
  dport: number | null;
  oif?: string;
}

export type ProgressFn = (layer: Layer, phase: 'start' | 'done') => void;

interface Timer {
  start(layer: Layer): void;
  stop(layer: Layer): void;
  ms(layer: Layer): number;
}

function layerTimer(): Timer {
  const acc = new Map<Layer, number>();
  const open = new Map<Layer, number>();
  return {
    start: (l) => void open.set(l, performance.now()),
    stop: (l) => {
      const s = open.get(l);
      if (s !== undefined) acc.set(l, (acc.get(l) ?? 0) + performance.now() - s);
      open.delete(l);
    },
    ms: (l) => Math.round(acc.get(l) ?? 0),
  };
}

const HARD_ROUTE_FAIL = new Set(['no-route', 'blackhole', 'unreachable', 'prohibit']);

/** Runs a probe; a thrown error is a bug in the probe, recorded as an unknown check rather than killing the diagnosis. */
async function safe(layer: Layer, check: string, p: Promise<Obs>): Promise<Obs> {
  try {
    return await p;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return [observation('check.unknown', { layer, check, reason: `probe failed: ${error}`, reasonMsg: m('reason.probeFailed', { error }) })];
  }
}

export async function diagnose(target: Target, options: DiagnoseOptions, deps: EngineDeps, progress: ProgressFn = () => {}): Promise<Report> {
  const startedAt = deps.now();
  const t0 = performance.now();
  const overall = AbortSignal.timeout(Math.max(500, options.timeoutMs));
  const ctx = (budgetMs: number): ProbeContext => probeContext(budgetMs, overall);
  const timer = layerTimer();
  const obs: Obs = [];
  const skips = new Map<Layer, string | Msg>();
  const isName = target.ipFamily === null;

  // ── host + dns: snapshot and name resolution in parallel ──────────────
  progress('host', 'start');
  timer.start('host');
  const snapshotP = deps.snapshot();
  let b = budgets(null, options.timeoutMs);
  const systemP = isName ? safe('dns', 'system resolver', deps.systemLookup(target.host, ctx(b.dnsQuery * 2 + 500))) : Promise.resolve([] as Obs);
  const askResolvers = (servers: string[]): Array<Promise<Obs>> =>
    servers.flatMap((server) => (['A', 'AAAA'] as const).map((qtype) => safe('dns', `query ${server}`, deps.dnsQuery({ server, name: target.host, qtype }, ctx(b.dnsQuery)))));
  // The resolvers' own answers need only resolv.conf: they start while the rest of the snapshot is collected.
  const earlyDns =
    isName && deps.nameservers
      ? deps.nameservers().then(
          (servers) => (servers && servers.length > 0 ? { servers, queries: askResolvers(servers) } : null),
          () => null,
        )
      : Promise.resolve(null);
  const snapshot = await snapshotP;
  timer.stop('host');
  progress('host', 'done');
  for (const o of [linksObservation(snapshot), dnsConfigObservation(snapshot), hostsObservation(snapshot, target), proxyObservation(snapshot.proxyEnv, target)]) {
    if (o) obs.push(o);
  }

  let addresses: string[] = [];
  if (isName) {
    progress('dns', 'start');
    timer.start('dns');
    const servers = snapshot.resolv.ok && snapshot.resolv.value.nameservers.length > 0 ? snapshot.resolv.value.nameservers : ['127.0.0.1'];
    const early = await earlyDns;
    // The early queries count only if they went to exactly the snapshot's resolvers.
    const queries = early && early.servers.join(' ') === servers.join(' ') ? early.queries : askResolvers(servers);
    const results = await Promise.all([systemP, ...queries]);
    for (const r of results) obs.push(...r);
    timer.stop('dns');
    progress('dns', 'done');
    const sys = ofKind(obs, 'dns.system')[0];
    addresses = sys?.data.addresses.map((a) => a.address) ?? [];
    if (addresses.length === 0 && sys?.data.error === 'TIMEOUT') {
      // The system resolver is still waiting (e.g. on a dead first resolver, DNS-006) while a
      // resolver answered directly: the name does resolve, slowly — probe what it resolves to.
      const direct = ofKind(obs, 'dns.query').filter((q) => q.data.outcome === 'answer' && q.data.rcode === 'NOERROR');
      addresses = [...new Set([...direct.filter((q) => q.data.qtype === 'A'), ...direct.filter((q) => q.data.qtype === 'AAAA')].flatMap((q) => q.data.answers.map((a) => a.address)))];
    }
    // RTT hint from the fastest resolver answer (resolvers sit on the path's first hops).
    const answered = ofKind(obs, 'dns.query').filter((q) => q.data.outcome === 'answer');
    if (answered.length > 0) b = budgets(Math.min(...answered.map((q) => q.data.ms)), options.timeoutMs);
  } else {
    skips.set('dns', m('skip.ipLiteral'));
    addresses = [target.host];
  }

  // ── network: route first (cheap), then gateway, ICMP, firewall, TCP in parallel ──
  progress('network', 'start');
  timer.start('network');
  const v4 = addresses.find((a) => !a.includes(':'));
  const v6 = addresses.find((a) => a.includes(':'));
  const primaryAddr = addresses[0];
  const probeAddrs = [...new Set([primaryAddr, target.port !== null ? (primaryAddr === v6 ? v4 : v6) : undefined].filter((a): a is string => !!a))];
  // When resolution failed without any answer, look at the path to the resolvers instead.
  const dnsDead = isName && addresses.length === 0 && ofKind(obs, 'dns.query').every((q) => q.data.outcome !== 'answer');
  const resolverAddrs = dnsDead && snapshot.resolv.ok ? snapshot.resolv.value.nameservers : [];
  const routeTargets = [...new Set([...probeAddrs, ...resolverAddrs])];
  const routeObs = (await Promise.all(routeTargets.map((d) => safe('network', `route ${d}`, deps.routeLookup(d, ctx(1000)))))).flat();
  for (const o of routeObs) {
    if (o.kind === 'route.lookup' && deps.explainRoute) {
      const extra = deps.explainRoute(snapshot, o.data.destination);
      if (extra) Object.assign(o.data, extra);
    }
  }
  obs.push(...routeObs);
  const routeOf = (addr: string | undefined) => ofKind(obs, 'route.lookup').find((r) => r.data.destination === addr);
  const primaryRoute = routeOf(primaryAddr ?? resolverAddrs[0]);
  const hardFail = primaryRoute ? HARD_ROUTE_FAIL.has(primaryRoute.data.outcome) : false;

  const parallel: Array<Promise<Obs>> = [];
  let tcpP: Promise<Obs> | null = null;
  const gw = primaryRoute?.data.gateway;
  const dev = primaryRoute?.data.dev;
  if (primaryRoute && !hardFail && gw && dev) parallel.push(safe('network', 'gateway', deps.gateway({ gateway: gw, dev }, ctx(b.gateway))));
  // Dead resolvers with a usable route: is the resolver host reachable at all? (a router may say why not)
  for (const r of resolverAddrs) {
    if (!HARD_ROUTE_FAIL.has(routeOf(r)?.data.outcome ?? 'route')) parallel.push(safe('network', `icmp echo ${r}`, deps.icmp({ address: r, count: 2 }, ctx(b.icmp))));
  }
  if (primaryAddr && !hardFail) {
    parallel.push(safe('network', 'icmp echo', deps.icmp({ address: primaryAddr, count: options.pingCount }, ctx(b.icmp))));
    if (target.port !== null) {
      const port = target.port;
      progress('transport', 'start');
      timer.start('transport');
      tcpP = Promise.all(
        probeAddrs
          .filter((a) => !HARD_ROUTE_FAIL.has(routeOf(a)?.data.outcome ?? 'route'))
          .map((a) => safe('transport', `tcp ${a}`, deps.tcp({ address: a, port, afterMs: b.afterConnect }, ctx(b.tcpConnect + b.afterConnect)))),
      ).then((r) => {
        timer.stop('transport');
        progress('transport', 'done');
        return r.flat();
      });
      // The flow spread starts once the connect has its answer (or after 100 ms): its SYNs must not
      // spend the target's ICMP error budget before the connect's own SYN is answered. A port that
      // answers with ICMP errors (rejected, unreachable) tells nothing more per flow: no spread.
      if (deps.spread) {
        const spread = deps.spread;
        const addr = primaryAddr;
        const connected = tcpP.then((r) => ofKind(r, 'tcp.connect').find((t) => t.data.address === addr)?.data.outcome);
        const started = Promise.race([connected, new Promise<undefined>((res) => setTimeout(() => res(undefined), SPREAD_DELAY_MS).unref())]);
        parallel.push(
          started.then(async (outcome) => (outcome === 'rejected' || outcome === 'unreachable' ? [] : await safe('transport', 'flow spread', spread({ address: addr, port }, ctx(b.tcpConnect))))),
        );
      }
    }
  }
  if (deps.firewallVerdict && primaryAddr) {
    const fam6 = primaryAddr.includes(':');
    const flow: FirewallFlow = {
      chain: 'OUTPUT',
      proto: target.port !== null ? 'tcp' : fam6 ? 'icmpv6' : 'icmp',
      src: primaryRoute?.data.src ?? null,
      dst: primaryAddr,
      dport: target.port,
      ...(dev ? { oif: dev } : {}),
    };
    try {
      const v = deps.firewallVerdict(snapshot, flow);
      if (v) obs.push(observation('firewall.verdict', v));
    } catch (err) {
      obs.push(observation('check.unknown', { layer: 'network', check: 'firewall evaluation', reason: err instanceof Error ? err.message : String(err) }));
    }
  }
  const proxy = ofKind(obs, 'host.proxy')[0]?.data.selected;
  if (proxy) parallel.push(safe('host', 'proxy', deps.proxyConnect({ host: proxy.host, port: proxy.port }, ctx(b.tcpConnect))));
  const netResults = await Promise.all(parallel);
  for (const r of netResults) obs.push(...r);
  timer.stop('network');
  progress('network', 'done');
  const tcpObs = tcpP ? await tcpP : [];
  await confirmTimeouts(tcpObs, target.port, deps, () => ctx(b.tcpConnect + b.afterConnect), b.afterConnect);
  obs.push(...tcpObs);
  if (primaryAddr && !hardFail) await blameLocalFirewall(primaryAddr, target.port, snapshot, obs, deps);
  // The target does not answer (or loses packets) and no local rule explains it: trace the path.
  let traced = false;
  // Loss is measured with more rounds: at 30% loss each way, 5 of 5 answered still happens 1 time in 35.
  const tracePath = async (why: 'dead' | 'loss' | 'slow' | 'flows', to: { address: string; port: number | null } | null = primaryAddr ? { address: primaryAddr, port: target.port } : null): Promise<void> => {
    if (!to || hardFail || !deps.trace || traced) return;
    traced = true;
    timer.start('network');
    const count = why === 'loss' ? 10 : 5;
    // Some source ports answered and others not: trace two of each, so every branch shows as its own path.
    const sp = why === 'flows' ? ofKind(obs, 'tcp.spread').find((x) => x.data.address === to.address)?.data : undefined;
    const flows = sp ? [...sp.flows.filter((f) => f.outcome === 'answered').slice(0, 2), ...sp.flows.filter((f) => f.outcome === 'lost').slice(0, 2)].map((f) => f.sport) : [];
    obs.push(...(await safe('network', 'trace', deps.trace({ address: to.address, proto: to.port !== null ? 'tcp' : 'icmp', port: to.port, count, ...(flows.length > 0 ? { flows } : {}) }, ctx(Math.max(count * 300, b.icmp * 2))))));
    timer.stop('network');
  };
  const suspect = primaryAddr && !hardFail ? pathSuspect(primaryAddr, obs) : null;
  const spread = ofKind(obs, 'tcp.spread').find((x) => x.data.address === primaryAddr)?.data;
  const spreadPartial = !!spread && spread.method === 'raw' && spread.answered > 0 && spread.lost > 0;
  if (spreadPartial && !localBlock(obs)) await tracePath('flows');
  else if (suspect) await tracePath(suspect);
  // Resolvers that stay silent to DNS but answer some echoes: the path to them loses packets.
  const lossyResolver = resolverAddrs.find((r) => echoLossy(obs, r));
  if (lossyResolver) await tracePath('loss', { address: lossyResolver, port: null });

  // Tunnel layer (issue 7): the route leaves through a tunnel, the target lies in a tunnel's networks, or --tunnel names one.
  progress('tunnel', 'start');
  timer.start('tunnel');
  const tunnel = await tunnelPhase({ target, snapshot, observations: obs, addresses, options, ctx }, { ...deps, ...(deps.tunnelProbes ?? INERT_TUNNEL_PROBES) }).catch(
    (err: unknown): TunnelPhaseResult => {
      const error = err instanceof Error ? err.message : String(err);
      return { observations: [observation('check.unknown', { layer: 'tunnel', check: 'tunnel layer', reason: `probe failed: ${error}`, reasonMsg: m('reason.probeFailed', { error }) })], skip: null };
    },
  );
  obs.push(...tunnel.observations);
  if (tunnel.skip) skips.set('tunnel', tunnel.skip);
  timer.stop('tunnel');
  progress('tunnel', 'done');

  // ── tls and app, only above an open TCP connection ────────────────────
  const tcpPrimary = ofKind(tcpObs, 'tcp.connect').find((t) => t.data.address === primaryAddr) ?? ofKind(tcpObs, 'tcp.connect')[0];
  const open = tcpPrimary?.data.outcome === 'open' ? tcpPrimary : ofKind(tcpObs, 'tcp.connect').find((t) => t.data.outcome === 'open');
  if (open) b = budgets(open.data.ms, options.timeoutMs);
  const wantsTls = target.protocol === 'tls' || target.protocol === 'https';
  const sni = options.sni ?? (isName ? target.host : null);
  if (wantsTls && open) {
    progress('tls', 'start');
    timer.start('tls');
    // The probe makes its own connection: the budget covers that connect too (a lost SYN costs 1 s),
    // while the handshake itself keeps the RTT-derived time.
    const handshakeMs = b.tls - Math.min(500, b.tls * 0.25);
    const tlsObs = await safe('tls', 'tls handshake', deps.tls({ address: open.data.address, port: open.data.port, sni, hostname: options.sni ?? target.host, options, handshakeMs }, ctx(b.tls + b.tcpConnect)));
    obs.push(...tlsObs);
    const hs = ofKind(tlsObs, 'tls.handshake')[0];
    if (hs && isVersionFailure(hs.data)) {
      obs.push(...(await safe('tls', 'tls versions', deps.tlsVersions({ address: open.data.address, port: open.data.port, sni, min: hs.data.minVersion, max: hs.data.maxVersion }, ctx(Math.min(b.tls, 2500))))));
    }
    // A handshake that stalls over an open connection: look below, PMTU blackhole first (NET-009).
    if (hs?.data.outcome === 'stall' && deps.pmtu) {
      const pm = await safe('network', 'pmtu', deps.pmtu({ address: open.data.address, port: open.data.port }, ctx(2500)));
      obs.push(...pm);
      // No size limit found, but the large payload needed retransmissions: packets of any size get lost.
      const p = ofKind(pm, 'pmtu.search')[0]?.data;
      if (p?.tcp && p.tcp.retransmits > 0 && !(p.largestPass !== null && p.smallestFail !== null)) await tracePath('loss');
    }
    // A handshake far slower than the connect RTT was retransmitting (or stalled): look at the path.
    if (hs && handshakeSuspect(hs.data, open.data.ms)) await tracePath('loss');
    timer.stop('tls');
    progress('tls', 'done');
    // A certificate that looks expired / not yet valid: ask the server for its idea of time.
    const datesSuspect = hs && (hs.data.verify.code === 'CERT_NOT_YET_VALID' || hs.data.verify.code === 'CERT_HAS_EXPIRED');
    if (datesSuspect && target.protocol === 'tls') {
      const url = `https://${formatHostPort(target.host, open.data.port)}/`;
      obs.push(...(await safe('host', 'server time', deps.http({ url, address: open.data.address, servername: sni }, ctx(Math.min(b.http, 2000))))));
    }
  } else if (wantsTls) {
    skips.set('tls', m(target.port === null ? 'skip.noPort' : 'skip.noTcpForTls'));
  } else {
    skips.set('tls', m('skip.notTls'));
  }

  // Tests the user asked for, in parallel over the open service: idle hold, backlog, heartbeat.
  if (open) {
    const extra: Array<Promise<Obs>> = [];
    const a = { address: open.data.address, port: open.data.port };
    if (options.idleMaxSec && deps.idle) extra.push(safe('transport', 'idle hold', deps.idle({ ...a, maxSec: options.idleMaxSec }, ctx(options.idleMaxSec * 1300 + 2000))));
    if (options.backlog && deps.backlog) extra.push(safe('transport', 'backlog', deps.backlog({ ...a, parallel: options.backlog }, ctx(8000))));
    if (options.heartbeat && deps.heartbeat) {
      const hb = options.heartbeat;
      extra.push(safe('app', 'heartbeat', deps.heartbeat({ ...a, tls: wantsTls, servername: sni, spec: hb }, ctx(hb.count * hb.everySec * 1000 + hb.replySec * 1000 + 1000))));
    }
    if (extra.length > 0) {
      progress('app', 'start');
      timer.start('app');
      for (const r of await Promise.all(extra)) obs.push(...r);
      timer.stop('app');
      progress('app', 'done');
    }
  }

  const tlsOk = ofKind(obs, 'tls.handshake').some((h) => h.data.outcome === 'ok' || h.data.outcome === 'verify-failed');
  if ((target.protocol === 'http' && open) || (target.protocol === 'https' && open && tlsOk)) {
    progress('app', 'start');
    timer.start('app');
    const url = `${target.protocol}://${formatHostPort(target.host, open.data.port)}${target.path ?? '/'}`;
    const httpObs = await safe('app', 'http', deps.http({ url, address: open.data.address, servername: sni }, ctx(b.http)));
    obs.push(...httpObs);
    timer.stop('app');
    progress('app', 'done');
    // A response that never comes, or a body that stops, over an open connection: a bulk transfer
    // stalls, which is how a PMTU blackhole shows when the first packets are small (NET-009).
    const hr = ofKind(httpObs, 'http.response')[0]?.data;
    if (hr && (hr.outcome === 'timeout' || hr.body?.stalled) && deps.pmtu && ofKind(obs, 'pmtu.search').length === 0) {
      obs.push(...(await safe('network', 'pmtu', deps.pmtu({ address: open.data.address, port: open.data.port }, ctx(2500)))));
    }
  } else if (target.protocol === 'http' || target.protocol === 'https') {
    skips.set('app', m('skip.noConnection'));
  } else if (!options.heartbeat) {
    skips.set('app', m('skip.noAppCheck'));
  }

  // Server time sources → host.clock
  const clockSources = ofKind(obs, 'http.response')
    .filter((h) => h.data.date)
    .map((h) => {
      const serverTime = new Date(h.data.date!);
      // The Date header is stamped mid-request; compare with the local time at that moment.
      const local = new Date(Date.parse(h.at) - h.data.ms / 2);
      return { source: 'http-date' as const, peer: h.data.url, time: serverTime.toISOString(), skewMs: local.getTime() - serverTime.getTime() };
    })
    .filter((s) => Number.isFinite(s.skewMs));
  if (clockSources.length > 0) obs.push(observation('host.clock', { local: deps.now().toISOString(), sources: clockSources }));

  if (target.port === null) {
    skips.set('transport', m('skip.noPort'));
  } else if (!primaryAddr) {
    skips.set('transport', m('skip.noAddress'));
  } else if (hardFail) {
    skips.set('transport', m('skip.networkFailed'));
  }
  if (!primaryAddr && !dnsDead && isName) skips.set('network', m('skip.noProbeAddress'));

  return judge({ target, options, observations: obs, snapshot, startedAt, durationMs: performance.now() - t0, layerMs: (l) => timer.ms(l), skips, addresses, now: deps.now() });
}

/** A local firewall verdict (the evaluator's, or a rule whose counter grew) already explains a failure. */
const localBlock = (obs: Obs): boolean => ofKind(obs, 'firewall.verdict').some((v) => v.data.verdict === 'DROP' || v.data.verdict === 'REJECT');

/**
 * Whether the path deserves a trace and why: no answer at all ('dead'), signs of loss ('loss':
 * lost echoes, a retransmitted SYN) or high RTT ('slow'); null when not, or when a local firewall
 * verdict already explains the failure.
 */
export function pathSuspect(addr: string, obs: Obs): 'dead' | 'loss' | 'slow' | null {
  if (localBlock(obs)) return null;
  const tcp = ofKind(obs, 'tcp.connect').filter((t) => t.data.address === addr);
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr);
  const tcpAnswered = tcp.some((t) => t.data.outcome === 'open' || t.data.outcome === 'refused' || t.data.outcome === 'rejected');
  const echoDead = !!echo && echo.data.method !== 'unavailable' && echo.data.sent > 0 && echo.data.received === 0 && echo.data.errors.length === 0;
  // High RTT or jitter: the trace shows at which hop it rises (NET-008).
  if (echo?.data.rtt && (echo.data.rtt.avg > RTT_THRESHOLD_MS || echo.data.rtt.stddev > JITTER_THRESHOLD_MS)) return 'slow';
  // Some echoes lost: whether the connect got through or not, the trace says where loss starts (NET-007).
  if (echoLossy(obs, addr)) return 'loss';
  if (tcp.length > 0) {
    if (!tcpAnswered) return echoDead || !echo || echo.data.method === 'unavailable' ? 'dead' : null;
    // A connect that needed a SYN retransmission (the first RTO is 1 s) on a path whose echoes are fast.
    const rtt = echo?.data.rtt?.avg ?? 0;
    return tcp.some((t) => t.data.outcome === 'open' && t.data.ms >= SYN_RETRY_MS && t.data.ms > rtt * 4) ? 'loss' : null;
  }
  return echoDead ? 'dead' : null;
}

/**
 * A connect that timed out on one address while another address of the same name connected may
 * be two lost SYNs, not a filter: try that address once more (in parallel) and keep the second
 * result, marked with attempts: 2.
 */
async function confirmTimeouts(tcpObs: Obs, port: number | null, deps: EngineDeps, budget: () => ProbeContext, afterMs: number): Promise<void> {
  const conns = ofKind(tcpObs, 'tcp.connect');
  if (port === null || !conns.some((c) => c.data.outcome === 'open')) return;
  const again = conns.filter((c) => c.data.outcome === 'filtered');
  await Promise.all(
    again.map(async (c) => {
      const second = ofKind(await safe('transport', `tcp ${c.data.address} (again)`, deps.tcp({ address: c.data.address, port, afterMs }, budget())), 'tcp.connect')[0];
      if (!second) return;
      const i = tcpObs.indexOf(c);
      tcpObs[i] = { ...second, data: { ...second.data, attempts: 2 } };
    }),
  );
}

/** When the flow spread starts at the latest if the connect has no answer yet. */
const SPREAD_DELAY_MS = 100;

/** A connect that took this long had its SYN (or SYN-ACK) retransmitted: the kernel's first RTO is 1 s. */
const SYN_RETRY_MS = 900;

/**
 * Whether a TLS handshake took so much longer than the connect that segments must have been
 * retransmitted: a few RTTs of handshake plus the server's signing, against at least one RTO.
 * (A stall is the PMTU search's case; the lab's silent server would only pay for a useless trace.)
 */
export function handshakeSuspect(hs: ObservationData['tls.handshake'], connectMs: number): boolean {
  return hs.outcome !== 'stall' && hs.ms >= 600 && hs.ms > connectMs * 10;
}

/**
 * When the probes failed, ask netfilter which local rule dropped them: the DROP/REJECT rule whose
 * counter grew during the probes (before = the snapshot's `iptables-save -c`).
 */
async function blameLocalFirewall(addr: string, port: number | null, snapshot: Snapshot, obs: Obs, deps: EngineDeps): Promise<void> {
  if (!deps.firewallCounters || localBlock(obs)) return;
  const tcp = ofKind(obs, 'tcp.connect').filter((t) => t.data.address === addr);
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr);
  const tcpFailed = tcp.some((t) => ['filtered', 'rejected', 'error', 'unreachable'].includes(t.data.outcome));
  const tcpOpen = tcp.some((t) => t.data.outcome === 'open');
  const echoFailed = !!echo && echo.data.method !== 'unavailable' && echo.data.sent > 0 && echo.data.received === 0;
  if (!tcpFailed && !(echoFailed && !tcpOpen)) return;
  const six = addr.includes(':');
  const before = six ? snapshot.firewall.ip6tables : snapshot.firewall.iptables;
  if (!before.ok) return;
  const after = await deps.firewallCounters();
  const text = six ? after.v6 : after.v4;
  if (!text) return;
  const flow = tcpFailed && port !== null ? { proto: 'tcp' as const, dst: addr, dport: port } : { proto: six ? ('icmpv6' as const) : ('icmp' as const), dst: addr, dport: null };
  const v = droppingRule(before.value, text, flow, six ? 'ip6tables' : 'iptables');
  if (v) obs.push(observation('firewall.verdict', v));
}

function isVersionFailure(d: ObservationData['tls.handshake']): boolean {
  const s = `${d.alert ?? ''} ${d.errorCode ?? ''}`.toLowerCase();
  if (/protocol_version|unsupported_protocol|no_protocols_available|version_too_low|wrong_ssl_version|tlsv1_alert_protocol|no_shared_cipher|no_cipher|legacy_sigalg/.test(s)) return true;
  // A handshake_failure before any certificate, or a reset/close right after the ClientHello,
  // is how many servers answer a version or cipher they do not speak: scan the versions.
  if (/handshake_failure/.test(s) && d.chain.length === 0) return true;
  return d.outcome === 'reset' || d.outcome === 'closed';
}
