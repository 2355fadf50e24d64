/**
 * The phases of one diagnosis, each a function with plain data in and out:
 *
 *   plan(target, options) → Plan
 *   observeHostAndDns     → snapshot, name → addresses, first RTT budgets
 *   planNetwork           → which addresses to probe, and the resolvers when DNS is dead
 *   observeNetwork        → route, gateway, echo, firewall verdict, TCP connect (in parallel)
 *   observePath           → trace when the cheap probes ask for it
 *   observeTunnel         → the tunnel layer
 *   observeTls / observeExtras / observeApp → above an open connection only
 *   finish                → server clock, skipped layers, judge + rank → Report
 *
 * `diagnose()` in engine.ts chains them; a caller that wants a different walk (a cheap check
 * first, many targets over one snapshot) chains them itself. Every phase returns its
 * observations in the order the rules expect them; nothing patches an earlier result in place.
 */
import { performance } from 'node:perf_hooks';
import { reasonOf, type RowReason } from './reason.js';
import type { Layer } from '../model/layer.js';
import { echoLossy, observation, ofKind, type Observation } from '../model/observation.js';
import type { Report } from '../model/report.js';
import { formatHostPort, type Target } from '../model/target.js';
import type { Snapshot } from '../model/snapshot.js';
import type { DiagnoseOptions } from '../model/options.js';
import { budgets, type Budgets } from './budget.js';
import { dnsConfigObservation, hostsObservation, linksObservation, proxyObservation } from './derive.js';
import { INERT_TUNNEL_PROBES, tunnelPhase, type TunnelPhaseResult } from './tunnel.js';
import { judge } from './judge.js';
import { droppingRule } from '../analyze/counters.js';
import { TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';
import { debug, probeContext, type ProbeContext } from '../probes/types.js';
import type { EngineDeps, FirewallFlow, ProgressFn } from './deps.js';
import { HARD_ROUTE_FAIL, handshakeSuspect, isVersionFailure, localBlock, pathSuspect } from './suspect.js';

type Obs = Observation[];

// ── plan ────────────────────────────────────────────────────────────────

/** What the walk knows before any packet: from the target and the options alone. */
export interface Plan {
  target: Target;
  options: DiagnoseOptions;
  /** A name the dns layer resolves (false: an IP literal). */
  isName: boolean;
  /** TLS (and HTTPS) is walked above the TCP connection. */
  wantsTls: boolean;
  /** The SNI sent: --sni, or the name; null for an IP literal. */
  sni: string | null;
}

export function plan(target: Target, options: DiagnoseOptions): Plan {
  const isName = target.ipFamily === null;
  return { target, options, isName, wantsTls: target.protocol === 'tls' || target.protocol === 'https', sni: options.sni ?? (isName ? target.host : null) };
}

// ── the run-time of one walk ───────────────────────────────────────────

export interface Timer {
  start(layer: Layer): void;
  stop(layer: Layer): void;
  ms(layer: Layer): number;
}

export function layerTimer(): Timer {
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

/** One walk's deadline, clock, layer timers and progress: what every phase shares. */
export interface Walk {
  plan: Plan;
  deps: EngineDeps;
  progress: ProgressFn;
  timer: Timer;
  startedAt: Date;
  t0: number;
  /** A probe context with this budget, under the walk's overall deadline. */
  ctx(budgetMs: number): ProbeContext;
}

export function startWalk(p: Plan, deps: EngineDeps, progress: ProgressFn = () => {}): Walk {
  const overall = AbortSignal.timeout(Math.max(500, p.options.timeoutMs));
  debug(`walk: ${p.target.host}${p.target.port !== null ? ` port ${p.target.port}` : ''}`);
  return { plan: p, deps, progress, timer: layerTimer(), startedAt: deps.now(), t0: performance.now(), ctx: (budgetMs) => probeContext(budgetMs, overall) };
}

/** Runs a probe; a thrown error is a bug in the probe, recorded as an unknown check rather than killing the diagnosis. */
export async function safe(layer: Layer, check: string, p: Promise<Obs>): Promise<Obs> {
  const t0 = performance.now();
  try {
    const r = await p;
    debug(`${layer}: ${check}: ${r.map((o) => o.kind).join(', ') || 'nothing'} in ${Math.round(performance.now() - t0)} ms`);
    return r;
  } catch (err) {
    debug(`${layer}: ${check}: probe failed after ${Math.round(performance.now() - t0)} ms: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return [observation('check.unknown', { layer, check, reason: `probe failed: ${err instanceof Error ? err.message : String(err)}` })];
  }
}

/** Times a layer and reports its progress around `fn`. */
async function inLayer<T>(w: Walk, layer: Layer, fn: () => Promise<T>): Promise<T> {
  w.progress(layer, 'start');
  w.timer.start(layer);
  const r = await fn();
  w.timer.stop(layer);
  w.progress(layer, 'done');
  debug(`${layer}: done, ${w.timer.ms(layer)} ms`);
  return r;
}

// ── host + dns ──────────────────────────────────────────────────────────

export interface HostDnsResult {
  snapshot: Snapshot;
  observations: Obs;
  /** What the name resolved to (the literal itself for an IP), in probe order. */
  addresses: string[];
  /** Budgets after the fastest resolver answer. */
  budgets: Budgets;
  /** Why the dns layer was not walked (an IP literal), or null. */
  dnsSkip: RowReason | null;
}

/** The snapshot and name resolution, in parallel: the resolvers are asked as soon as resolv.conf is read. */
export async function observeHostAndDns(w: Walk): Promise<HostDnsResult> {
  const { target, options, isName } = w.plan;
  const { deps, ctx } = w;
  w.progress('host', 'start');
  w.timer.start('host');
  const snapshotP = deps.snapshot();
  const b = budgets(null, options.timeoutMs);
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
  w.timer.stop('host');
  debug(`host: snapshot in ${w.timer.ms('host')} ms`);
  w.progress('host', 'done');
  const obs: Obs = [];
  for (const o of [linksObservation(snapshot), dnsConfigObservation(snapshot), hostsObservation(snapshot, target), proxyObservation(snapshot.proxyEnv, target)]) {
    if (o) obs.push(o);
  }
  if (!isName) return { snapshot, observations: obs, addresses: [target.host], budgets: b, dnsSkip: reasonOf(options.lang, 'skip.ipLiteral') };

  return inLayer(w, 'dns', async () => {
    const servers = snapshot.resolv.ok && snapshot.resolv.value.nameservers.length > 0 ? snapshot.resolv.value.nameservers : ['127.0.0.1'];
    const early = await earlyDns;
    // The early queries count only if they went to exactly the snapshot's resolvers.
    const queries = early && early.servers.join(' ') === servers.join(' ') ? early.queries : askResolvers(servers);
    for (const r of await Promise.all([systemP, ...queries])) obs.push(...r);
    // A name that resolved to nothing is never a pass: a rule names why (DNS-00N), or the layer stays unknown.
    if (resolvedAddresses(obs).length === 0) {
      const sys = ofKind(obs, 'dns.system')[0];
      obs.push(observation('check.unknown', { layer: 'dns', check: 'name resolution', reason: `${target.host} resolved to no address (${sys?.data.error ?? 'no answer'})` }));
    }
    const answered = ofKind(obs, 'dns.query').filter((q) => q.data.outcome === 'answer');
    // RTT hint from the fastest resolver answer (resolvers sit on the path's first hops).
    const nb = answered.length > 0 ? budgets(Math.min(...answered.map((q) => q.data.ms)), options.timeoutMs) : b;
    return { snapshot, observations: obs, addresses: resolvedAddresses(obs), budgets: nb, dnsSkip: null };
  });
}

/** The system resolver's addresses; when it timed out, what the resolvers answered directly (A first). */
export function resolvedAddresses(obs: Obs): string[] {
  const sys = ofKind(obs, 'dns.system')[0];
  const addresses = sys?.data.addresses.map((a) => a.address) ?? [];
  if (addresses.length > 0 || sys?.data.error !== 'TIMEOUT') return addresses;
  // The system resolver is still waiting (e.g. on a dead first resolver, DNS-006) while a
  // resolver answered directly: the name does resolve, slowly — probe what it resolves to.
  const direct = ofKind(obs, 'dns.query').filter((q) => q.data.outcome === 'answer' && q.data.rcode === 'NOERROR');
  return [...new Set([...direct.filter((q) => q.data.qtype === 'A'), ...direct.filter((q) => q.data.qtype === 'AAAA')].flatMap((q) => q.data.answers.map((a) => a.address)))];
}

// ── network ─────────────────────────────────────────────────────────────

/** Which addresses the network and transport layers probe. */
export interface NetworkPlan {
  /** The address the walk is about (the first resolved); undefined when nothing resolved. */
  primaryAddr: string | undefined;
  /** The primary address and, with a port, one of the other family (both families are connected). */
  probeAddrs: string[];
  /** Resolution failed without any answer: the path to the resolvers is looked at instead. */
  dnsDead: boolean;
  resolverAddrs: string[];
  routeTargets: string[];
}

export function planNetwork(p: Plan, snapshot: Snapshot | null, addresses: string[], obs: Obs): NetworkPlan {
  const v4 = addresses.find((a) => !a.includes(':'));
  const v6 = addresses.find((a) => a.includes(':'));
  const primaryAddr = addresses[0];
  const probeAddrs = [...new Set([primaryAddr, p.target.port !== null ? (primaryAddr === v6 ? v4 : v6) : undefined].filter((a): a is string => !!a))];
  const dnsDead = p.isName && addresses.length === 0 && ofKind(obs, 'dns.query').every((q) => q.data.outcome !== 'answer');
  const resolverAddrs = dnsDead && snapshot?.resolv.ok ? snapshot.resolv.value.nameservers : [];
  return { primaryAddr, probeAddrs, dnsDead, resolverAddrs, routeTargets: [...new Set([...probeAddrs, ...resolverAddrs])] };
}

export interface NetworkResult {
  /** Routes, the firewall verdict, gateway, echoes, flow spread and proxy, in that order. */
  observations: Obs;
  /** The TCP connects (a timeout beside an open family already tried again). */
  tcp: Obs;
  primaryRoute: Observation<'route.lookup'> | undefined;
  /** The primary route is missing or refuses: nothing above is probed. */
  hardFail: boolean;
}

/** Does `dev` carry an overlay? The kernel's answer at once where it gives one, else the snapshot's links when they come. */
function tunnelDev(deps: EngineDeps, snapshot: Snapshot | Promise<Snapshot>, dev: string): Promise<boolean> {
  const kind = deps.linkKind?.(dev);
  if (kind !== undefined) return Promise.resolve(kind !== null && TUNNEL_LINK_KINDS.has(kind));
  return Promise.resolve(snapshot).then((s) => s.links.ok && s.links.value.some((l) => l.name === dev && l.kind !== null && TUNNEL_LINK_KINDS.has(l.kind)));
}

/**
 * Route first (cheap), then gateway, ICMP, firewall verdict and TCP in parallel. The snapshot and
 * the host layer's observations may still be on their way (a promise): the probes need only the
 * kernel's route, so they send at once; what reads the snapshot (the route analyzer, the firewall
 * verdict, whether the path-MTU check suits the device, the proxy) waits for it.
 */
export async function observeNetwork(w: Walk, np: NetworkPlan, snapshotIn: Snapshot | Promise<Snapshot>, priorIn: Obs | Promise<Obs>, b: Budgets, routesIn?: Promise<Obs>): Promise<NetworkResult> {
  const { target, options } = w.plan;
  const { deps, ctx } = w;
  const { primaryAddr, probeAddrs, resolverAddrs } = np;
  w.progress('network', 'start');
  w.timer.start('network');
  const routeRaw = await (routesIn ?? lookupRoutes(w, np));
  const routeOf = (addr: string | undefined) => ofKind(routeRaw, 'route.lookup').find((r) => r.data.destination === addr);
  const primaryRoute = routeOf(primaryAddr ?? resolverAddrs[0]);
  const hardFail = primaryRoute ? HARD_ROUTE_FAIL.has(primaryRoute.data.outcome) : false;

  const parallel: Array<Promise<Obs>> = [];
  let tcpP: Promise<Obs> | null = null;
  const gw = primaryRoute?.data.gateway;
  const dev = primaryRoute?.data.dev;
  if (primaryRoute && !hardFail && gw && dev) parallel.push(safe('network', 'gateway', deps.gateway({ gateway: gw, dev }, ctx(b.gateway))));
  // The other family's next hop too: a dead IPv4 gateway behind a working IPv6 one is NET-002, not a filtered port.
  for (const a of probeAddrs) {
    const r = routeOf(a)?.data;
    if (!r || HARD_ROUTE_FAIL.has(r.outcome) || !r.gateway || !r.dev || (r.gateway === gw && r.dev === dev)) continue;
    parallel.push(safe('network', `gateway ${r.gateway}`, deps.gateway({ gateway: r.gateway, dev: r.dev }, ctx(b.gateway))));
  }
  // Dead resolvers with a usable route: is the resolver host reachable at all? (a router may say why not)
  for (const r of resolverAddrs) {
    if (!HARD_ROUTE_FAIL.has(routeOf(r)?.data.outcome ?? 'route')) parallel.push(safe('network', `icmp echo ${r}`, deps.icmp({ address: r, count: 2 }, ctx(b.icmp))));
  }
  if (primaryAddr && !hardFail) {
    parallel.push(safe('network', 'icmp echo', deps.icmp({ address: primaryAddr, count: options.pingCount }, ctx(b.icmp))));
    // The quick path-MTU check, in parallel: one full-size DF echo (two copies) on a clean path or
    // one that answers frag-needed, the search only when that is lost (~0.7 s against a blackhole).
    // Not over loopback, not into a tunnel (the tunnel layer measures its own MTU).
    const pmtu = deps.pmtu;
    if (pmtu && dev !== 'lo') {
      const quick = (): Promise<Obs> => safe('network', 'pmtu', pmtu({ address: primaryAddr, port: null, quick: true, ...(dev ? { dev } : {}) }, ctx(b.icmp + 1000)));
      parallel.push(dev ? tunnelDev(deps, snapshotIn, dev).then((tunnel) => (tunnel ? [] : quick())) : quick());
    }
    if (target.port !== null) {
      const port = target.port;
      w.progress('transport', 'start');
      w.timer.start('transport');
      let answered: (outcome: string | undefined) => void = () => {};
      const answer = new Promise<string | undefined>((res) => (answered = res));
      tcpP = Promise.all(
        probeAddrs
          .filter((a) => !HARD_ROUTE_FAIL.has(routeOf(a)?.data.outcome ?? 'route'))
          .map((a) => safe('transport', `tcp ${a}`, deps.tcp({ address: a, port, afterMs: b.afterConnect, ...(a === primaryAddr ? { onAnswer: answered } : {}) }, ctx(b.tcpConnect + b.afterConnect)))),
      ).then((r) => {
        w.timer.stop('transport');
        w.progress('transport', 'done');
        return r.flat();
      });
      // A probe that never says (a test double, a probe that threw): the connect's observation when it comes.
      void tcpP.then((r) => answered(ofKind(r, 'tcp.connect').find((c) => c.data.address === primaryAddr)?.data.outcome));
      const sp = spreadAfterConnect(w, answer, primaryAddr, port, b);
      if (sp) parallel.push(sp);
    }
  }
  // A responder next to the server is asked beside the network probes.
  if (options.responder && deps.responder && !hardFail) parallel.push(safe('network', 'responder', deps.responder(options.responder, ctx(4000))));
  const snapshot = await snapshotIn;
  const obs: Obs = routeRaw.map((o) => withRouteExplained(o, snapshot, deps));
  if (deps.firewallVerdict && primaryAddr) obs.push(...evaluateFirewall(deps, snapshot, { primaryAddr, port: target.port, src: primaryRoute?.data.src ?? null, dev }));
  const proxy = ofKind(await priorIn, 'host.proxy')[0]?.data.selected;
  if (proxy) parallel.push(safe('host', 'proxy', deps.proxyConnect({ host: proxy.host, port: proxy.port }, ctx(b.tcpConnect))));
  for (const r of await Promise.all(parallel)) obs.push(...r);
  w.timer.stop('network');
  w.progress('network', 'done');
  const tcp = tcpP ? await confirmTimeouts(await tcpP, target.port, deps, () => ctx(b.tcpConnect + b.afterConnect), b.afterConnect) : [];
  return { observations: obs, tcp, primaryRoute: primaryRoute && ofKind(obs, 'route.lookup').find((r) => r.data.destination === primaryRoute.data.destination), hardFail };
}

/** The kernel's routes to the plan's route targets (started early by a caller that knows them before the snapshot). */
export const lookupRoutes = async (w: Walk, np: NetworkPlan): Promise<Obs> => (await Promise.all(np.routeTargets.map((d) => safe('network', `route ${d}`, w.deps.routeLookup(d, w.ctx(1000)))))).flat();

/** A route lookup with the analyzer's candidates and rules (a new observation; the probe's own is not touched). */
function withRouteExplained(o: Observation, snapshot: Snapshot, deps: EngineDeps): Observation {
  if (o.kind !== 'route.lookup' || !deps.explainRoute) return o;
  const extra = deps.explainRoute(snapshot, o.data.destination);
  return extra ? ({ ...o, data: { ...o.data, ...extra } } as Observation) : o;
}

/** When the flow spread starts at the latest if the connect has no answer yet. */
const SPREAD_DELAY_MS = 100;

/**
 * The flow spread starts once the connect has its answer (or after 100 ms), while the connection is
 * still watched: its SYNs must not spend the target's ICMP error budget before the connect's own
 * SYN is answered. A port that answers with ICMP errors (rejected, unreachable) tells nothing more
 * per flow: no spread.
 */
function spreadAfterConnect(w: Walk, connected: Promise<string | undefined>, addr: string, port: number, b: Budgets): Promise<Obs> | null {
  const spread = w.deps.spread;
  if (!spread) return null;
  const started = Promise.race([connected, new Promise<undefined>((res) => setTimeout(() => res(undefined), SPREAD_DELAY_MS).unref())]);
  return started.then(async (outcome) => (outcome === 'rejected' || outcome === 'unreachable' ? [] : await safe('transport', 'flow spread', spread({ address: addr, port }, w.ctx(b.tcpConnect)))));
}

/** The local firewall's verdict for the flow the probes send (OUTPUT chain). */
function evaluateFirewall(deps: EngineDeps, snapshot: Snapshot, q: { primaryAddr: string; port: number | null; src: string | null; dev: string | null | undefined }): Obs {
  const fam6 = q.primaryAddr.includes(':');
  const flow: FirewallFlow = { chain: 'OUTPUT', proto: q.port !== null ? 'tcp' : fam6 ? 'icmpv6' : 'icmp', src: q.src, dst: q.primaryAddr, dport: q.port, ...(q.dev ? { oif: q.dev } : {}) };
  try {
    const v = deps.firewallVerdict?.(snapshot, flow);
    return v ? [observation('firewall.verdict', v)] : [];
  } catch (err) {
    return [observation('check.unknown', { layer: 'network', check: 'firewall evaluation', reason: err instanceof Error ? err.message : String(err) })];
  }
}

/**
 * A connect that timed out on one address while another address of the same name connected may
 * be two lost SYNs, not a filter: try that address once more (in parallel) and keep the second
 * result, marked with attempts: 2.
 */
export async function confirmTimeouts(tcpObs: Obs, port: number | null, deps: Pick<EngineDeps, 'tcp'>, budget: () => ProbeContext, afterMs: number): Promise<Obs> {
  const conns = ofKind(tcpObs, 'tcp.connect');
  if (port === null || !conns.some((c) => c.data.outcome === 'open')) return tcpObs;
  return Promise.all(
    tcpObs.map(async (o) => {
      if (o.kind !== 'tcp.connect' || o.data.outcome !== 'filtered') return o;
      const second = ofKind(await safe('transport', `tcp ${o.data.address} (again)`, deps.tcp({ address: o.data.address, port, afterMs }, budget())), 'tcp.connect')[0];
      return second ? ({ ...second, data: { ...second.data, attempts: 2 } } as Observation) : o;
    }),
  );
}

/** How long the flow is sent again between two reads of the counters: the drop of a reply needs a round trip to be counted. */
export function recountWindowMs(obs: Obs, addr: string, b: Budgets): number {
  const rtt = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr && e.data.rtt)?.data.rtt?.max ?? 0;
  return Math.round(Math.min(b.tcpConnect, Math.max(300, 8 * rtt)));
}

/**
 * When the probes failed, ask netfilter which local rule dropped them: read the counters
 * (`iptables-save -c`), send the failed flow once more, read them again — the DROP/REJECT rule
 * whose counter grew is the one. The probes themselves never wait for a first read (a healthy
 * walk reads no counters at all), and a counter read beside other traffic is not mistaken for ours.
 */
export async function blameLocalFirewall(addr: string, port: number | null, snapshot: Snapshot, obs: Obs, deps: Pick<EngineDeps, 'firewallCounters' | 'tcp' | 'icmp'>, b: Budgets): Promise<Obs> {
  const counters = deps.firewallCounters;
  if (!counters || localBlock(obs)) return [];
  const tcp = ofKind(obs, 'tcp.connect').filter((c) => c.data.address === addr);
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === addr);
  const tcpFailed = tcp.some((c) => ['filtered', 'rejected', 'error', 'unreachable'].includes(c.data.outcome));
  const tcpOpen = tcp.some((c) => c.data.outcome === 'open');
  const echoFailed = !!echo && echo.data.method !== 'unavailable' && echo.data.sent > 0 && echo.data.received === 0;
  if (!tcpFailed && !(echoFailed && !tcpOpen)) return [];
  const six = addr.includes(':');
  // No iptables here (the snapshot could not read it): nothing to count.
  if (!(six ? snapshot.firewall.ip6tables : snapshot.firewall.iptables).ok) return [];
  const ours = (c: { v4: string | null; v6: string | null }): string | null => (six ? c.v6 : c.v4);
  const before = ours(await counters());
  if (!before) return [];
  const window = recountWindowMs(obs, addr, b);
  const ctx = probeContext(window);
  if (tcpFailed && port !== null) await safe('network', `tcp ${addr} (counted)`, deps.tcp({ address: addr, port, afterMs: 0 }, ctx));
  else await safe('network', `icmp echo ${addr} (counted)`, deps.icmp({ address: addr, count: 3 }, ctx));
  const after = ours(await counters());
  if (!after) return [];
  const flow = tcpFailed && port !== null ? { proto: 'tcp' as const, dst: addr, dport: port } : { proto: six ? ('icmpv6' as const) : ('icmp' as const), dst: addr, dport: null };
  const v = droppingRule(before, after, flow, six ? 'ip6tables' : 'iptables');
  return v ? [observation('firewall.verdict', v)] : [];
}

// ── path ────────────────────────────────────────────────────────────────

export type TraceWhy = 'dead' | 'loss' | 'slow' | 'flows';

/** Traces the path at most once per walk (the first reason wins). */
export interface PathTracer {
  /** The trace's observations; [] when the path was already traced or cannot be. `seen` gives the flow spread for 'flows'. */
  trace(why: TraceWhy, b: Budgets, seen: Obs, to?: { address: string; port: number | null } | null): Promise<Obs>;
}

export function pathTracer(w: Walk, primary: { address: string; port: number | null } | null, hardFail: boolean): PathTracer {
  let traced = false;
  return {
    async trace(why, b, seen, to = primary) {
      const trace = w.deps.trace;
      if (!to || hardFail || !trace || traced) return [];
      traced = true;
      w.timer.start('network');
      // Loss is measured with more rounds: at 30% loss each way, 5 of 5 answered still happens 1 time in 35.
      const count = why === 'loss' ? 10 : 5;
      // Some source ports answered and others not: trace two of each, so every branch shows as its own path.
      const sp = why === 'flows' ? ofKind(seen, 'tcp.spread').find((x) => x.data.address === to.address)?.data : undefined;
      const flows = sp ? [...sp.flows.filter((f) => f.outcome === 'answered').slice(0, 2), ...sp.flows.filter((f) => f.outcome === 'lost').slice(0, 2)].map((f) => f.sport) : [];
      const r = await safe(
        'network',
        'trace',
        trace({ address: to.address, proto: to.port !== null ? 'tcp' : 'icmp', port: to.port, count, ...(flows.length > 0 ? { flows } : {}) }, w.ctx(Math.max(count * 300, b.icmp * 2))),
      );
      w.timer.stop('network');
      return r;
    },
  };
}

/** The target does not answer (or loses packets, or is slow) and no local rule explains it: trace the path. */
export async function observePath(tracer: PathTracer, np: NetworkPlan, hardFail: boolean, obs: Obs, b: Budgets): Promise<Obs> {
  const { primaryAddr } = np;
  const out: Obs = [];
  const suspect = primaryAddr && !hardFail ? pathSuspect(primaryAddr, obs) : null;
  const spread = ofKind(obs, 'tcp.spread').find((x) => x.data.address === primaryAddr)?.data;
  const spreadPartial = !!spread && spread.method === 'raw' && spread.answered > 0 && spread.lost > 0;
  if (spreadPartial && !localBlock(obs)) out.push(...(await tracer.trace('flows', b, obs)));
  else if (suspect) out.push(...(await tracer.trace(suspect, b, obs)));
  // Resolvers that stay silent to DNS but answer some echoes: the path to them loses packets.
  const lossyResolver = np.resolverAddrs.find((r) => echoLossy(obs, r));
  if (lossyResolver) out.push(...(await tracer.trace('loss', b, obs, { address: lossyResolver, port: null })));
  return out;
}

// ── tunnel ──────────────────────────────────────────────────────────────

/** The tunnel layer: the route leaves through a tunnel, the target lies in a tunnel's networks, or --tunnel names one. */
export function observeTunnel(w: Walk, snapshot: Snapshot, obs: Obs, addresses: string[]): Promise<TunnelPhaseResult> {
  const { target, options } = w.plan;
  return inLayer(w, 'tunnel', () =>
    tunnelPhase({ target, snapshot, observations: obs, addresses, options, ctx: w.ctx }, { ...w.deps, ...(w.deps.tunnelProbes ?? INERT_TUNNEL_PROBES) }).catch((err: unknown): TunnelPhaseResult => ({
      observations: [observation('check.unknown', { layer: 'tunnel', check: 'tunnel layer', reason: `probe failed: ${err instanceof Error ? err.message : String(err)}` })],
      skip: null,
    })),
  );
}

// ── tls, app: above an open TCP connection only ────────────────────────

/** The connection TLS and HTTP go over: the primary address's, or any open one. */
export function openConnection(tcp: Obs, primaryAddr: string | undefined): Observation<'tcp.connect'> | undefined {
  const conns = ofKind(tcp, 'tcp.connect');
  const primary = conns.find((c) => c.data.address === primaryAddr) ?? conns[0];
  return primary?.data.outcome === 'open' ? primary : conns.find((c) => c.data.outcome === 'open');
}

/** Handshake (its own connection), version scan, PMTU search or trace when it stalls or crawls, server time for a date failure. */
export async function observeTls(w: Walk, open: Observation<'tcp.connect'>, tracer: PathTracer, obs: Obs, b: Budgets): Promise<Obs> {
  const { target, options, sni } = w.plan;
  const { deps, ctx } = w;
  const out: Obs = [];
  const seen = (): Obs => [...obs, ...out];
  await inLayer(w, 'tls', async () => {
    // The probe makes its own connection: the budget covers that connect too (a lost SYN costs 1 s),
    // while the handshake itself keeps the RTT-derived time.
    const handshakeMs = b.tls - Math.min(500, b.tls * 0.25);
    const tlsObs = await safe(
      'tls',
      'tls handshake',
      deps.tls({ address: open.data.address, port: open.data.port, sni, hostname: options.sni ?? target.host, options, handshakeMs }, ctx(b.tls + b.tcpConnect)),
    );
    out.push(...tlsObs);
    const hs = ofKind(tlsObs, 'tls.handshake')[0];
    if (hs && isVersionFailure(hs.data)) {
      out.push(
        ...(await safe(
          'tls',
          'tls versions',
          deps.tlsVersions({ address: open.data.address, port: open.data.port, sni, min: hs.data.minVersion, max: hs.data.maxVersion }, ctx(Math.min(b.tls, 2500))),
        )),
      );
    }
    // A handshake that stalls over an open connection: look below, PMTU blackhole first (NET-009).
    if (hs?.data.outcome === 'stall' && deps.pmtu) {
      const pm = await safe('network', 'pmtu', deps.pmtu({ address: open.data.address, port: open.data.port }, ctx(2500)));
      out.push(...pm);
      // No size limit found, but the large payload needed retransmissions: packets of any size get lost.
      const p = ofKind(pm, 'pmtu.search')[0]?.data;
      if (p?.tcp && p.tcp.retransmits > 0 && !(p.largestPass !== null && p.smallestFail !== null)) out.push(...(await tracer.trace('loss', b, seen())));
    }
    // A handshake far slower than the connect RTT was retransmitting (or stalled): look at the path.
    if (hs && handshakeSuspect(hs.data, open.data.ms)) out.push(...(await tracer.trace('loss', b, seen())));
  });
  // A certificate that looks expired / not yet valid: ask the server for its idea of time.
  const hs = ofKind(out, 'tls.handshake')[0];
  const datesSuspect = hs && (hs.data.verify.code === 'CERT_NOT_YET_VALID' || hs.data.verify.code === 'CERT_HAS_EXPIRED');
  if (datesSuspect && target.protocol === 'tls') {
    const url = `https://${formatHostPort(target.host, open.data.port)}/`;
    out.push(...(await safe('host', 'server time', deps.http({ url, address: open.data.address, servername: sni }, ctx(Math.min(b.http, 2000))))));
  }
  // A TLS-only target whose server asked for a client certificate that was not offered: the handshake
  // may complete and the server refuse every request (nginx ssl_verify_client on: HTTP 400 "No
  // required SSL certificate was sent"). One small HTTP request confirms it (TLS-007).
  const asked = hs && (hs.data.outcome === 'ok' || hs.data.outcome === 'verify-failed') && hs.data.clientCertRequested === true && !hs.data.clientCertOffered;
  if (asked && target.protocol === 'tls' && !datesSuspect) {
    const url = `https://${formatHostPort(target.host, open.data.port)}/`;
    out.push(...(await safe('tls', 'client certificate refusal', deps.http({ url, address: open.data.address, servername: sni }, ctx(Math.min(b.http, 2000))))));
  }
  return out;
}

/** Tests the user asked for, in parallel over the open service: idle hold, backlog, heartbeat. */
export async function observeExtras(w: Walk, open: Observation<'tcp.connect'>): Promise<Obs> {
  const { options, wantsTls, sni } = w.plan;
  const { deps, ctx } = w;
  const extra: Array<Promise<Obs>> = [];
  const a = { address: open.data.address, port: open.data.port };
  if (options.idleMaxSec && deps.idle) extra.push(safe('transport', 'idle hold', deps.idle({ ...a, maxSec: options.idleMaxSec }, ctx(options.idleMaxSec * 1300 + 2000))));
  if (options.backlog && deps.backlog) extra.push(safe('transport', 'backlog', deps.backlog({ ...a, parallel: options.backlog }, ctx(8000))));
  if (options.heartbeat && deps.heartbeat) {
    const hb = options.heartbeat;
    extra.push(safe('app', 'heartbeat', deps.heartbeat({ ...a, tls: wantsTls, servername: sni, spec: hb }, ctx(hb.count * hb.everySec * 1000 + hb.replySec * 1000 + 1000))));
  }
  if (extra.length === 0) return [];
  return inLayer(w, 'app', async () => (await Promise.all(extra)).flat());
}

/** The HTTP request; a response that never comes or a body that stops gets a PMTU search (NET-009). */
export async function observeApp(w: Walk, open: Observation<'tcp.connect'>, obs: Obs, b: Budgets): Promise<Obs> {
  const { target, sni } = w.plan;
  const { deps, ctx } = w;
  const url = `${target.protocol}://${formatHostPort(target.host, open.data.port)}${target.path ?? '/'}`;
  const httpObs = await inLayer(w, 'app', () => safe('app', 'http', deps.http({ url, address: open.data.address, servername: sni }, ctx(b.http))));
  // A response that never comes, or a body that stops, over an open connection: a bulk transfer
  // stalls, which is how a PMTU blackhole shows when the first packets are small (NET-009).
  const hr = ofKind(httpObs, 'http.response')[0]?.data;
  if (hr && (hr.outcome === 'timeout' || hr.body?.stalled) && deps.pmtu && !ofKind(obs, 'pmtu.search').some((x) => x.data.tcp)) {
    return [...httpObs, ...(await safe('network', 'pmtu', deps.pmtu({ address: open.data.address, port: open.data.port }, ctx(2500))))];
  }
  return httpObs;
}

// ── finish ──────────────────────────────────────────────────────────────

/** Server time sources (HTTP Date) → host.clock, or nothing. */
export function clockObservation(obs: Obs, now: Date): Observation | null {
  const sources = ofKind(obs, 'http.response')
    .filter((h) => h.data.date)
    .map((h) => {
      const serverTime = new Date(h.data.date!);
      // The Date header is stamped mid-request; compare with the local time at that moment.
      const local = new Date(Date.parse(h.at) - h.data.ms / 2);
      return { source: 'http-date' as const, peer: h.data.url, time: serverTime.toISOString(), skewMs: local.getTime() - serverTime.getTime() };
    })
    .filter((s) => Number.isFinite(s.skewMs));
  return sources.length > 0 ? observation('host.clock', { local: now.toISOString(), sources }) : null;
}

/**
 * The snapshot with what the judgement needs beyond the up-front collection: the listening
 * sockets when a connect was refused (TCP-001 says whether this machine listens on the port).
 */
export async function completeSnapshot(deps: EngineDeps, snapshot: Snapshot, obs: Obs): Promise<Snapshot> {
  const refused = ofKind(obs, 'tcp.connect').some((c) => c.data.outcome === 'refused');
  if (!refused || !deps.listening || snapshot.listening.ok) return snapshot;
  try {
    return { ...snapshot, listening: await deps.listening() };
  } catch (err) {
    return { ...snapshot, listening: { ok: false, unavailable: err instanceof Error ? err.message : String(err) } };
  }
}

/** Judges and ranks what the walk saw into the Report. */
export function finish(w: Walk, r: { observations: Obs; snapshot: Snapshot; skips: Map<Layer, RowReason>; addresses: string[] }): Report {
  const { target, options } = w.plan;
  debug(`judge: ${r.observations.length} observations`);
  return judge({
    target,
    options,
    observations: r.observations,
    snapshot: r.snapshot,
    startedAt: w.startedAt,
    durationMs: performance.now() - w.t0,
    layerMs: (l) => w.timer.ms(l),
    skips: r.skips,
    addresses: r.addresses,
    now: w.deps.now(),
  });
}
