/**
 * Shared reading of the tunnel layer's observations for the VPN-00N rules (pure): the tunnels that
 * should carry the target, their handshake, each endpoint with its underlay (route, gateway,
 * ICMP, the endpoint's port), and the target's own route lookup.
 */
import type { Lang } from '../model/layer.js';
import type { Observation, ObservationData } from '../model/observation.js';
import type { Evidence } from '../model/report.js';
import { evidence, ofKind, type RuleContext } from './types.js';
import { sameIp } from './helpers.js';
import { defineMessages, semicolonList, type Msg } from '../model/message.js';
import { outcome } from './words.js';
import { prefixCovers } from '../model/prefix.js';
import { TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';

type D<K extends keyof ObservationData> = ObservationData[K];

/** Sentences shared by the VPN rules (endpoint checks, tunnel state, ages). */
export const vpnText = defineMessages('vpnText', {
  resolves: { en: 'endpoint name {name}: {addresses}', zh: '端点域名 {name}：{addresses}' },
  noResolve: { en: 'endpoint name {name}: does not resolve ({error})', zh: '端点域名 {name}：无法解析（{error}）' },
  noAddress: { en: 'no address', zh: '无地址' },
  brokenResolve: { en: 'the endpoint name {name} does not resolve ({error})', zh: '端点域名 {name} 无法解析（{error}）' },
  lookup: { en: 'ip route get {dst} (endpoint {endpoint}): {route}', zh: 'ip route get {dst}（端点 {endpoint}）：{route}' },
  lookupFailed: { en: '{outcome}: {error}', zh: '{outcome}：{error}' },
  brokenNoRoute: { en: 'the underlay has no route to {dst}', zh: '底层网络中没有到 {dst} 的路由' },
  brokenRoute: { en: 'the underlay has a {outcome} route to {dst}', zh: '底层网络中到 {dst} 的路由为 {outcome}' },
  gateway: { en: 'gateway {gateway} dev {dev} (towards the endpoint): {state}, {answer}', zh: '网关 {gateway} dev {dev}（通往端点）：{state}，{answer}' },
  noNeighbor: { en: 'no neighbor entry', zh: '无邻居表项' },
  answered: { en: 'answered', zh: '有应答' },
  noAnswer: { en: 'no answer', zh: '无应答' },
  brokenGateway: { en: 'its gateway {gateway} does not answer', zh: '其网关 {gateway} 无响应' },
  echo: { en: 'ping {address} (endpoint): {received}/{sent} replies', zh: 'ping {address}（端点）：收到 {received}/{sent} 个回复' },
  echoIcmp: { en: 'ping {address} (endpoint): {received}/{sent} replies; ICMP {name} from {from}', zh: 'ping {address}（端点）：收到 {received}/{sent} 个回复；{from} 返回 ICMP {name}' },
  brokenIcmp: { en: '{from} reports {name} for it', zh: '{from} 返回 {name}' },
  resetProbe: { en: 'OpenVPN hard-reset probe', zh: 'OpenVPN 握手重置探测' },
  tcpConnect: { en: 'TCP connect', zh: 'TCP 连接' },
  probe: { en: '{what} to {endpoint}: {outcome}', zh: '到 {endpoint} 的{what}：{outcome}' },
  probeReason: { en: '{what} to {endpoint}: {outcome} ({reason})', zh: '到 {endpoint} 的{what}：{outcome}（{reason}）' },
  brokenRefused: { en: 'nothing listens on {proto} port {port} there', zh: '该主机的 {proto} 端口 {port} 无服务监听' },
  brokenSilent: { en: 'neither ICMP nor {what} gets an answer from {address}', zh: '{address} 对 ICMP 和{what}均无响应' },
  theHandshake: { en: 'the tunnel handshake', zh: '隧道握手' },
  port: { en: '{proto} port {port}', zh: '{proto} 端口 {port}' },
  unknown: { en: 'unknown', zh: '未知' },
  never: { en: 'never', zh: '从未' },
  agoS: { en: '{n} s ago', zh: '{n} 秒前' },
  agoMin: { en: '{n} min ago', zh: '{n} 分钟前' },
  agoH: { en: '{n} h ago', zh: '{n} 小时前' },
  agoD: { en: '{n} d ago', zh: '{n} 天前' },
  noInterface: { en: 'no such interface', zh: '接口不存在' },
  linkUp: { en: 'up, mtu {mtu}', zh: '已启用，MTU {mtu}' },
  linkDown: { en: 'DOWN, mtu {mtu}', zh: '未启用（DOWN），MTU {mtu}' },
  peer: { en: '{name} {endpoint} allowed {allowed}', zh: '{name} 端点 {endpoint}，允许 {allowed}' },
  noEndpoint: { en: 'no endpoint', zh: '无端点' },
  openvpn: { en: '; openvpn {mode}, state {state}', zh: '；openvpn {mode}，状态 {state}' },
  state: { en: '{kind} {dev} ({source}, chosen by {selectedBy}): {link}; {count} peer(s){peers}{openvpn}', zh: '{kind} {dev}（{source}，依据 {selectedBy} 选定）：{link}；对端 {count} 个{peers}{openvpn}' },
  peers: { en: ': {list}', zh: '：{list}' },
});

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

export interface EndpointView {
  ep: D<'tunnel.endpoint'>;
  label: string;
  route: D<'route.lookup'> | null;
  gateway: D<'gateway.neighbor'> | null;
  echo: D<'icmp.echo'> | null;
  /** Why the endpoint cannot be reached over the underlay (empty: nothing says so). */
  broken: Msg[];
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

/** Every endpoint of a tunnel with its underlay facts and the evidence lines that name it. */
export function endpointViews(ctx: RuleContext, dev: string): EndpointView[] {
  return ofKind(ctx.observations, 'tunnel.endpoint')
    .filter((e) => e.data.dev === dev)
    .map(({ data: ep }) => {
      const label = endpointLabel(ep);
      const route = ep.address ? (ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, ep.address)) ?? null)?.data ?? null : null;
      const gateway = route?.gateway ? (ofKind(ctx.observations, 'gateway.neighbor').find((g) => sameIp(g.data.gateway, route.gateway))?.data ?? null) : null;
      const echo = ep.address ? (ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, ep.address))?.data ?? null) : null;
      const broken: Msg[] = [];
      const ev: Evidence[] = [];
      if (ep.resolve) {
        const r = ep.resolve;
        const ok = r.addresses.length > 0;
        ev.push(evidence('tunnel.endpoint', ok ? vpnText('resolves', { name: r.name, addresses: r.addresses.join(', ') }) : vpnText('noResolve', { name: r.name, error: r.error ?? vpnText('noAddress') }), { name: r.name, addresses: r.addresses, error: r.error }));
        if (!ok) broken.push(vpnText('brokenResolve', { name: r.name, error: r.error ?? vpnText('noAddress') }));
      }
      if (route) {
        const text = route.outcome === 'route' ? (route.route ?? `${route.gateway ? `via ${route.gateway} ` : ''}dev ${route.dev}`) : route.error ? vpnText('lookupFailed', { outcome: outcome(route.outcome), error: route.error }) : outcome(route.outcome);
        ev.push(evidence('route.lookup', vpnText('lookup', { dst: route.destination, endpoint: label, route: text }), { destination: route.destination, outcome: route.outcome, gateway: route.gateway, dev: route.dev, route: route.route }));
        if (route.outcome !== 'route') broken.push(route.outcome === 'no-route' ? vpnText('brokenNoRoute', { dst: route.destination }) : vpnText('brokenRoute', { outcome: outcome(route.outcome), dst: route.destination }));
      }
      if (gateway) {
        const bad = gateway.state === 'FAILED' || gateway.state === 'INCOMPLETE' || gateway.answered === false;
        if (bad) {
          ev.push(evidence('gateway.neighbor', vpnText('gateway', { gateway: gateway.gateway, dev: gateway.dev, state: gateway.state ?? vpnText('noNeighbor'), answer: vpnText(gateway.answered ? 'answered' : 'noAnswer') }), { ...gateway }));
          broken.push(vpnText('brokenGateway', { gateway: gateway.gateway }));
        }
      }
      if (echo && echo.method !== 'unavailable') {
        const errs = echo.errors.filter((e) => e.type !== 11 || e.code !== 0);
        ev.push(evidence('icmp.echo', errs.length > 0 ? vpnText('echoIcmp', { address: echo.address, received: echo.received, sent: echo.sent, name: errs[0]!.name, from: errs[0]!.from }) : vpnText('echo', { address: echo.address, received: echo.received, sent: echo.sent }), { address: echo.address, sent: echo.sent, received: echo.received, errors: errs }));
        if (errs.length > 0 && echo.received === 0) broken.push(vpnText('brokenIcmp', { from: errs[0]!.from, name: errs[0]!.name }));
      }
      const probe = ep.probe;
      if (probe.method !== 'none') {
        const what = vpnText(probe.method === 'openvpn-reset' ? 'resetProbe' : 'tcpConnect');
        ev.push(evidence('tunnel.endpoint', vpnText(probe.reason ? 'probeReason' : 'probe', { what, endpoint: label, outcome: outcome(probe.outcome), ...(probe.reason ? { reason: probe.reason } : {}) }), { probe }));
        if (probe.outcome === 'refused') broken.push(vpnText('brokenRefused', { proto: ep.proto.toUpperCase(), port: ep.port }));
      }
      const answered = (echo?.received ?? 0) > 0 || PORT_ANSWERED.has(probe.outcome);
      // Silence everywhere is a fact too: no ICMP reply and the port (when probed) did not answer.
      const silent = !answered && !!echo && echo.method !== 'unavailable' && echo.sent > 0 && (probe.method === 'none' || PORT_DEAD.has(probe.outcome));
      if (silent && broken.length === 0) broken.push(vpnText('brokenSilent', { what: probe.method === 'none' ? vpnText('theHandshake') : vpnText('port', { proto: ep.proto.toUpperCase(), port: ep.port }), address: ep.address ?? ep.host }));
      return { ep, label, route, gateway, echo, broken, answered, evidence: ev };
    });
}

