import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding, ofKind, ruleMessages, type FixPart, type Msg } from './types.js';
import { outcome } from './words.js';
import { semicolonList } from '../model/message.js';
import { canonicalIp, sameIp } from './helpers.js';
import type { Evidence } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';
import { endpointViews, handshakeOf, handshakeWorks, tunnels } from './vpn-common.js';

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
  evidence: { en: 'Every candidate route and policy rule with its metric, the one the kernel chose (`ip route get`), and `--expect-gateway`.', zh: '所有候选路由和策略规则及其 metric、内核选中的那一条（`ip route get`），以及 `--expect-gateway`。' },
  fix: [
    { summary: { en: 'Delete the route that steers {dst} away from {expected}', zh: '删除把 {dst} 引离 {expected} 的路由' }, command: 'ip route del {offending}' },
    { summary: { en: 'Or send {dst} through {expected} with a host route', zh: '或者添加一条经由 {expected} 到 {dst} 的主机路由' }, command: 'ip route add {hostPrefix} via {expected}' },
  ],
  implemented: true,
  issue: 4,
  explains: ['HOST-004', 'DNS-001', 'DNS-006', 'NET-002', 'NET-003', 'NET-005', 'NET-007', 'NET-008', 'NET-010', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-001', 'APP-002'],
  messages: {
    via: { en: 'via {gateway} dev {dev}', zh: '经由 {dev} 上的 {gateway}' },
    direct: { en: 'directly out of {dev}', zh: '直接从 {dev} 发出' },
    delPolicy: { en: 'Delete the policy rule {priority} that sends {dst} to table {table}', zh: '删除把 {dst} 导向路由表 {table} 的策略规则 {priority}' },
    delRoute: { en: 'Delete the route that wins over the one via {expected}: {route}', zh: '删除压过经由 {expected} 路由的那条路由：{route}' },
    hostRoute: { en: 'Send {dst} through {expected} with a host route', zh: '添加一条经由 {expected} 到 {dst} 的主机路由' },
    orHostRoute: { en: 'Or send {dst} through {expected} with a host route', zh: '或者添加一条经由 {expected} 到 {dst} 的主机路由' },
    misroute: { en: "The kernel sends {dst}, the server of the tunnel {dev} ({endpoint}), along \"{route}\" (table {table}) instead of the default route via {expected}, and nothing answers through it ({silence}). A more specific route or a policy rule steers the VPN server's address to another gateway or ISP.", zh: '内核按 "{route}"（路由表 {table}）发送到隧道 {dev} 的服务器 {dst}（{endpoint}），而不是经由默认路由的 {expected}，且经该路径没有任何响应（{silence}）。一条更具体的路由或策略规则把 VPN 服务器地址引向了另一个网关/运营商。' },
    lookup: { en: 'ip route get {dst}: {route} (table {table}); expected gateway {expected}', zh: 'ip route get {dst}：{route}（路由表 {table}）；预期网关 {expected}' },
    lookupDefault: { en: 'ip route get {dst}: {route} (table {table}); expected gateway {expected} (the default route)', zh: 'ip route get {dst}：{route}（路由表 {table}）；预期网关 {expected}（默认路由）' },
    candidates: { en: 'candidates: {list}', zh: '候选路由：{list}' },
    policy: { en: 'policy rule: {rule}', zh: '策略规则：{rule}' },
    silenceEcho: { en: '{received}/{sent} ICMP replies', zh: 'ICMP 回复 {received}/{sent}' },
    noIcmp: { en: 'no ICMP', zh: '无 ICMP' },
    noWgHandshake: { en: 'no WireGuard handshake', zh: '无 WireGuard 握手' },
    probe: { en: '{method}: {outcome}', zh: '{method}：{outcome}' },
    noHandshake: { en: 'no tunnel handshake', zh: '隧道握手无响应' },
    silence: { en: '{echo}, {handshake}', zh: '{echo}，{handshake}' },
    endpoint: { en: 'VPN endpoint {endpoint} of {dev}: {broken}', zh: '{dev} 的 VPN 端点 {endpoint}：{broken}' },
  },
};

const m = ruleMessages(meta);

const isDefault = (prefix: string): boolean => prefix === 'default' || prefix === '0.0.0.0/0' || prefix === '::/0';

