import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind } from './types.js';
import type { Fix } from '../model/report.js';
import { canonicalIp, sameIp, said, tr } from './helpers.js';
import type { Evidence } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';
import { endpointViews, handshakeOf, handshakeWorks, targetAddresses, tunnels } from './vpn-common.js';

export const meta: RuleMeta = {
  code: 'NET-004',
  slug: 'route-conflict',
  layer: 'network',
  severity: 'error',
  title: { en: 'Traffic to {dst} goes {actual}, not via {expected}', zh: '路由冲突/错误路由：发往 {dst} 的流量走 {actual}，而不是经由 {expected}' },
  explanation: {
    en: 'The kernel sends {dst} along "{route}" (table {table}), but the intended next hop is {expected}. A more specific route, a lower-metric default or a policy rule wins over the route the operator meant, so the traffic takes another gateway or interface.',
    zh: '内核按 "{route}"（路由表 {table}）发送到 {dst} 的流量，而预期的下一跳是 {expected}。一条更具体的路由、一条 metric 更低的默认路由或一条策略规则压过了运维人员本意的路由，使流量走了别的网关或网卡。',
  },
  evidence: {
    en: 'Every candidate route and policy rule with its metric, the one the kernel chose (`ip route get`), and `--expect-gateway`.',
    zh: '所有候选路由和策略规则及其 metric、内核选中的那一条（`ip route get`），以及 `--expect-gateway`。',
  },
  fix: [
    { summary: { en: 'Delete the route that steers {dst} away from {expected}', zh: '删除把 {dst} 引离 {expected} 的路由' }, command: 'ip route del {offending}' },
    { summary: { en: 'Or send {dst} through {expected} with a host route', zh: '或者添加一条经由 {expected} 到 {dst} 的主机路由' }, command: 'ip route add {hostPrefix} via {expected}' },
  ],
  explains: ['HOST-004', 'DNS-001', 'DNS-006', 'NET-002', 'NET-003', 'NET-005', 'NET-007', 'NET-008', 'NET-010', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-001', 'APP-002'],
};

const isDefault = (prefix: string): boolean => prefix === 'default' || prefix === '0.0.0.0/0' || prefix === '::/0';

/** Two prefixes are the same network ('203.0.113.10' and '203.0.113.10/32' too). */
function samePrefix(a: string, b: string): boolean {
  const norm = (p: string): string => {
    if (isDefault(p)) return 'default';
    const [addr, len] = p.split('/');
    return `${canonicalIp(addr!)}/${len ?? (addr!.includes(':') ? '128' : '32')}`;
  };
  return norm(a) === norm(b);
}

type Misroute = { route: ObservationData['route.lookup']; expected: string; silence: string; evidence: Evidence[]; dev?: string; endpoint?: string; how: { en: string; zh: string } };

const TUNNEL_KINDS = new Set(['tun', 'tap', 'wireguard', 'vxlan', 'gre', 'ipip', 'sit', 'ip6tnl', 'geneve']);

/**
 * The target itself answers nothing (no echo reply, no TCP answer) and the kernel sends it by a
 * route that is not the main table's default: a more specific route through another gateway, a
 * policy rule to another table, or a lower-metric default via another gateway than a second
 * default. The field case: a host route via a second ISP line that discards the traffic, which a
 * trace can only call "lost after the gateway" and whose naive fix (`ip route replace default via
 * MAIN-GW`) changes nothing.
 */
function targetMisroute(ctx: Parameters<Rule['check']>[0]): Misroute | null {
  if (ofKind(ctx.observations, 'firewall.verdict').some((v) => v.data.verdict === 'DROP' || v.data.verdict === 'REJECT')) return null;
  const tunnelDevs = new Set([
    ...tunnels(ctx).map((t) => t.data.dev),
    ...ofKind(ctx.observations, 'host.links').flatMap((l) => l.data.links.filter((x) => x.kind && TUNNEL_KINDS.has(x.kind)).map((x) => x.name)),
  ]);
  for (const addr of targetAddresses(ctx)) {
    const d = ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, addr))?.data;
    if (!d || d.outcome !== 'route' || !d.gateway || (d.dev && tunnelDevs.has(d.dev))) continue;
    const echo = ofKind(ctx.observations, 'icmp.echo').filter((e) => sameIp(e.data.address, addr) && e.data.method !== 'unavailable' && e.data.sent > 0);
    const tcp = ofKind(ctx.observations, 'tcp.connect').filter((c) => sameIp(c.data.address, addr));
    const trace = ofKind(ctx.observations, 'trace.path').filter((t) => sameIp(t.data.target, addr));
    if (echo.length === 0 && tcp.length === 0) continue;
    const answered = echo.some((e) => e.data.received > 0) || tcp.some((c) => c.data.outcome !== 'filtered') || trace.some((t) => t.data.reached);
    if (answered) continue;
    const defaults = [
      ...d.candidates.filter((c) => isDefault(c.prefix) && c.type === 'unicast' && c.table === 'main').map((c) => ({ gateway: c.gateway, dev: c.dev, metric: c.metric ?? 0 })),
      ...(ctx.snapshot?.routes.ok
        ? ctx.snapshot.routes.value
            .filter((x) => x.family === d.family && isDefault(x.dst) && x.type === 'unicast' && x.table === 'main')
            .map((x) => ({ gateway: x.gateway, dev: x.dev, metric: x.metric ?? 0 }))
        : []),
    ].filter((x): x is { gateway: string; dev: string | null; metric: number } => !!x.gateway);
    const chosen =
      d.candidates.find((c) => d.route !== null && c.text === d.route) ?? d.candidates.find((c) => sameIp(c.gateway, d.gateway) && c.dev === d.dev && (d.table === null || c.table === d.table));
    const others = defaults.filter((x) => !sameIp(x.gateway, d.gateway));
    if (others.length === 0) continue;
    const policy = d.table && d.table !== 'main' && d.table !== 'local' ? d.rules.find((x) => x.table === d.table && x.priority < 32766) : undefined;
    let how: { en: string; zh: string };
    let alt = others[0]!;
    if (policy) {
      how = {
        en: `The policy rule "${policy.text}" sends it to table ${d.table}, consulted before the main table.`,
        zh: `策略规则 "${policy.text}" 把它导向路由表 ${d.table}，该表在主路由表之前被查询。`,
      };
    } else if (chosen && !isDefault(chosen.prefix)) {
      how = { en: `The route "${chosen.text}" is more specific than the default route, so it wins.`, zh: `路由 "${chosen.text}" 比默认路由更具体，所以胜出。` };
    } else if (chosen && isDefault(chosen.prefix) && chosen.table === 'main') {
      // Two defaults: the chosen one wins by its lower metric.
      const higher = others.filter((x) => x.metric > (chosen.metric ?? 0)).sort((a, b) => a.metric - b.metric);
      if (higher.length === 0) continue;
      alt = higher[0]!;
      how = {
        en: `Two default routes compete; "${chosen.text}" wins by its lower metric (${chosen.metric ?? 0} < ${alt.metric}).`,
        zh: `两条默认路由竞争；"${chosen.text}" 因 metric 更低（${chosen.metric ?? 0} < ${alt.metric}）而胜出。`,
      };
    } else continue;
    const silence = tr(
      ctx.lang,
      [
        echo.length > 0 ? `${echo.reduce((n, e) => n + e.data.received, 0)}/${echo.reduce((n, e) => n + e.data.sent, 0)} ICMP replies` : '',
        tcp.length > 0 ? `TCP ${tcp.map((c) => `:${c.data.port} ${c.data.outcome}`).join(', ')}` : '',
        trace.length > 0 ? 'the trace never reaches it' : '',
      ]
        .filter(Boolean)
        .join(', '),
      [
        echo.length > 0 ? `ICMP 回复 ${echo.reduce((n, e) => n + e.data.received, 0)}/${echo.reduce((n, e) => n + e.data.sent, 0)}` : '',
        tcp.length > 0 ? `TCP ${tcp.map((c) => `:${c.data.port} ${said(ctx.lang, c.data.outcome)}`).join('，')}` : '',
        trace.length > 0 ? '路径追踪始终到不了它' : '',
      ]
        .filter(Boolean)
        .join('，'),
    );
    return { route: d, expected: alt.gateway, silence, how, evidence: [] };
  }
  return null;
}

