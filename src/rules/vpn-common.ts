/**
 * Shared reading of the tunnel layer's observations for the VPN-00N rules (pure): the tunnels that
 * should carry the target, their handshake, each endpoint with its underlay (route, gateway,
 * ICMP, the endpoint's port), and the target's own route lookup.
 */
import type { Lang } from '../model/layer.js';
import type { Observation, ObservationData } from '../model/observation.js';
import type { Evidence } from '../model/report.js';
import { evidence, ofKind, type RuleContext } from './types.js';
import { sameIp, said, tr } from './helpers.js';
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

export interface EndpointView {
  ep: D<'tunnel.endpoint'>;
  label: string;
  route: D<'route.lookup'> | null;
  gateway: D<'gateway.neighbor'> | null;
  echo: D<'icmp.echo'> | null;
  /** Why the endpoint cannot be reached over the underlay (empty: nothing says so). */
  broken: string[];
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
    .map(({ data: ep }) => endpointView(ctx, ep));
}

/** One endpoint with its underlay facts. */
function endpointView(ctx: RuleContext, ep: D<'tunnel.endpoint'>): EndpointView {
  const lang = ctx.lang;
  const label = endpointLabel(ep);
  const route = ep.address ? ((ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, ep.address)) ?? null)?.data ?? null) : null;
  const gateway = route?.gateway ? (ofKind(ctx.observations, 'gateway.neighbor').find((g) => sameIp(g.data.gateway, route.gateway))?.data ?? null) : null;
  const echo = ep.address ? (ofKind(ctx.observations, 'icmp.echo').find((e) => sameIp(e.data.address, ep.address))?.data ?? null) : null;
  const broken: string[] = [];
  const ev: Evidence[] = [];
  if (ep.resolve) {
    const r = ep.resolve;
    const ok = r.addresses.length > 0;
    ev.push(
      evidence(
        'tunnel.endpoint',
        tr(
          lang,
          `endpoint name ${r.name}: ${ok ? r.addresses.join(', ') : `does not resolve (${r.error ?? 'no address'})`}`,
          `端点域名 ${r.name}：${ok ? r.addresses.join(', ') : `无法解析（${r.error ?? '无地址'}）`}`,
        ),
        { name: r.name, addresses: r.addresses, error: r.error },
      ),
    );
    if (!ok) broken.push(tr(lang, `the endpoint name ${r.name} does not resolve (${r.error ?? 'no address'})`, `端点域名 ${r.name} 无法解析（${r.error ?? '无地址'}）`));
  }
  if (route) {
    ev.push(routeEvidence(lang, route, label));
    if (route.outcome !== 'route')
      broken.push(
        tr(
          lang,
          `the underlay has ${route.outcome === 'no-route' ? 'no route' : `a ${route.outcome} route`} to ${route.destination}`,
          route.outcome === 'no-route' ? `底层网络中没有到 ${route.destination} 的路由` : `底层网络中到 ${route.destination} 的路由为${said(lang, route.outcome)}`,
        ),
      );
  }
  if (gateway && (gateway.state === 'FAILED' || gateway.state === 'INCOMPLETE' || gateway.answered === false)) {
    ev.push(
      evidence(
        'gateway.neighbor',
        tr(
          lang,
          `gateway ${gateway.gateway} dev ${gateway.dev} (towards the endpoint): ${gateway.state ?? 'no neighbor entry'}, ${gateway.answered ? 'answered' : 'no answer'}`,
          `网关 ${gateway.gateway} dev ${gateway.dev}（通往端点）：${gateway.state ?? '无邻居表项'}，${gateway.answered ? '有应答' : '无应答'}`,
        ),
        { ...gateway },
      ),
    );
    broken.push(tr(lang, `its gateway ${gateway.gateway} does not answer`, `其网关 ${gateway.gateway} 无响应`));
  }
  if (echo && echo.method !== 'unavailable') {
    const errs = echo.errors.filter((e) => e.type !== 11 || e.code !== 0);
    ev.push(
      evidence(
        'icmp.echo',
        tr(
          lang,
          `ping ${echo.address} (endpoint): ${echo.received}/${echo.sent} replies${errs.length > 0 ? `; ICMP ${errs[0]!.name} from ${errs[0]!.from}` : ''}`,
          `ping ${echo.address}（端点）：收到 ${echo.received}/${echo.sent} 个回复${errs.length > 0 ? `；${errs[0]!.from} 返回 ICMP ${errs[0]!.name}` : ''}`,
        ),
        { address: echo.address, sent: echo.sent, received: echo.received, errors: errs },
      ),
    );
    if (errs.length > 0 && echo.received === 0) broken.push(tr(lang, `${errs[0]!.from} reports ${errs[0]!.name} for it`, `${errs[0]!.from} 返回 ${errs[0]!.name}`));
  }
  const probe = ep.probe;
  if (probe.method !== 'none') {
    ev.push(probeEvidence(lang, probe, label));
    if (probe.outcome === 'refused') broken.push(tr(lang, `nothing listens on ${ep.proto.toUpperCase()} port ${ep.port} there`, `该主机的 ${ep.proto.toUpperCase()} 端口 ${ep.port} 无服务监听`));
  }
  const answered = (echo?.received ?? 0) > 0 || PORT_ANSWERED.has(probe.outcome);
  // Silence everywhere is a fact too: no ICMP reply and the port (when probed) did not answer.
  const silent = !answered && !!echo && echo.method !== 'unavailable' && echo.sent > 0 && (probe.method === 'none' || PORT_DEAD.has(probe.outcome));
  if (silent && broken.length === 0)
    broken.push(
      tr(
        lang,
        `neither ICMP nor ${probe.method === 'none' ? 'the tunnel handshake' : `${ep.proto.toUpperCase()} port ${ep.port}`} gets an answer from ${ep.address}`,
        `${ep.address} 对 ICMP 和${probe.method === 'none' ? '隧道握手' : `${ep.proto.toUpperCase()} 端口 ${ep.port}`}均无响应`,
      ),
    );
  return { ep, label, route, gateway, echo, broken, answered, evidence: ev };
}