/** Checks the case that can be proven: --expect-gateway names a next hop the kernel does not use. */
export const rule: Rule = {
  meta,
  check(ctx) {
    // Without --expect-gateway: a silent VPN endpoint steered away from the default gateway (issue 7).
    const misroute = ctx.options.expectGateway ? null : endpointMisroute(ctx);
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
    const actual = d.gateway ? m('via', { gateway: d.gateway, dev: d.dev ?? '?' }) : m('direct', { dev: d.dev ?? '?' });
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

    const fix: FixPart[] = [];
    if (policy) {
      fix.push({ summary: m('delPolicy', { priority: policy.priority, dst: d.destination, table: d.table ?? 'main' }), command: `ip${d.family === 6 ? ' -6' : ''} rule del priority ${policy.priority}` });
    }
    if (offending && expectedCand && !policy) {
      const del = `${offending.text}${tableSuffix(offending.text, offending.table)}`;
      fix.push({ summary: m('delRoute', { expected, route: offending.text }), command: `ip${d.family === 6 ? ' -6' : ''} route del ${del}` });
    }
    if (!policy && (!(offending && expectedCand) || !isDefault(offending.prefix))) {
      const or = fix.length > 0;
      fix.push({ summary: m(or ? 'orHostRoute' : 'hostRoute', { dst: d.destination, expected }), command: `ip${d.family === 6 ? ' -6' : ''} route add ${hostPrefix} via ${canonicalIp(expected)}` });
    }

    return makeFinding(meta, ctx, {
      vars: { dst: d.destination, actual, expected, route: chosenText, table: d.table ?? 'main', offending: offending?.text ?? chosenText, hostPrefix },
      ...(misroute
        ? {
            explanation: m('misroute', { dst: d.destination, dev: misroute.dev, endpoint: misroute.endpoint, route: chosenText, table: d.table ?? 'main', expected, silence: misroute.silence }),
          }
        : {}),
      evidence: [
        ...misroute?.evidence ?? [],
        evidence('route.lookup', m(misroute ? 'lookupDefault' : 'lookup', { dst: d.destination, route: chosenText, table: d.table ?? 'main', expected }), { destination: d.destination, gateway: d.gateway, dev: d.dev, table: d.table, route: d.route, expectGateway: expected }),
        ...(d.candidates.length > 0
          ? [evidence('route.lookup', m('candidates', { list: d.candidates.map((c) => `${c.text}${tableSuffix(c.text, c.table)}${c.metric !== null && !/metric/.test(c.text) ? ` metric ${c.metric}` : ''}`).join(' | ') }), { candidates: d.candidates })]
          : []),
        ...(policy ? [evidence('route.lookup', m('policy', { rule: policy.text }), { rule: policy })] : []),
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
function endpointMisroute(ctx: Parameters<Rule['check']>[0]): { route: ObservationData['route.lookup']; expected: string; dev: string; endpoint: string; silence: Msg; evidence: Evidence[] } | null {
  for (const { data: s } of tunnels(ctx)) {
    if (handshakeWorks(handshakeOf(ctx, s.dev))) continue;
    for (const v of endpointViews(ctx, s.dev)) {
      const d = v.route;
      if (v.answered || !d || d.outcome !== 'route' || !d.gateway || v.broken.length === 0) continue;
      const defaults = [
        ...d.candidates.filter((c) => isDefault(c.prefix) && c.type === 'unicast').map((c) => ({ gateway: c.gateway, table: c.table })),
        ...(ctx.snapshot?.routes.ok ? ctx.snapshot.routes.value.filter((x) => x.family === d.family && isDefault(x.dst) && x.type === 'unicast' && x.table === 'main').map((x) => ({ gateway: x.gateway, table: x.table })) : []),
      ];
      const chosenIsDefault = d.candidates.some((c) => isDefault(c.prefix) && sameIp(c.gateway, d.gateway) && (d.table === null || c.table === d.table)) && !d.candidates.some((c) => !isDefault(c.prefix) && sameIp(c.gateway, d.gateway));
      if (chosenIsDefault) continue;
      const alt = defaults.find((x) => x.gateway && !sameIp(x.gateway, d.gateway) && x.table === 'main');
      if (!alt?.gateway) continue;
      const silence = m('silence', { echo: v.echo ? m('silenceEcho', { received: v.echo.received, sent: v.echo.sent }) : m('noIcmp'), handshake: s.kind === 'wireguard' ? m('noWgHandshake') : v.ep.probe.method !== 'none' ? m('probe', { method: v.ep.probe.method, outcome: outcome(v.ep.probe.outcome) }) : m('noHandshake') });
      return { route: d, expected: alt.gateway, dev: s.dev, endpoint: v.label, silence, evidence: [evidence('tunnel.endpoint', m('endpoint', { endpoint: v.label, dev: s.dev, broken: semicolonList(v.broken) }), { dev: s.dev, endpoint: v.label })] };
    }
  }
  return null;
}