/** Checks the case that can be proven: --expect-gateway names a next hop the kernel does not use. */
export const rule: Rule = {
  meta,
  check(ctx) {
    // Without --expect-gateway: a silent VPN endpoint or a silent target steered away from the
    // main table's default gateway by a more specific route, a policy rule or a lower-metric
    // default.
    const misroute = ctx.options.expectGateway ? null : (endpointMisroute(ctx) ?? targetMisroute(ctx));
    const expected = ctx.options.expectGateway ?? misroute?.expected;
    if (!expected) return null;
    // Only a route of the expected gateway's family can be compared with it (an IPv4 gateway says
    // nothing about the IPv6 route of a dual-stack target).
    const expFamily = expected.includes(':') ? 6 : 4;
    const lookups = ofKind(ctx.observations, 'route.lookup').filter((r) => r.data.outcome === 'route' && r.data.family === expFamily);
    // The target's own lookup (the engine may also look up resolver addresses).
    const targetAddrs = ctx.target.ipFamily !== null ? [ctx.target.host] : ofKind(ctx.observations, 'dns.system').flatMap((o) => o.data.addresses.map((a) => a.address));
    const r = misroute ? { data: misroute.route } : (lookups.find((x) => targetAddrs.some((a) => sameIp(a, x.data.destination))) ?? lookups[0]);
    if (!r) return null;
    const d = r.data;
    if (sameIp(d.gateway, expected)) return null;
    const actual = d.gateway
      ? tr(ctx.lang, `via ${d.gateway} dev ${d.dev ?? '?'}`, `经由 ${d.dev ?? '?'} 上的 ${d.gateway}`)
      : tr(ctx.lang, `directly out of ${d.dev ?? '?'}`, `直接从 ${d.dev ?? '?'} 发出`);
    const chosenText = d.route ?? (d.gateway ? `via ${d.gateway} dev ${d.dev}` : `dev ${d.dev}`);
    // The offending route: the candidate the kernel used (same gateway+dev, most specific first).
    const offending =
      d.candidates.find((c) => d.route !== null && c.text === d.route) ??
      d.candidates.find((c) => (d.gateway ? sameIp(c.gateway, d.gateway) : c.gateway === null) && c.dev === d.dev && (d.table === null || c.table === d.table));
    const expectedCand = d.candidates.find((c) => sameIp(c.gateway, expected));
    const hostPrefix = `${canonicalIp(d.destination)}/${d.family === 4 ? 32 : 128}`;
    const tableSuffix = (text: string, table: string) => (table !== 'main' && !/\btable\b/.test(text) ? ` table ${table}` : '');
    // A policy rule that sends the target to a table other than main, consulted before main.
    const policy = d.table && d.table !== 'main' && d.table !== 'local' ? d.rules.find((x) => x.table === d.table && x.priority < 32766) : undefined;

    const candidates = d.candidates.map((c) => `${c.text}${tableSuffix(c.text, c.table)}${c.metric !== null && !/metric/.test(c.text) ? ` metric ${c.metric}` : ''}`);
    const fix: Fix[] = [];
    if (policy) {
      fix.push({
        summary: tr(
          ctx.lang,
          `Delete the policy rule ${policy.priority} that sends ${d.destination} to table ${d.table}`,
          `删除把 ${d.destination} 导向路由表 ${d.table} 的策略规则 ${policy.priority}`,
        ),
        command: `ip${d.family === 6 ? ' -6' : ''} rule del priority ${policy.priority}`,
      });
    }
    if (offending && expectedCand && !policy) {
      const del = `${offending.text}${tableSuffix(offending.text, offending.table)}`;
      fix.push({
        summary: tr(ctx.lang, `Delete the route that wins over the one via ${expected}: ${offending.text}`, `删除压过经由 ${expected} 路由的那条路由：\`${offending.text}\``),
        command: `ip${d.family === 6 ? ' -6' : ''} route del ${del}`,
      });
    }
    if (!policy && (!(offending && expectedCand) || !isDefault(offending.prefix))) {
      const or = fix.length > 0;
      // `add` of a prefix that already has a route in main fails (File exists): that route is replaced instead.
      const taken = offending && offending.table === 'main' && samePrefix(offending.prefix, hostPrefix) && (offending.metric ?? 0) === 0;
      fix.push({
        summary: tr(ctx.lang, `${or ? 'Or send' : 'Send'} ${d.destination} through ${expected} with a host route`, `${or ? '或者' : ''}添加一条经由 ${expected} 到 ${d.destination} 的主机路由`),
        command: `ip${d.family === 6 ? ' -6' : ''} route ${taken ? 'replace' : 'add'} ${hostPrefix} via ${canonicalIp(expected)}`,
      });
    }

    return makeFinding(meta, ctx, {
      vars: { dst: d.destination, actual, expected, route: chosenText, table: d.table ?? 'main', offending: offending?.text ?? chosenText, hostPrefix },
      ...(misroute?.dev
        ? {
            explanation: tr(
              ctx.lang,
              `The kernel sends ${d.destination}, the server of the tunnel ${misroute.dev} (${misroute.endpoint}), along "${chosenText}" (table ${d.table ?? 'main'}) instead of the default route via ${expected}, and nothing answers through it (${misroute.silence}). A more specific route or a policy rule steers the VPN server's address to another gateway or ISP.`,
              `内核按 "${chosenText}"（路由表 ${d.table ?? 'main'}）发送到隧道 ${misroute.dev} 的服务器 ${d.destination}（${misroute.endpoint}），而不是经由默认路由的 ${expected}，且经该路径没有任何响应（${misroute.silence}）。一条更具体的路由或策略规则把 VPN 服务器地址引向了另一个网关/运营商。`,
            ),
          }
        : misroute
          ? {
              explanation: tr(
                ctx.lang,
                `The kernel sends ${d.destination} along "${chosenText}" (table ${d.table ?? 'main'}) instead of the main table's default route via ${expected}, and nothing answers through it (${misroute.silence}). ${misroute.how.en} The route via ${expected} is the one everything else uses; the one that wins here leaves by another gateway or ISP line that does not deliver to ${d.destination}.`,
                `内核按 "${chosenText}"（路由表 ${d.table ?? 'main'}）发送到 ${d.destination} 的流量，而不是经由主路由表默认路由的 ${expected}，且经该路径没有任何响应（${misroute.silence}）。${misroute.how.zh}其余流量都走经由 ${expected} 的路由；这里胜出的那条从另一个网关/ISP线路出去，而该线路送不到 ${d.destination}。`,
              ),
            }
          : {}),
      evidence: [
        ...(misroute?.evidence ?? []),
        evidence(
          'route.lookup',
          tr(
            ctx.lang,
            `ip route get ${d.destination}: ${chosenText} (table ${d.table ?? 'main'}); expected gateway ${expected}${misroute ? ' (the main default route)' : ''}`,
            `ip route get ${d.destination}：\`${chosenText}\`（路由表 ${d.table ?? 'main'}）；预期网关 ${expected}${misroute ? '（主路由表的默认路由）' : ''}`,
          ),
          {
            destination: d.destination,
            gateway: d.gateway,
            dev: d.dev,
            table: d.table,
            route: d.route,
            expectGateway: expected,
          },
        ),
        ...(d.candidates.length > 0
          ? [evidence('route.lookup', tr(ctx.lang, `candidates: ${candidates.join(' | ')}`, `候选路由：${candidates.map((c) => `\`${c}\``).join(' | ')}`), { candidates: d.candidates })]
          : []),
        ...(policy ? [evidence('route.lookup', tr(ctx.lang, `policy rule: ${policy.text}`, `策略规则：\`${policy.text}\``), { rule: policy })] : []),
      ],
      fix,
    });
  },
};

