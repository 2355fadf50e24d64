/**
 * The tunnel layer of a diagnosis. For each tunnel that should carry the target
 * (tunnel-select.ts) it records the tunnel's state, diagnoses the underlay towards every endpoint
 * that matters (name → route → gateway → ICMP → the endpoint's own port), watches whether the
 * tunnel's handshake completes, and — when the tunnel works — checks its MTU against the
 * underlay path; with `--tunnel-idle` it also runs the idle test. It only observes: the VPN-00N
 * rules judge. Endpoint route/gateway/ICMP observations carry the endpoint as destination, so the
 * network rules (NET-001/002/004/010) name the endpoint when its underlay is broken.
 *
 * Handshake wait (WireGuard): an initiation goes out the moment the first packet enters the
 * tunnel — the network phase's pings to the target, or the one echo sent here — and a live
 * server answers within one underlay RTT. netdx polls `wg show DEV dump` every 100 ms for at most
 * HANDSHAKE_WAIT_MS after that packet; WireGuard's own 5 s retry timer is never waited for.
 */
import { reasonOf, type RowReason } from './reason.js';
import { reasonText } from '../report/reasons.js';
import { setMaxListeners } from 'node:events';
import { observation, ofKind, type Observation, type ObservationData } from '../model/observation.js';
import type { Target } from '../model/target.js';
import type { ProbeContext } from '../probes/types.js';
import type { DfPingQuery, DfPingResult } from '../probes/df-ping.js';
import type { OpenVpnResetResult } from '../probes/openvpn-reset.js';
import type { Snapshot } from '../model/snapshot.js';
import type { TunnelEndpoint, TunnelPeer } from '../model/tunnel.js';
import { ipFamily } from '../model/prefix.js';
import type { DiagnoseOptions } from '../model/options.js';
import type { FirewallFlow } from '../analyze/firewall/verdict.js';
import { selectTunnels, stateObservation, type SelectedTunnel } from './tunnel-select.js';
import { encapOverhead } from './tunnel-overhead.js';

type Obs = Observation[];

