/**
 * Shared reading of the tunnel layer's observations for the VPN-00N rules (pure): the tunnels that
 * should carry the target, their handshake, each endpoint with its underlay (route, gateway,
 * ICMP, the endpoint's port), and the target's own route lookup.
 */
import type { Lang } from '../model/layer.js';
import type { Observation, ObservationData } from '../model/observation.js';
import type { Evidence } from '../model/report.js';
import { defineMessages, evidence, msg, ofKind, type RuleContext } from './types.js';
import { sameIp, said } from './helpers.js';
import { prefixCovers } from '../model/prefix.js';
import { TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';

type D<K extends keyof ObservationData> = ObservationData[K];

export const tunnels = (ctx: RuleContext): Array<Observation<'tunnel.state'>> => ofKind(ctx.observations, 'tunnel.state');

export const handshakeOf = (ctx: RuleContext, dev: string): D<'tunnel.handshake'> | null => ofKind(ctx.observations, 'tunnel.handshake').find((h) => h.data.dev === dev)?.data ?? null;

export const handshakeWorks = (h: D<'tunnel.handshake'> | null): boolean => h?.outcome === 'fresh' || h?.outcome === 'completed';

/** The target's addresses: the IP literal, or what the name resolved to. */
export function targetAddresses(ctx: RuleContext): string[] {
  if (ctx.target.ipFamily !== null) return [ctx.target.host];
  return ofKind(ctx.observations, 'dns.system').flatMap((o) => o.data.addresses.map((a) => a.address));
}

/** The route lookup of the target (the first of its addresses that was looked up). */
export function targetRoute(ctx: RuleContext): D<'route.lookup'> | null {
  const addrs = targetAddresses(ctx);
  return ofKind(ctx.observations, 'route.lookup').find((r) => addrs.some((a) => sameIp(a, r.data.destination)))?.data ?? null;
}

/** Did the target answer anything (ICMP reply, TCP open/refused)? */
export function targetAnswered(ctx: RuleContext): boolean | null {
  const addrs = targetAddresses(ctx);
  const echo = ofKind(ctx.observations, 'icmp.echo').filter((e) => addrs.some((a) => sameIp(a, e.data.address)) && e.data.method !== 'unavailable');
  const tcp = ofKind(ctx.observations, 'tcp.connect').filter((c) => addrs.some((a) => sameIp(a, c.data.address)));
  if (echo.length === 0 && tcp.length === 0) return null;
  return echo.some((e) => e.data.received > 0) || tcp.some((c) => c.data.outcome === 'open' || c.data.outcome === 'refused');
}

/**
 * Why an endpoint cannot be reached over the underlay, as plain facts (the reasons are told inside
 * the en/zh texts by `underlayWhy`): its name does not resolve, the underlay route lookup failed,
 * its gateway is dead, a router reports an ICMP error, nothing listens on its port, or it is silent.
 */
export type UnderlayWhy = {
  /** The endpoint name that does not resolve, and the resolver's error. */
  unresolved: string | null;
  resolveError: string | null;
  /** The underlay route lookup's outcome when it is not a route ('no-route', 'unreachable', …), and its destination. */
  routeOutcome: string | null;
  routeDst: string | null;
  /** The gateway towards the endpoint that does not answer. */
  deadGateway: string | null;
  /** The ICMP error a router reports for the endpoint (no echo reply came). */
  icmpFrom: string | null;
  icmpError: string | null;
  /** The endpoint's port refused the probe. */
  refused: boolean;
  /** Neither ICMP nor the port (or the handshake, when the port was not probed) got an answer, and nothing else says why. */
  silent: boolean;
  probed: boolean;
  proto: string;
  port: number;
  address: string | null;
};

/** The reasons of an UnderlayWhy in a language, one clause each (empty: nothing says the endpoint is unreachable). */
export function underlayWhy(lang: Lang, p: UnderlayWhy): string[] {
  const zh = lang === 'zh';
  const out: string[] = [];
  const proto = p.proto.toUpperCase();
  if (p.unresolved !== null)
    out.push(zh ? `端点域名 ${p.unresolved} 无法解析（${p.resolveError ?? '无地址'}）` : `the endpoint name ${p.unresolved} does not resolve (${p.resolveError ?? 'no address'})`);
  if (p.routeOutcome !== null)
    out.push(
      zh
        ? p.routeOutcome === 'no-route'
          ? `底层网络中没有到 ${p.routeDst} 的路由`
          : `底层网络中到 ${p.routeDst} 的路由为${said('zh', p.routeOutcome)}`
        : `the underlay has ${p.routeOutcome === 'no-route' ? 'no route' : `a ${p.routeOutcome} route`} to ${p.routeDst}`,
    );
  if (p.deadGateway !== null) out.push(zh ? `其网关 ${p.deadGateway} 无响应` : `its gateway ${p.deadGateway} does not answer`);
  if (p.icmpFrom !== null) out.push(zh ? `${p.icmpFrom} 返回 ${p.icmpError}` : `${p.icmpFrom} reports ${p.icmpError} for it`);
  if (p.refused) out.push(zh ? `该主机的 ${proto} 端口 ${p.port} 无服务监听` : `nothing listens on ${proto} port ${p.port} there`);
  if (p.silent && out.length === 0)
    out.push(
      zh
        ? `${p.address} 对 ICMP 和${p.probed ? `${proto} 端口 ${p.port}` : '隧道握手'}均无响应`
        : `neither ICMP nor ${p.probed ? `${proto} port ${p.port}` : 'the tunnel handshake'} gets an answer from ${p.address}`,
    );
  return out;
}

export interface EndpointView {
  ep: D<'tunnel.endpoint'>;
  label: string;
  route: D<'route.lookup'> | null;
  gateway: D<'gateway.neighbor'> | null;
  echo: D<'icmp.echo'> | null;
  /** Why the endpoint cannot be reached over the underlay, as facts (`underlayWhy` tells them in a language). */
  why: UnderlayWhy;
  /** Something answered: an ICMP reply or the endpoint's port. */
  answered: boolean;
  evidence: Evidence[];
}

const PORT_ANSWERED = new Set(['answered', 'open']);
const PORT_DEAD = new Set(['no-answer', 'refused', 'filtered', 'rejected', 'unreachable']);

export function endpointLabel(ep: Pick<D<'tunnel.endpoint'>, 'host' | 'address' | 'port' | 'proto'>): string {
  const h = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${h}:${ep.port}/${ep.proto}${ep.address && ep.address !== ep.host ? ` (${ep.address})` : ''}`;
}

/** The endpoint probe's reason (src/probes/openvpn-reset.ts, diagnose/tunnel.ts) in Chinese: an error code stays as it is, a text netdx does not know is quoted. */
function probeReasonZh(reason: string): string {
  if (/^[A-Z][A-Z0-9_]+$/.test(reason)) return reason;
  const known: Record<string, string> = {
    'ICMP port unreachable': 'ICMP 端口不可达',
    'no OpenVPN probe available': '没有可用的 OpenVPN 探测',
    'the endpoint name does not resolve': '端点域名无法解析',
  };
  return known[reason] ?? `"${reason}"`;
}

/** An underlay route lookup as params: the route line (or its gateway and device), or the outcome and error. */
type RouteParams = { destination: string; outcome: string; route: string | null; gateway: string | null; dev: string | null; error: string | null };

/** The route line of a lookup that found one ('via GW dev DEV' when the kernel's line is absent). */
const routeLine = (p: RouteParams): string => p.route ?? `${p.gateway ? `via ${p.gateway} ` : ''}dev ${p.dev}`;

/** A tunnel's peers as parallel lists: name ('' none), key ('' none), endpoint ('' none), and how many of the flat allowedIps each holds. */
type PeerParams = { peerNames: string[]; peerKeys: string[]; peerEndpoints: string[]; peerAllowedCount: number[]; peerAllowed: string[] };

const peerParams = (peers: D<'tunnel.state'>['peers']): PeerParams => ({
  peerNames: peers.map((p) => p.name ?? ''),
  peerKeys: peers.map((p) => p.publicKey ?? ''),
  peerEndpoints: peers.map((p) => p.endpoint ?? ''),
  peerAllowedCount: peers.map((p) => p.allowedIps.length),
  peerAllowed: peers.flatMap((p) => p.allowedIps),
});

/** The allowed IPs of each peer, split back from the flat list. */
export function allowedOf(p: Pick<PeerParams, 'peerAllowedCount' | 'peerAllowed'>): string[][] {
  let at = 0;
  return p.peerAllowedCount.map((n) => {
    const list = p.peerAllowed.slice(at, at + n);
    at += n;
    return list;
  });
}

type StateParams = PeerParams & {
  dev: string;
  kind: string;
  source: D<'tunnel.state'>['source'];
  selectedBy: D<'tunnel.state'>['selectedBy'];
  present: boolean;
  up: boolean;
  mtu: number | null;
  peerCount: number;
  ovpnMode: string | null;
  ovpnState: string | null;
};

const SOURCE_ZH: Record<D<'tunnel.state'>['source'], string> = { running: '运行中', config: '仅有配置', missing: '不存在' };
const SELECTED_ZH: Record<D<'tunnel.state'>['selectedBy'], string> = { route: '路由', network: '网段', option: '命令行选项' };

/** A tunnel state in a language: link, peers (up to 3), the OpenVPN state. */
function stateText(lang: Lang, p: StateParams): string {
  const allowed = allowedOf(p);
  const peerName = (i: number): string => p.peerNames[i] || (p.peerKeys[i] ? `${p.peerKeys[i]!.slice(0, 8)}…` : lang === 'zh' ? '对端' : 'peer');
  const shown = p.peerNames.slice(0, 3).map((_, i) => i);
  if (lang === 'zh') {
    const link = !p.present ? '接口不存在' : `${p.up ? '已启用' : '未启用（DOWN）'}，MTU ${p.mtu ?? '?'}`;
    const peers = shown.map((i) => `${peerName(i)} 端点 ${p.peerEndpoints[i] || '无'}，允许 ${allowed[i]!.join(',') || '-'}`);
    const ovpn = p.ovpnMode ? `；openvpn ${p.ovpnMode === 'client' ? '客户端' : '服务端'}，状态 ${p.ovpnState ?? '未知'}` : '';
    return `${p.kind} ${p.dev}（${SOURCE_ZH[p.source]}，依据${SELECTED_ZH[p.selectedBy]}选定）：${link}；对端 ${p.peerCount} 个${peers.length ? `：${peers.join('；')}` : ''}${ovpn}`;
  }
  const link = !p.present ? 'no such interface' : `${p.up ? 'up' : 'DOWN'}, mtu ${p.mtu ?? '?'}`;
  const peers = shown.map((i) => `${peerName(i)} ${p.peerEndpoints[i] || 'no endpoint'} allowed ${allowed[i]!.join(',') || '-'}`);
  const ovpn = p.ovpnMode ? `; openvpn ${p.ovpnMode}, state ${p.ovpnState ?? 'unknown'}` : '';
  return `${p.kind} ${p.dev} (${p.source}, chosen by ${p.selectedBy}): ${link}; ${p.peerCount} peer(s)${peers.length ? `: ${peers.join('; ')}` : ''}${ovpn}`;
}

const M = defineMessages('vpn-common', {
  resolve: msg(
    (p: { name: string; addresses: string[]; error: string | null }) => `endpoint name ${p.name}: ${p.addresses.length > 0 ? p.addresses.join(', ') : `does not resolve (${p.error ?? 'no address'})`}`,
    (p) => `端点域名 ${p.name}：${p.addresses.length > 0 ? p.addresses.join('、') : `无法解析（${p.error ?? '无地址'}）`}`,
  ),
  route: msg(
    (p: RouteParams & { label: string }) => `ip route get ${p.destination} (endpoint ${p.label}): ${p.outcome === 'route' ? routeLine(p) : `${p.outcome}${p.error ? `: ${p.error}` : ''}`}`,
    (p) => `ip route get ${p.destination}（端点 ${p.label}）：${p.outcome === 'route' ? `\`${routeLine(p)}\`` : `${said('zh', p.outcome)}${p.error ? `（"${p.error}"）` : ''}`}`,
  ),
  gateway: msg(
    (p: { gateway: string; dev: string; state: string | null; answered: boolean }) =>
      `gateway ${p.gateway} dev ${p.dev} (towards the endpoint): ${p.state ?? 'no neighbor entry'}, ${p.answered ? 'answered' : 'no answer'}`,
    (p) => `网关 ${p.gateway} dev ${p.dev}（通往端点）：${p.state ?? '无邻居表项'}，${p.answered ? '有应答' : '无应答'}`,
  ),
  echo: msg(
    (p: { address: string; received: number; sent: number; errorFrom: string | null; error: string | null }) =>
      `ping ${p.address} (endpoint): ${p.received}/${p.sent} replies${p.errorFrom !== null ? `; ICMP ${p.error} from ${p.errorFrom}` : ''}`,
    (p) => `ping ${p.address}（端点）：收到 ${p.received}/${p.sent} 个回复${p.errorFrom !== null ? `；${p.errorFrom} 返回 ICMP ${p.error}` : ''}`,
  ),
  probe: msg(
    (p: { method: string; label: string; outcome: string; reason: string | null }) =>
      `${p.method === 'openvpn-reset' ? 'OpenVPN hard-reset probe' : 'TCP connect'} to ${p.label}: ${p.outcome}${p.reason ? ` (${p.reason})` : ''}`,
    (p) => `到 ${p.label} 的 ${p.method === 'openvpn-reset' ? 'OpenVPN 握手重置探测' : 'TCP 连接'}：${said('zh', p.outcome)}${p.reason ? `（${probeReasonZh(p.reason)}）` : ''}`,
  ),
  state: msg(
    (p: StateParams) => stateText('en', p),
    (p) => stateText('zh', p),
  ),
});

/** Every endpoint of a tunnel with its underlay facts and the evidence lines that name it. */
export function endpointViews(ctx: RuleContext, dev: string): EndpointView[] {
  return ofKind(ctx.observations, 'tunnel.endpoint')
    .filter((e) => e.data.dev === dev)
    .map(({ data: ep }) => endpointView(ctx, ep));
}

/** One endpoint with its underlay facts. */
function endpointView(ctx: RuleContext, ep: D<'tunnel.endpoint'>): EndpointView {
  const label = endpointLabel(ep);
  const route = ep.address ? ((ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, ep.address)) ?? null)?.data ?? null) : null;
  const gateway = route?.gateway ? (ofKind(ctx.observations, 'gateway.neighbor').find((g) => sameIp(g.data.gateway, route.gateway))?.data ?? null) : null;
  const echo = ep.address ? (ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, ep.address))?.data ?? null) : null;
  const why: UnderlayWhy = {
    unresolved: null,
    resolveError: null,
    routeOutcome: null,
    routeDst: null,
    deadGateway: null,
    icmpFrom: null,
    icmpError: null,
    refused: false,
    silent: false,
    probed: ep.probe.method !== 'none',
    proto: ep.proto,
    port: ep.port,
    address: ep.address,
  };
  const ev: Evidence[] = [];
  if (ep.resolve) {
    const r = ep.resolve;
    ev.push(evidence('tunnel.endpoint', M.resolve({ name: r.name, addresses: r.addresses, error: r.error }), { name: r.name, addresses: r.addresses, error: r.error }));
    if (r.addresses.length === 0) {
      why.unresolved = r.name;
      why.resolveError = r.error;
    }
  }
  if (route) {
    ev.push(routeEvidence(route, label));
    if (route.outcome !== 'route') {
      why.routeOutcome = route.outcome;
      why.routeDst = route.destination;
    }
  }
  if (gateway && (gateway.state === 'FAILED' || gateway.state === 'INCOMPLETE' || gateway.answered === false)) {
    ev.push(evidence('gateway.neighbor', M.gateway({ gateway: gateway.gateway, dev: gateway.dev, state: gateway.state, answered: gateway.answered === true }), { ...gateway }));
    why.deadGateway = gateway.gateway;
  }
  if (echo && echo.method !== 'unavailable') {
    const errs = echo.errors.filter((e) => e.type !== 11 || e.code !== 0);
    const err = errs[0] ?? null;
    ev.push(
      evidence('icmp.echo', M.echo({ address: echo.address, received: echo.received, sent: echo.sent, errorFrom: err?.from ?? null, error: err?.name ?? null }), {
        address: echo.address,
        sent: echo.sent,
        received: echo.received,
        errors: errs,
      }),
    );
    if (err && echo.received === 0) {
      why.icmpFrom = err.from;
      why.icmpError = err.name;
    }
  }
  const probe = ep.probe;
  if (probe.method !== 'none') {
    ev.push(evidence('tunnel.endpoint', M.probe({ method: probe.method, label, outcome: probe.outcome, reason: probe.reason ?? null }), { probe }));
    if (probe.outcome === 'refused') why.refused = true;
  }
  const answered = (echo?.received ?? 0) > 0 || PORT_ANSWERED.has(probe.outcome);
  // Silence everywhere is a fact too: no ICMP reply and the port (when probed) did not answer.
  why.silent = !answered && !!echo && echo.method !== 'unavailable' && echo.sent > 0 && (probe.method === 'none' || PORT_DEAD.has(probe.outcome));
  return { ep, label, route, gateway, echo, why, answered, evidence: ev };
}

/** The underlay route lookup of an endpoint. */
function routeEvidence(route: D<'route.lookup'>, label: string): Evidence {
  return evidence('route.lookup', M.route({ destination: route.destination, outcome: route.outcome, route: route.route, gateway: route.gateway, dev: route.dev, error: route.error ?? null, label }), {
    destination: route.destination,
    outcome: route.outcome,
    gateway: route.gateway,
    dev: route.dev,
    route: route.route,
  });
}

/** How long ago a handshake was: its age in seconds, or never / unknown. */
export type HandshakeAge = { ageSec: number | null; never: boolean };

/** The age of a unix time relative to now (latestHandshake: 0 = never, null = unknown). */
export function handshakeAge(unix: number | null, now: Date): HandshakeAge {
  if (unix === null) return { ageSec: null, never: false };
  if (unix === 0) return { ageSec: null, never: true };
  return { ageSec: Math.max(0, Math.round(now.getTime() / 1000 - unix)), never: false };
}

/** 'never', '3 min ago' … for a handshake age. */
export function ago(lang: Lang, a: HandshakeAge): string {
  if (a.never) return lang === 'zh' ? '从未' : 'never';
  if (a.ageSec === null) return lang === 'zh' ? '未知' : 'unknown';
  const s = a.ageSec;
  if (lang === 'zh') return s < 120 ? `${s} 秒前` : s < 7200 ? `${Math.round(s / 60)} 分钟前` : s < 172800 ? `${Math.round(s / 3600)} 小时前` : `${Math.round(s / 86400)} 天前`;
  const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return `${text} ago`;
}

/** Evidence line for a tunnel state. */
export function stateEvidence(s: D<'tunnel.state'>): Evidence {
  const data = {
    dev: s.dev,
    kind: s.kind,
    source: s.source,
    present: s.present,
    up: s.up,
    mtu: s.mtu,
    networks: s.networks,
    targetNetwork: s.targetNetwork,
  };
  const params: StateParams = {
    dev: s.dev,
    kind: s.kind,
    source: s.source,
    selectedBy: s.selectedBy,
    present: s.present,
    up: !!s.up,
    mtu: s.mtu,
    peerCount: s.peerCount,
    ...peerParams(s.peers),
    ovpnMode: s.openvpn?.mode ?? null,
    ovpnState: s.openvpn?.state ?? null,
  };
  return evidence('tunnel.state', M.state(params), data);
}

/** Local LAN networks: connected routes (no gateway) on interfaces that are not tunnels. */
export function lanPrefixes(ctx: RuleContext): Array<{ prefix: string; dev: string; text: string | null }> {
  const s = ctx.snapshot;
  const tunnelDevs = new Set(tunnels(ctx).map((t) => t.data.dev));
  const kindOf = new Map((s?.links.ok ? s.links.value : []).map((l) => [l.name, l.kind]));
  const isTunnel = (dev: string): boolean => tunnelDevs.has(dev) || TUNNEL_LINK_KINDS.has(kindOf.get(dev) ?? '');
  const out: Array<{ prefix: string; dev: string; text: string | null }> = [];
  if (s?.routes.ok) {
    for (const r of s.routes.value) {
      if (r.type === 'unicast' && r.table === 'main' && !r.gateway && r.dev && !isTunnel(r.dev) && r.dst !== '0.0.0.0/0' && r.dst !== '::/0' && !/^fe80:/i.test(r.dst))
        out.push({ prefix: r.dst, dev: r.dev, text: r.text });
    }
  }
  if (out.length === 0) {
    for (const l of ofKind(ctx.observations, 'host.links')[0]?.data.links ?? []) {
      if (l.loopback || isTunnel(l.name)) continue;
      for (const a of l.addresses) if (a.scope === 'global') out.push({ prefix: `${a.address}/${a.prefixlen}`, dev: l.name, text: null });
    }
  }
  return out;
}

/**
 * Whether `address` lies in a tunnel the tunnel layer walked that does not carry it now: the tunnel
 * is missing, down, only configured, its handshake fails, or the route does not enter it. Network
 * findings about such an address (no route, a router's unreachable, a trace that dies) are then
 * symptoms of the tunnel (VPN-00N), not underlay faults; the endpoint's own address is never in it.
 */
export function inBrokenTunnel(ctx: RuleContext, address: string): boolean {
  return tunnels(ctx).some(({ data: s }) => {
    const inside = s.networks.some((n) => prefixCovers(n, address)) || (s.selectedBy !== 'network' && targetAddresses(ctx).some((a) => sameIp(a, address)));
    if (!inside) return false;
    if (!s.present || s.up === false || s.source !== 'running') return true;
    const h = handshakeOf(ctx, s.dev)?.outcome;
    if (h === 'no-response' || h === 'stalled') return true;
    const r = ofKind(ctx.observations, 'route.lookup').find((x) => sameIp(x.data.destination, address));
    if (!r || r.data.outcome !== 'route' || r.data.dev !== s.dev) return !!r;
    // Routed into a WireGuard interface where no peer allows it (VPN-008).
    return s.kind === 'wireguard' && s.carrier === null;
  });
}