/** 'never', '3 min ago' … for a unix time relative to now. */
export function ago(unix: number | null, now: Date, _lang?: Lang): Msg {
  if (unix === null) return vpnText('unknown');
  if (unix === 0) return vpnText('never');
  const s = Math.max(0, Math.round(now.getTime() / 1000 - unix));
  return s < 120 ? vpnText('agoS', { n: s }) : s < 7200 ? vpnText('agoMin', { n: Math.round(s / 60) }) : s < 172800 ? vpnText('agoH', { n: Math.round(s / 3600) }) : vpnText('agoD', { n: Math.round(s / 86400) });
}

/** Evidence line for a tunnel state. */
export function stateEvidence(s: D<'tunnel.state'>): Evidence {
  const link = !s.present ? vpnText('noInterface') : vpnText(s.up ? 'linkUp' : 'linkDown', { mtu: s.mtu ?? '?' });
  const peers = s.peers.slice(0, 3).map((p) => vpnText('peer', { name: p.name ?? (p.publicKey ? `${p.publicKey.slice(0, 8)}…` : 'peer'), endpoint: p.endpoint ?? vpnText('noEndpoint'), allowed: p.allowedIps.join(',') || '-' }));
  const ovpn = s.openvpn ? vpnText('openvpn', { mode: s.openvpn.mode, state: s.openvpn.state ?? vpnText('unknown') }) : '';
  return evidence('tunnel.state', vpnText('state', { kind: s.kind, dev: s.dev, source: s.source, selectedBy: s.selectedBy, link, count: s.peerCount, peers: peers.length ? vpnText('peers', { list: semicolonList(peers) }) : '', openvpn: ovpn }), {
    dev: s.dev,
    kind: s.kind,
    source: s.source,
    present: s.present,
    up: s.up,
    mtu: s.mtu,
    networks: s.networks,
    targetNetwork: s.targetNetwork,
  });
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
      if (r.type === 'unicast' && r.table === 'main' && !r.gateway && r.dev && !isTunnel(r.dev) && r.dst !== '0.0.0.0/0' && r.dst !== '::/0' && !/^fe80:/i.test(r.dst)) out.push({ prefix: r.dst, dev: r.dev, text: r.text });
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