/** The probes only the tunnel layer uses (EngineDeps.tunnelProbes; live: liveTunnelProbes() in tunnel-live.ts). */
export interface TunnelProbes {
  openvpnReset(q: { address: string; port: number }, ctx: ProbeContext): Promise<OpenVpnResetResult>;
  /** Live peers of a WireGuard interface (`wg show DEV dump`). */
  wgPeers(dev: string): Promise<{ ok: true; peers: TunnelPeer[] } | { ok: false; reason: string }>;
  dfPing(q: DfPingQuery, ctx: ProbeContext): Promise<DfPingResult>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Used when no tunnel probes are given (engine tests): nothing is sent, every such check says so. */
export const INERT_TUNNEL_PROBES: TunnelProbes = {
  openvpnReset: async () => ({ outcome: 'error', ms: 0, reason: 'no OpenVPN probe available' }),
  wgPeers: async () => ({ ok: false, reason: 'no wg reader available' }),
  dfPing: async () => ({ outcome: 'error', method: 'ping', reason: 'no DF probe available' }),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface TunnelDeps extends TunnelProbes {
  systemLookup(name: string, ctx: ProbeContext): Promise<Obs>;
  routeLookup(dst: string | { destination: string; mark?: string }, ctx: ProbeContext): Promise<Obs>;
  gateway(q: { gateway: string; dev: string }, ctx: ProbeContext): Promise<Obs>;
  icmp(q: { address: string; count: number; mark?: number }, ctx: ProbeContext): Promise<Obs>;
  tcp(q: { address: string; port: number; afterMs: number }, ctx: ProbeContext): Promise<Obs>;
  /** Path-MTU search (the engine's pmtu probe), used when a full tunnel packet does not fit. */
  pmtu?(q: { address: string; port: number | null }, ctx: ProbeContext): Promise<Obs>;
  explainRoute?(s: Snapshot, dst: string, opts?: { mark?: number }): Pick<ObservationData['route.lookup'], 'candidates' | 'rules'> | null;
  /** The local firewall's verdict for the tunnel's own packets to its endpoint (NET-006 names the rule). */
  firewallVerdict?(s: Snapshot, flow: FirewallFlow): ObservationData['firewall.verdict'] | null;
  now(): Date;
}

/**
 * The flow that carries the tunnel to one endpoint, as the local firewall sees it: UDP or TCP to
 * the endpoint's port, from the tunnel's listen port when it has one, with the tunnel's fwmark.
 */
export function endpointFlow(t: SelectedTunnel['tunnel'], ep: TunnelEndpoint, address: string, route: Pick<ObservationData['route.lookup'], 'src' | 'dev'> | null): FirewallFlow {
  return {
    chain: 'OUTPUT',
    proto: ep.proto === 'tcp' ? 'tcp' : 'udp',
    src: route?.src ?? null,
    dst: address,
    ...(ep.proto === 'udp' && t.listenPort ? { sport: t.listenPort } : {}),
    dport: ep.port,
    ...(route?.dev ? { oif: route.dev } : {}),
    ...(t.fwmark ? { mark: t.fwmark } : {}),
  };
}

function endpointVerdict(deps: Pick<TunnelDeps, 'firewallVerdict'>, s: Snapshot, flow: FirewallFlow): Obs {
  if (!deps.firewallVerdict) return [];
  try {
    const v = deps.firewallVerdict(s, flow);
    return v ? [observation('firewall.verdict', v)] : [];
  } catch (err) {
    return [observation('check.unknown', { layer: 'tunnel', check: `firewall for ${flow.proto} ${flow.dst}:${flow.dport}`, reason: err instanceof Error ? err.message : String(err) })];
  }
}

export interface TunnelInput {
  target: Target;
  snapshot: Snapshot;
  /** Everything observed so far: the target's route lookups, its ICMP/TCP results, gateways probed. */
  observations: readonly Observation[];
  /** The target's addresses, primary first. */
  addresses: string[];
  options: DiagnoseOptions;
  /** A probe context with this budget, under the diagnosis' overall deadline. */
  ctx(budgetMs: number): ProbeContext;
}

export interface TunnelPhaseResult {
  observations: Obs;
  /** Why the layer was not walked (no tunnel carries the target), or null. */
  skip: RowReason | null;
}

/** WireGuard's session lifetime (REJECT_AFTER_TIME): a handshake younger than this is a working session. */
export const SESSION_SEC = 180;
export const HANDSHAKE_WAIT_MS = 2000;
/** At least this long is watched even when the first packets went out long before. */
const MIN_WATCH_MS = 300;
const POLL_MS = 100;
const MAX_ENDPOINTS = 4;

const fmtEndpoint = (e: TunnelEndpoint): string => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}/${e.proto}`;
const peerId = (p: TunnelPeer | null): string => p?.publicKey ?? p?.name ?? 'peer';

/** Runs a probe; a thrown error is a bug in the probe, recorded as an unknown check. */
async function safe<T>(check: string, p: Promise<T>, fallback: (reason: string) => T): Promise<T> {
  try {
    return await p;
  } catch (err) {
    return fallback(`probe failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
const unknown =
  (check: string) =>
  (reason: string): Obs => [observation('check.unknown', { layer: 'tunnel', check, reason })];

interface EndpointResult {
  endpoint: TunnelEndpoint;
  address: string | null;
  echo: ObservationData['icmp.echo'] | null;
  obs: Obs;
}

async function underlay(sel: SelectedTunnel, peer: TunnelPeer, ep: TunnelEndpoint, input: TunnelInput, deps: TunnelDeps): Promise<EndpointResult> {
  const obs: Obs = [];
  const t = sel.tunnel;
  let address = ipFamily(ep.host) ? ep.host : null;
  let resolve: ObservationData['tunnel.endpoint']['resolve'] = null;
  const name = ep.name ?? (address ? null : ep.host);
  if (name) {
    const sys = await safe('endpoint name', deps.systemLookup(name, input.ctx(2500)), unknown(`resolve ${name}`));
    const s = ofKind(sys, 'dns.system')[0];
    obs.push(...sys.filter((o) => o.kind === 'check.unknown'));
    resolve = { name, addresses: s?.data.addresses.map((a) => a.address) ?? [], error: s ? s.data.error : 'no answer', ms: s?.data.ms ?? 0 };
    address ??= resolve.addresses[0] ?? null;
  }
  const base = { dev: t.dev, peer: peerId(peer), host: ep.host, address, port: ep.port, proto: ep.proto, resolve };
  if (!address) {
    obs.push(observation('tunnel.endpoint', { ...base, probe: { method: 'none', outcome: 'not-probed', ms: 0, reason: 'the endpoint name does not resolve' } }));
    return { endpoint: ep, address, echo: null, obs };
  }
  // wg-quick's full tunnel routes everything into the tunnel except packets with its fwmark: the
  // tunnel's own packets, and so netdx's probes of the underlay, carry that mark.
  const mark = t.fwmark ?? 0;
  const routeObs = await safe('endpoint route', deps.routeLookup(mark ? { destination: address, mark: String(mark) } : address, input.ctx(1000)), unknown(`route ${address}`));
  for (const o of routeObs) {
    if (o.kind === 'route.lookup' && deps.explainRoute) {
      const extra = deps.explainRoute(input.snapshot, o.data.destination, mark ? { mark } : undefined);
      if (extra) Object.assign(o.data, extra);
    }
  }
  obs.push(...routeObs);
  const route = ofKind(routeObs, 'route.lookup')[0];
  const routed = route?.data.outcome === 'route';
  if (routed) obs.push(...endpointVerdict(deps, input.snapshot, endpointFlow(t, ep, address, route.data)));
  const jobs: Array<Promise<Obs>> = [];
  const gw = route?.data.gateway;
  const already = ofKind(input.observations, 'gateway.neighbor').some((g) => g.data.gateway === gw);
  if (routed && gw && route.data.dev && !already) jobs.push(safe('endpoint gateway', deps.gateway({ gateway: gw, dev: route.data.dev }, input.ctx(1000)), unknown(`gateway ${gw}`)));
  if (routed) jobs.push(safe('endpoint icmp', deps.icmp({ address, count: 3, ...(mark ? { mark } : {}) }, input.ctx(1200)), unknown(`icmp echo ${address}`)));
  let probe: ObservationData['tunnel.endpoint']['probe'] = {
    method: 'none',
    outcome: 'not-probed',
    ms: 0,
    reason: t.kind === 'wireguard' ? 'WireGuard answers no unauthenticated packet: judged by its handshake counters' : 'no probe for this tunnel kind',
  };
  let probeP: Promise<void> = Promise.resolve();
  if (routed && t.kind === 'openvpn') {
    if (ep.proto === 'udp' && t.openvpn?.tlsAuth) probe = { method: 'none', outcome: 'not-probed', ms: 0, reason: 'the server uses tls-auth/tls-crypt: it answers only packets signed with that key' };
    else if (ep.proto === 'udp') {
      probeP = safe('openvpn reset', deps.openvpnReset({ address, port: ep.port }, input.ctx(1000)), (reason) => ({ outcome: 'error' as const, ms: 0, reason })).then((r) => {
        probe = { method: 'openvpn-reset', outcome: r.outcome, ms: r.ms, ...(r.reason ? { reason: r.reason } : {}) };
      });
    } else {
      probeP = safe('endpoint tcp', deps.tcp({ address, port: ep.port, afterMs: 0 }, input.ctx(1500)), unknown(`tcp ${address}:${ep.port}`)).then((r) => {
        const c = ofKind(r, 'tcp.connect')[0];
        const outcome = c ? (c.data.outcome === 'reset' || c.data.outcome === 'closed' ? 'open' : c.data.outcome) : 'error';
        probe = { method: 'tcp-connect', outcome, ms: c?.data.ms ?? 0, ...(c?.data.errno ? { reason: c.data.errno } : {}) };
      });
    }
  }
  const [results] = await Promise.all([Promise.all(jobs), probeP]);
  for (const r of results) obs.push(...r);
  obs.push(observation('tunnel.endpoint', { ...base, probe }));
  const echo = ofKind(obs, 'icmp.echo').find((e) => e.data.address === address)?.data ?? null;
  return { endpoint: ep, address, echo, obs };
}

function openvpnHandshake(sel: SelectedTunnel, nowSec: number): ObservationData['tunnel.handshake'] | null {
  const t = sel.tunnel;
  const peer = sel.carrier;
  const base = {
    dev: t.dev,
    peer: peerId(peer),
    endpoint: peer?.endpoint ? fmtEndpoint(peer.endpoint) : null,
    txBefore: peer?.txBytes ?? null,
    txAfter: peer?.txBytes ?? null,
    rxBefore: peer?.rxBytes ?? null,
    rxAfter: peer?.rxBytes ?? null,
    waitedMs: 0,
  };
  if (t.kind === 'openvpn' && t.openvpn) {
    const o = t.openvpn;
    if (o.mode === 'server') return { ...base, method: 'openvpn-state', outcome: 'unknown', ageSec: null, reason: 'an OpenVPN server: its clients connect to it' };
    if (o.state === 'CONNECTED') return { ...base, method: 'openvpn-state', outcome: 'fresh', ageSec: o.stateSince !== null ? Math.max(0, nowSec - o.stateSince) : null };
    if (o.state) return { ...base, method: 'openvpn-state', outcome: 'no-response', ageSec: null, reason: `management state ${o.state}${o.stateDetail ? ` (${o.stateDetail})` : ''}` };
    if (!t.link) return { ...base, method: 'openvpn-state', outcome: 'no-response', ageSec: null, reason: 'the openvpn process has no tun/tap device open: no tunnel was established' };
    if (o.linkReadBytes === 0 && (o.linkWriteBytes ?? 0) > 0)
      return { ...base, method: 'openvpn-state', outcome: 'no-response', ageSec: null, reason: `status: ${o.linkWriteBytes} bytes sent to the server, none received` };
    return { ...base, method: 'openvpn-state', outcome: 'unknown', ageSec: null, reason: 'no management interface configured: the connection state cannot be read' };
  }
  return null;
}

const isFresh = (p: TunnelPeer | null, nowSec: number): boolean => !!p && !!p.latestHandshake && nowSec - p.latestHandshake < SESSION_SEC;

/** WireGuard: a fresh session, or watch the counters after a packet into the tunnel. */
async function wgHandshake(sel: SelectedTunnel, input: TunnelInput, deps: TunnelDeps, routedHere: boolean): Promise<Obs> {
  const t = sel.tunnel;
  const peer = sel.carrier;
  const nowSec = Math.floor(deps.now().getTime() / 1000);
  const base = {
    dev: t.dev,
    peer: peerId(peer),
    endpoint: peer?.endpoint ? fmtEndpoint(peer.endpoint) : null,
    method: 'wg-counters' as const,
    txBefore: peer?.txBytes ?? null,
    rxBefore: peer?.rxBytes ?? null,
  };
  if (!peer) return [];
  if (isFresh(peer, nowSec)) {
    // A recent session is not proof that packets pass now: when the target's probes went in and it
    // answered nothing, did anything at all come back through the tunnel since the snapshot?
    const addr = input.addresses[0];
    const answered =
      ofKind(input.observations, 'icmp.echo').some((e) => e.data.address === addr && e.data.received > 0) ||
      ofKind(input.observations, 'tcp.connect').some((c) => c.data.address === addr && ['open', 'refused', 'reset', 'closed'].includes(c.data.outcome));
    if (!routedHere || answered)
      return [observation('tunnel.handshake', { ...base, outcome: 'fresh', ageSec: nowSec - peer.latestHandshake!, txAfter: peer.txBytes, rxAfter: peer.rxBytes, waitedMs: 0 })];
    const r = await safe('wg show', deps.wgPeers(t.dev), (why) => ({ ok: false as const, reason: why }));
    const now = r.ok ? r.peers.find((p) => p.publicKey === peer.publicKey) : undefined;
    const stalled = !!now && (now.rxBytes ?? 0) === (peer.rxBytes ?? 0) && (now.txBytes ?? 0) > (peer.txBytes ?? 0);
    return [
      observation('tunnel.handshake', {
        ...base,
        outcome: stalled ? 'stalled' : 'fresh',
        ageSec: nowSec - (now?.latestHandshake ?? peer.latestHandshake!),
        txAfter: now?.txBytes ?? peer.txBytes,
        rxAfter: now?.rxBytes ?? peer.rxBytes,
        waitedMs: 0,
        ...(stalled ? { reason: `the target's packets went into ${t.dev} (tx ${peer.txBytes ?? 0} → ${now.txBytes ?? 0} bytes) and nothing came back (rx unchanged at ${now.rxBytes ?? 0})` } : {}),
      }),
    ];
  }
  const clock = (): number => deps.now().getTime();
  const t0 = clock();
  const addr = input.addresses[0];
  // The target's probes of the network phase were the first packets into the tunnel: the wait counts from them.
  const sentAt = ofKind(input.observations, 'icmp.echo')
    .filter((e) => routedHere && e.data.address === addr)
    .map((e) => Date.parse(e.at) - e.ms);
  const deadline = Math.max(t0 + MIN_WATCH_MS, Math.min(t0 + HANDSHAKE_WAIT_MS, ...sentAt.map((x) => x + HANDSHAKE_WAIT_MS)));
  // One packet into the tunnel makes WireGuard send an initiation now (unless one went out < 5 s ago: the target's pings).
  const trigger = routedHere && addr ? safe('trigger', deps.icmp({ address: addr, count: 1 }, input.ctx(HANDSHAKE_WAIT_MS)), () => []) : Promise.resolve([] as Obs);
  let last: TunnelPeer | null = peer;
  let reason: string | undefined;
  while (clock() < deadline) {
    const r = await safe('wg show', deps.wgPeers(t.dev), (why) => ({ ok: false as const, reason: why }));
    if (!r.ok) {
      reason = r.reason;
      break;
    }
    last = r.peers.find((p) => p.publicKey === peer.publicKey) ?? null;
    if (!last) {
      reason = 'the peer disappeared from the interface';
      break;
    }
    if ((last.latestHandshake ?? 0) > (peer.latestHandshake ?? 0)) break;
    await deps.sleep(POLL_MS);
  }
  await trigger;
  const waitedMs = Math.round(clock() - t0);
  const endSec = Math.floor(deps.now().getTime() / 1000);
  const after = last ?? peer;
  const completed = (after.latestHandshake ?? 0) > (peer.latestHandshake ?? 0);
  // Packets went in (the target's route enters the tunnel, or tx grew): WireGuard initiated at once,
  // or retries an initiation made less than 5 s ago; either way no handshake came back in time.
  const sent = (after.txBytes ?? 0) > (peer.txBytes ?? 0) || ((peer.latestHandshake ?? 0) === 0 && (after.txBytes ?? 0) > 0) || routedHere;
  const outcome = reason && !completed ? 'unknown' : completed ? 'completed' : !peer.endpoint ? 'not-attempted' : sent ? 'no-response' : 'not-attempted';
  if (outcome === 'not-attempted' && !peer.endpoint) reason = 'the peer has no endpoint: this side waits for the peer to contact it first';
  else if (outcome === 'not-attempted') reason = `the target's route does not enter ${t.dev}, so nothing was sent into the tunnel`;
  return [
    observation('tunnel.handshake', {
      ...base,
      outcome,
      ageSec: after.latestHandshake ? endSec - after.latestHandshake : null,
      txAfter: after.txBytes,
      rxAfter: after.rxBytes,
      waitedMs,
      ...(reason ? { reason } : {}),
    }),
  ];
}

/** Largest DF size that passes between lo (passes) and hi (fails): rounds of 7 parallel probes (exact within 4–5 rounds). */
async function searchPmtu(
  address: string,
  lo: number,
  hi: number,
  timeoutMs: number,
  input: TunnelInput,
  deps: TunnelDeps,
  mark = 0,
): Promise<{ largestPass: number; smallestFail: number; probes: number; fragNeeded: { from: string; mtu: number } | null }> {
  let probes = 0;
  let fragNeeded: { from: string; mtu: number } | null = null;
  for (let round = 0; round < 5 && hi - lo > 1; round++) {
    const step = Math.max(1, Math.ceil((hi - lo) / 8));
    const sizes: number[] = [];
    for (let s = lo + step; s < hi; s += step) sizes.push(s);
    const ctx = input.ctx(timeoutMs + 200);
    const rs = await Promise.all(
      sizes.map((size) => safe('df ping', deps.dfPing({ address, size, timeoutMs, ...(mark ? { mark } : {}) }, ctx), (reason) => ({ outcome: 'error' as const, method: 'ping' as const, reason }))),
    );
    probes += sizes.length;
    for (const [i, r] of rs.entries()) {
      const size = sizes[i]!;
      if (r.outcome === 'pass') lo = Math.max(lo, size);
      else if (r.outcome === 'lost' || r.outcome === 'too-big') hi = Math.min(hi, size);
      if (r.outcome === 'too-big' && r.mtu && r.from && r.from !== 'local') fragNeeded = { from: r.from, mtu: r.mtu };
    }
  }
  return { largestPass: lo, smallestFail: hi, probes, fragNeeded };
}

/** One DF probe, sent again once when it is lost (the first packet may be the one that teaches the path MTU). */
async function dfTwice(q: DfPingQuery, input: TunnelInput, deps: TunnelDeps): Promise<DfPingResult> {
  const once = (): Promise<DfPingResult> => safe('df ping', deps.dfPing(q, input.ctx(q.timeoutMs + 200)), (reason) => ({ outcome: 'error' as const, method: 'ping' as const, reason }));
  const first = await once();
  return first.outcome === 'lost' ? once() : first;
}

/**
 * Does a full tunnel packet cross the underlay? One DF probe of tunnel MTU + overhead to the
 * endpoint and, when the target answers ICMP, one of the tunnel MTU through the tunnel (the direct
 * evidence: the tunnel may still carry it by fragmenting its outer packets, as OpenVPN does).
 * When the underlay probe is silently lost, the largest size that passes is searched.
 */
async function mtuCheck(sel: SelectedTunnel, ep: EndpointResult, input: TunnelInput, deps: TunnelDeps): Promise<Obs> {
  const t = sel.tunnel;
  const tunnelMtu = t.link?.mtu ?? t.mtu;
  if (!ep.address || tunnelMtu === null || ep.endpoint.proto !== 'udp') return [];
  const fam = ipFamily(ep.address) ?? 4;
  const over = encapOverhead(t, fam);
  if (!over) return [];
  const needed = tunnelMtu + over.bytes;
  const base = { dev: t.dev, endpoint: fmtEndpoint(ep.endpoint), tunnelMtu, overhead: over.bytes, overheadWhy: over.why, needed };
  if (!ep.echo || ep.echo.received === 0) {
    return [
      observation('tunnel.mtu', {
        ...base,
        method: 'unavailable',
        neededPasses: null,
        largestPass: null,
        smallestFail: null,
        fragNeeded: null,
        overlay: null,
        reason: `${ep.address} answers no ICMP echo: the underlay path MTU cannot be measured`,
      }),
    ];
  }
  const rtt = ep.echo.rtt?.max ?? 50;
  const timeoutMs = Math.round(Math.min(1000, Math.max(300, 4 * rtt)));
  const addr = input.addresses[0];
  const targetAnswers = !!addr && ofKind(input.observations, 'icmp.echo').some((e) => e.data.address === addr && e.data.received > 0);
  const [under, inner] = await Promise.all([
    dfTwice({ address: ep.address, size: needed, timeoutMs, ...(t.fwmark ? { mark: t.fwmark } : {}) }, input, deps),
    targetAnswers && addr ? dfTwice({ address: addr, size: tunnelMtu, timeoutMs: timeoutMs + 200 }, input, deps) : Promise.resolve(null),
  ]);
  const overlay = inner && addr && inner.outcome !== 'error' ? { address: addr, size: tunnelMtu, passed: inner.outcome === 'pass' } : null;
  if (under.outcome === 'error')
    return [
      observation('tunnel.mtu', {
        ...base,
        method: 'unavailable',
        neededPasses: null,
        neededResult: 'error',
        largestPass: null,
        smallestFail: null,
        fragNeeded: null,
        overlay,
        reason: under.reason ?? 'DF probe failed',
      }),
    ];
  if (under.outcome === 'pass')
    return [observation('tunnel.mtu', { ...base, method: under.method, neededPasses: true, neededResult: 'pass', largestPass: needed, smallestFail: null, fragNeeded: null, overlay })];
  if (under.outcome === 'too-big') {
    const router = under.from && under.from !== 'local' ? { from: under.from, mtu: under.mtu ?? 0 } : null;
    return [
      observation('tunnel.mtu', {
        ...base,
        method: under.method,
        neededPasses: false,
        neededResult: router ? 'frag-needed' : 'too-big-local',
        largestPass: under.mtu ?? null,
        smallestFail: needed,
        fragNeeded: router && router.mtu > 0 ? router : null,
        overlay,
      }),
    ];
  }
  const floor = fam === 4 ? 576 : 1280;
  let found: ObservationData['pmtu.search'] | undefined;
  // (the engine's path-MTU search sends no fwmark: with one, the DF search below, whose probes carry it)
  if (deps.pmtu && !t.fwmark) {
    const ctx = input.ctx(4000);
    setMaxListeners(64, ctx.signal); // the search sends many probes at once on this signal
    found = ofKind(await safe('pmtu', deps.pmtu({ address: ep.address, port: null }, ctx), () => []), 'pmtu.search')[0]?.data;
  }
  if (found && found.method !== 'unavailable' && found.largestPass !== null) {
    // The engine's path-MTU search, when it has one.
    return [
      observation('tunnel.mtu', {
        ...base,
        method: found.method,
        neededPasses: false,
        neededResult: 'lost',
        largestPass: Math.min(found.largestPass, needed - 1),
        smallestFail: found.smallestFail,
        fragNeeded: found.fragNeeded,
        overlay,
      }),
    ];
  }
  const s = await searchPmtu(ep.address, floor, needed, timeoutMs, input, deps, t.fwmark ?? 0);
  return [
    observation('tunnel.mtu', {
      ...base,
      method: under.method,
      neededPasses: false,
      neededResult: 'lost',
      largestPass: s.probes > 0 ? s.largestPass : null,
      smallestFail: s.smallestFail,
      fragNeeded: s.fragNeeded,
      overlay,
    }),
  ];
}

/**
 * Idle test: after `idleSec` without any packet from the peer, does the target (through the
 * tunnel) still answer? Doubling idle times up to maxSec; stops at the first silence.
 */
async function idleTest(sel: SelectedTunnel, input: TunnelInput, deps: TunnelDeps, maxSec: number): Promise<Obs> {
  const t = sel.tunnel;
  const peer = sel.carrier;
  const addr = input.addresses[0];
  if (t.kind !== 'wireguard' || !peer || !addr) return [observation('check.unknown', { layer: 'tunnel', check: 'idle test', reason: 'the idle test needs a WireGuard peer that carries the target' })];
  const trials: ObservationData['tunnel.idle']['trials'] = [];
  const gaps: number[] = [];
  let reason: string | undefined;
  const clock = (): number => deps.now().getTime();
  let rx = peer.rxBytes ?? 0;
  let lastRx = clock();
  for (let idle = 2; idle <= maxSec; idle *= 2) {
    let spontaneous = 0;
    for (;;) {
      const r = await deps.wgPeers(t.dev);
      const p = r.ok ? r.peers.find((x) => x.publicKey === peer.publicKey) : undefined;
      if (!p) {
        reason = r.ok ? 'the peer disappeared' : r.reason;
        break;
      }
      if ((p.rxBytes ?? 0) !== rx) {
        if (trials.length > 0 || spontaneous > 0) gaps.push((clock() - lastRx) / 1000);
        rx = p.rxBytes ?? 0;
        lastRx = clock();
        spontaneous++;
        if (spontaneous >= 3) {
          reason = `the peer sends something every ${Math.round(gaps[gaps.length - 1] ?? 0)} s: the path never stays idle for ${idle} s`;
          break;
        }
      }
      if (clock() - lastRx >= idle * 1000) break;
      await deps.sleep(200);
    }
    if (reason) break;
    const echo = ofKind(await safe('idle echo', deps.icmp({ address: addr, count: 1 }, input.ctx(1500)), () => []), 'icmp.echo')[0];
    const alive = !!echo && echo.data.received > 0;
    trials.push({ idleSec: idle, alive });
    const r = await deps.wgPeers(t.dev);
    const p = r.ok ? r.peers.find((x) => x.publicKey === peer.publicKey) : undefined;
    rx = p?.rxBytes ?? rx;
    lastRx = clock();
    if (!alive) break;
  }
  const aliveAfter = trials.filter((x) => x.alive).map((x) => x.idleSec);
  const dead = trials.find((x) => !x.alive);
  return [
    observation('tunnel.idle', {
      dev: t.dev,
      peer: peerId(peer),
      address: addr,
      keepaliveSec: peer.keepaliveSec,
      peerKeepaliveSec: gaps.length > 0 ? Math.round(Math.min(...gaps)) : null,
      trials,
      aliveAfterSec: aliveAfter.length > 0 ? Math.max(...aliveAfter) : null,
      deadAfterSec: dead ? dead.idleSec : null,
      maxSec,
      ...(reason ? { reason } : {}),
    }),
  ];
}

function endpointsOf(sel: SelectedTunnel): Array<{ peer: TunnelPeer; endpoint: TunnelEndpoint }> {
  const t = sel.tunnel;
  if (t.kind === 'openvpn' && t.openvpn?.mode === 'client') {
    const peer = t.peers[0];
    if (!peer) return [];
    const o = t.openvpn;
    const list =
      o.activeRemote && o.state === 'CONNECTED'
        ? [o.activeRemote]
        : o.activeRemote
          ? [o.activeRemote, ...o.remotes.filter((r) => r.host !== o.activeRemote!.host || r.port !== o.activeRemote!.port)]
          : o.remotes;
    return list.slice(0, MAX_ENDPOINTS).map((endpoint) => ({ peer, endpoint }));
  }
  const peers = sel.carrier ? [sel.carrier] : t.peers.filter((p) => p.endpoint).slice(0, MAX_ENDPOINTS);
  return peers.filter((p): p is TunnelPeer & { endpoint: TunnelEndpoint } => p.endpoint !== null).map((p) => ({ peer: p, endpoint: p.endpoint }));
}

async function walk(sel: SelectedTunnel, input: TunnelInput, deps: TunnelDeps): Promise<Obs> {
  const t = sel.tunnel;
  const obs: Obs = [stateObservation(sel)];
  if (!active(sel)) return obs; // not running / down: VPN-001
  if (t.kind === 'other') {
    obs.push(observation('check.unknown', { layer: 'tunnel', check: 'tunnel peers', reason: `${t.dev} is not a WireGuard or OpenVPN interface netdx can read: its peers and endpoint are unknown` }));
    return obs;
  }
  const routedHere = ofKind(input.observations, 'route.lookup').some((r) => input.addresses.includes(r.data.destination) && r.data.dev === t.dev);
  const nowSec = Math.floor(deps.now().getTime() / 1000);
  const eps = endpointsOf(sel);
  const hsP: Promise<Obs> =
    t.kind === 'wireguard' ? wgHandshake(sel, input, deps, routedHere) : Promise.resolve(((h) => (h ? [observation('tunnel.handshake', h)] : []))(openvpnHandshake(sel, nowSec)));
  const [results, hs] = await Promise.all([Promise.all(eps.map(({ peer, endpoint }) => underlay(sel, peer, endpoint, input, deps))), hsP]);
  for (const r of results) obs.push(...r.obs);
  obs.push(...hs);
  const h = ofKind(hs, 'tunnel.handshake')[0]?.data;
  const works = h?.outcome === 'fresh' || h?.outcome === 'completed';
  const first = results[0];
  if (works && first) obs.push(...(await mtuCheck(sel, first, input, deps)));
  if (works && input.options.tunnelIdleMs) obs.push(...(await idleTest(sel, input, deps, Math.max(2, Math.floor(input.options.tunnelIdleMs / 1000)))));
  obs.push(...problemObservations(t));
  return obs;
}

/** A running tunnel whose interface is up (a missing, configured-only or down one is VPN-001's). */
const active = (sel: SelectedTunnel): boolean => sel.source === 'running' && !(sel.tunnel.link && !sel.tunnel.link.up);

/** What the tunnel collector could not read or ignored, as unknown checks of the layer. */
const problemObservations = (t: SelectedTunnel['tunnel']): Obs => t.problems.map((p) => observation('check.unknown', { layer: 'tunnel', check: `${t.dev} state`, reason: p }));

/** Why the tunnel layer is skipped when no tunnel should carry the target. */
export function noTunnelReason(s: Snapshot, lang: DiagnoseOptions['lang']): RowReason {
  return s.tunnels && !s.tunnels.ok ? reasonOf(lang, 'skip.tunnelUnavailable', { why: reasonText(lang, s.tunnels.unavailable) }) : reasonOf(lang, 'skip.tunnelNone');
}

/**
 * WireGuard judged from the counters a snapshot recorded (offline analysis: nothing is sent).
 * A session younger than its lifetime was working then; bytes sent to an endpoint without any
 * byte or handshake ever coming back is a handshake that never completed; anything else needs a
 * live diagnosis to say whether a new handshake would complete.
 */
export function wgSnapshotHandshake(sel: SelectedTunnel, nowSec: number): ObservationData['tunnel.handshake'] | null {
  const t = sel.tunnel;
  const peer = sel.carrier;
  if (t.kind !== 'wireguard' || !peer) return null;
  const tx = peer.txBytes ?? null;
  const rx = peer.rxBytes ?? null;
  const base = {
    dev: t.dev,
    peer: peerId(peer),
    endpoint: peer.endpoint ? fmtEndpoint(peer.endpoint) : null,
    method: 'wg-snapshot' as const,
    txBefore: tx,
    txAfter: tx,
    rxBefore: rx,
    rxAfter: rx,
    waitedMs: 0,
  };
  const ageSec = peer.latestHandshake ? Math.max(0, nowSec - peer.latestHandshake) : null;
  if (isFresh(peer, nowSec)) return { ...base, outcome: 'fresh', ageSec };
  if (!peer.latestHandshake && !peer.endpoint) return { ...base, outcome: 'not-attempted', ageSec, reason: 'the peer has no endpoint: this side waits for the peer to contact it first' };
  if (!peer.latestHandshake && (tx ?? 0) > 0 && rx === 0) {
    return {
      ...base,
      outcome: 'no-response',
      ageSec,
      reason: `when the snapshot was taken, ${tx} bytes had been sent to ${base.endpoint ?? 'the peer'}, none received, and no handshake had ever completed`,
    };
  }
  const when = ageSec === null ? 'no handshake had completed yet' : `the last handshake was ${ageSec} s old`;
  return { ...base, outcome: 'unknown', ageSec, reason: `offline: when the snapshot was taken ${when}; whether a new one completes needs a live diagnosis (netdx diagnose on that machine)` };
}

/**
 * The tunnel layer without probes (`netdx analyze`): which tunnel should carry the target, its
 * recorded state (VPN-001/004/005/008 judge it) and the handshake state the snapshot shows.
 */
export function offlineTunnelObservations(
  snapshot: Snapshot,
  observations: readonly Observation[],
  addresses: readonly string[],
  option: string | undefined,
  nowSec: number,
  analyzers: { route?(s: Snapshot, dst: string, mark?: number): ObservationData['route.lookup'] | null; firewallVerdict?: TunnelDeps['firewallVerdict'] } = {},
): Obs {
  const out: Obs = [];
  for (const sel of selectTunnels(snapshot, observations, addresses, option)) {
    out.push(stateObservation(sel));
    const t = sel.tunnel;
    if (!active(sel)) continue;
    // The underlay towards each endpoint given as an address: its route and the local firewall's verdict.
    for (const { endpoint } of endpointsOf(sel)) {
      if (!ipFamily(endpoint.host) || !analyzers.route) continue;
      const r = analyzers.route(snapshot, endpoint.host, t.fwmark ?? 0);
      if (!r) continue;
      out.push(observation('route.lookup', r));
      if (r.outcome === 'route') out.push(...endpointVerdict(analyzers, snapshot, endpointFlow(t, endpoint, endpoint.host, r)));
    }
    const h = t.kind === 'wireguard' ? wgSnapshotHandshake(sel, nowSec) : openvpnHandshake(sel, nowSec);
    if (h) out.push(observation('tunnel.handshake', h));
    out.push(...problemObservations(t));
  }
  return out;
}

/** The tunnel layer: the observations of every tunnel that should carry the target. */
export async function tunnelPhase(input: TunnelInput, deps: TunnelDeps): Promise<TunnelPhaseResult> {
  const selected = selectTunnels(input.snapshot, input.observations, input.addresses, input.options.tunnel);
  if (selected.length === 0) return { observations: [], skip: noTunnelReason(input.snapshot, input.options.lang) };
  const all = await Promise.all(selected.map((s) => walk(s, input, deps)));
  return { observations: all.flat(), skip: null };
}