/**
 * A tunnel endpoint that answers nothing (no ICMP reply, no handshake, no port answer) while its
 * route is a more specific route or policy rule through another gateway than the default route:
 * the seed's "a region's route to the VPN server points at the wrong ISP".
 */
function endpointMisroute(ctx: Parameters<Rule['check']>[0]): Misroute | null {
  for (const { data: s } of tunnels(ctx)) {
    if (handshakeWorks(handshakeOf(ctx, s.dev))) continue;
    for (const v of endpointViews(ctx, s.dev)) {
      const d = v.route;
      if (v.answered || !d || d.outcome !== 'route' || !d.gateway || v.broken.length === 0) continue;
      const defaults = [
        ...d.candidates.filter((c) => isDefault(c.prefix) && c.type === 'unicast').map((c) => ({ gateway: c.gateway, table: c.table })),
        ...(ctx.snapshot?.routes.ok
          ? ctx.snapshot.routes.value.filter((x) => x.family === d.family && isDefault(x.dst) && x.type === 'unicast' && x.table === 'main').map((x) => ({ gateway: x.gateway, table: x.table }))
          : []),
      ];
      const chosenIsDefault =
        d.candidates.some((c) => isDefault(c.prefix) && sameIp(c.gateway, d.gateway) && (d.table === null || c.table === d.table)) &&
        !d.candidates.some((c) => !isDefault(c.prefix) && sameIp(c.gateway, d.gateway));
      if (chosenIsDefault) continue;
      const alt = defaults.find((x) => x.gateway && !sameIp(x.gateway, d.gateway) && x.table === 'main');
      if (!alt?.gateway) continue;
      const silence = tr(
        ctx.lang,
        `${v.echo ? `${v.echo.received}/${v.echo.sent} ICMP replies` : 'no ICMP'}, ${s.kind === 'wireguard' ? 'no WireGuard handshake' : v.ep.probe.method !== 'none' ? `${v.ep.probe.method}: ${v.ep.probe.outcome}` : 'no tunnel handshake'}`,
        `${v.echo ? `ICMP 回复 ${v.echo.received}/${v.echo.sent}` : '无 ICMP'}，${s.kind === 'wireguard' ? '无 WireGuard 握手' : '隧道握手无响应'}`,
      );
      return {
        route: d,
        expected: alt.gateway,
        dev: s.dev,
        endpoint: v.label,
        silence,
        how: { en: '', zh: '' },
        evidence: [
          evidence('tunnel.endpoint', tr(ctx.lang, `VPN endpoint ${v.label} of ${s.dev}: ${v.broken.join('; ')}`, `${s.dev} 的 VPN 端点 ${v.label}：${v.broken.join('；')}`), {
            dev: s.dev,
            endpoint: v.label,
          }),
        ],
      };
    }
  }
  return null;
}