/** The underlay route lookup of an endpoint. */
function routeEvidence(lang: Lang, route: D<'route.lookup'>, label: string): Evidence {
  const routeText = route.route ?? `${route.gateway ? `via ${route.gateway} ` : ''}dev ${route.dev}`;
  const text = route.outcome === 'route' ? routeText : `${route.outcome}${route.error ? `: ${route.error}` : ''}`;
  const textZh = route.outcome === 'route' ? `\`${routeText}\`` : `${said(lang, route.outcome)}${route.error ? `（"${route.error}"）` : ''}`;
  return evidence('route.lookup', tr(lang, `ip route get ${route.destination} (endpoint ${label}): ${text}`, `ip route get ${route.destination}（端点 ${label}）：${textZh}`), {
    destination: route.destination,
    outcome: route.outcome,
    gateway: route.gateway,
    dev: route.dev,
    route: route.route,
  });
}

/** The probe of an endpoint's port (OpenVPN hard reset, TCP connect). */
function probeEvidence(lang: Lang, probe: D<'tunnel.endpoint'>['probe'], label: string): Evidence {
  const what = probe.method === 'openvpn-reset' ? tr(lang, 'OpenVPN hard-reset probe', 'OpenVPN 握手重置探测') : tr(lang, 'TCP connect', 'TCP 连接');
  return evidence(
    'tunnel.endpoint',
    tr(
      lang,
      `${what} to ${label}: ${probe.outcome}${probe.reason ? ` (${probe.reason})` : ''}`,
      `到 ${label} 的 ${what}：${said(lang, probe.outcome)}${probe.reason ? `（${probeReasonZh(probe.reason)}）` : ''}`,
    ),
    { probe },
  );
}

/** 'never', '3 min ago' … for a unix time relative to now. */
export function ago(unix: number | null, now: Date, lang: Lang): string {
  if (unix === null) return tr(lang, 'unknown', '未知');
  if (unix === 0) return tr(lang, 'never', '从未');
  const s = Math.max(0, Math.round(now.getTime() / 1000 - unix));
  if (lang === 'zh') return s < 120 ? `${s} 秒前` : s < 7200 ? `${Math.round(s / 60)} 分钟前` : s < 172800 ? `${Math.round(s / 3600)} 小时前` : `${Math.round(s / 86400)} 天前`;
  const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return `${text} ago`;
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

const SOURCE_ZH: Record<D<'tunnel.state'>['source'], string> = { running: '运行中', config: '仅有配置', missing: '不存在' };
const SELECTED_ZH: Record<D<'tunnel.state'>['selectedBy'], string> = { route: '路由', network: '网段', option: '命令行选项' };

/** Evidence line for a tunnel state. */
export function stateEvidence(s: D<'tunnel.state'>, lang: Lang): Evidence {
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
  const peerName = (p: D<'tunnel.state'>['peers'][number]): string => p.name ?? (p.publicKey ? `${p.publicKey.slice(0, 8)}…` : tr(lang, 'peer', '对端'));
  if (lang === 'zh') {
    const link = !s.present ? '接口不存在' : `${s.up ? '已启用' : '未启用（DOWN）'}，MTU ${s.mtu ?? '?'}`;
    const peers = s.peers.slice(0, 3).map((p) => `${peerName(p)} 端点 ${p.endpoint ?? '无'}，允许 ${p.allowedIps.join(',') || '-'}`);
    const ovpn = s.openvpn ? `；openvpn ${s.openvpn.mode === 'client' ? '客户端' : '服务端'}，状态 ${s.openvpn.state ?? '未知'}` : '';
    return evidence(
      'tunnel.state',
      `${s.kind} ${s.dev}（${SOURCE_ZH[s.source]}，依据${SELECTED_ZH[s.selectedBy]}选定）：${link}；对端 ${s.peerCount} 个${peers.length ? `：${peers.join('；')}` : ''}${ovpn}`,
      data,
    );
  }
  const link = !s.present ? 'no such interface' : `${s.up ? 'up' : 'DOWN'}, mtu ${s.mtu ?? '?'}`;
  const peers = s.peers.slice(0, 3).map((p) => `${peerName(p)} ${p.endpoint ?? 'no endpoint'} allowed ${p.allowedIps.join(',') || '-'}`);
  const ovpn = s.openvpn ? `; openvpn ${s.openvpn.mode}, state ${s.openvpn.state ?? 'unknown'}` : '';
  return evidence('tunnel.state', `${s.kind} ${s.dev} (${s.source}, chosen by ${s.selectedBy}): ${link}; ${s.peerCount} peer(s)${peers.length ? `: ${peers.join('; ')}` : ''}${ovpn}`, data);
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
