import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg, ofKind, type FixPart, type RuleContext } from './types.js';
import type { Lang } from '../model/layer.js';
import { canonicalIp, sameIp, said } from './helpers.js';
import type { Evidence } from '../model/report.js';
import type { ObservationData } from '../model/observation.js';
import { endpointViews, handshakeOf, handshakeWorks, targetAddresses, tunnels, underlayWhy, type UnderlayWhy } from './vpn-common.js';
import { TUNNEL_LINK_KINDS } from '../analyze/tunnel-link.js';

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

/** What a silent target answered: the ICMP replies (null: not pinged), each TCP port with its outcome, whether a trace tried. */
type TargetSilence = { echoReceived: number | null; echoSent: number; tcpPorts: number[]; tcpOutcomes: string[]; traced: boolean };
/** Why the route wins: a policy rule, a more specific route, or a lower-metric default (`winner`: its text). */
type How = { how: 'policy' | 'specific' | 'metric'; winner: string; metric: number; altMetric: number };
/** What a silent tunnel endpoint answered: the ICMP replies (null: not pinged), its handshake or port probe. */
type EndpointSilence = { echoReceived: number | null; echoSent: number; wireguard: boolean; probeMethod: string; probeOutcome: string };

type Misroute = {
  route: ObservationData['route.lookup'];
  expected: string;
  evidence: Evidence[];
  target?: TargetSilence & How;
  endpoint?: EndpointSilence & { dev: string; label: string };
};

/** The route the kernel takes: its explanation's params. */
type Taken = { dst: string; route: string; table: string; expected: string };

function targetSilence(lang: Lang, p: TargetSilence): string {
  const zh = lang === 'zh';
  const tcp = p.tcpPorts.map((port, i) => `:${port} ${said(lang, p.tcpOutcomes[i]!)}`).join(zh ? '，' : ', ');
  return [
    p.echoReceived !== null ? (zh ? `ICMP 回复 ${p.echoReceived}/${p.echoSent}` : `${p.echoReceived}/${p.echoSent} ICMP replies`) : '',
    p.tcpPorts.length > 0 ? `TCP ${tcp}` : '',
    p.traced ? (zh ? '路径追踪始终到不了它' : 'the trace never reaches it') : '',
  ]
    .filter(Boolean)
    .join(zh ? '，' : ', ');
}

function howText(lang: Lang, p: How & { table: string }): string {
  const zh = lang === 'zh';
  if (p.how === 'policy')
    return zh ? `策略规则 "${p.winner}" 把它导向路由表 ${p.table}，该表在主路由表之前被查询。` : `The policy rule "${p.winner}" sends it to table ${p.table}, consulted before the main table.`;
  if (p.how === 'specific') return zh ? `路由 "${p.winner}" 比默认路由更具体，所以胜出。` : `The route "${p.winner}" is more specific than the default route, so it wins.`;
  return zh
    ? `两条默认路由竞争；"${p.winner}" 因 metric 更低（${p.metric} < ${p.altMetric}）而胜出。`
    : `Two default routes compete; "${p.winner}" wins by its lower metric (${p.metric} < ${p.altMetric}).`;
}

function endpointSilence(lang: Lang, p: EndpointSilence): string {
  if (lang === 'zh') return `${p.echoReceived !== null ? `ICMP 回复 ${p.echoReceived}/${p.echoSent}` : '无 ICMP'}，${p.wireguard ? '无 WireGuard 握手' : '隧道握手无响应'}`;
  const shake = p.wireguard ? 'no WireGuard handshake' : p.probeMethod !== 'none' ? `${p.probeMethod}: ${p.probeOutcome}` : 'no tunnel handshake';
  return `${p.echoReceived !== null ? `${p.echoReceived}/${p.echoSent} ICMP replies` : 'no ICMP'}, ${shake}`;
}

/** Where the traffic goes instead, in a language. */
const actualText = (lang: Lang, p: { gateway: string | null; dev: string | null }): string =>
  p.gateway ? (lang === 'zh' ? `经由 ${p.dev ?? '?'} 上的 ${p.gateway}` : `via ${p.gateway} dev ${p.dev ?? '?'}`) : lang === 'zh' ? `直接从 ${p.dev ?? '?'} 发出` : `directly out of ${p.dev ?? '?'}`;

const M = defineMessages('NET-004', {
  /** The meta's title with where the traffic goes told in each language. */
  goesElsewhere: msg(
    (p: { dst: string; expected: string; gateway: string | null; dev: string | null }) => fill(meta.title.en, { dst: p.dst, expected: p.expected, actual: actualText('en', p) }),
    (p) => fill(meta.title.zh, { dst: p.dst, expected: p.expected, actual: actualText('zh', p) }),
  ),
  endpointWhy: msg(
    (p: Taken & EndpointSilence & { dev: string; label: string }) =>
      `The kernel sends ${p.dst}, the server of the tunnel ${p.dev} (${p.label}), along "${p.route}" (table ${p.table}) instead of the default route via ${p.expected}, and nothing answers through it (${endpointSilence('en', p)}). A more specific route or a policy rule steers the VPN server's address to another gateway or ISP.`,
    (p) =>
      `内核按 "${p.route}"（路由表 ${p.table}）发送到隧道 ${p.dev} 的服务器 ${p.dst}（${p.label}），而不是经由默认路由的 ${p.expected}，且经该路径没有任何响应（${endpointSilence('zh', p)}）。一条更具体的路由或策略规则把 VPN 服务器地址引向了另一个网关/运营商。`,
  ),
  targetWhy: msg(
    (p: Taken & TargetSilence & How) =>
      `The kernel sends ${p.dst} along "${p.route}" (table ${p.table}) instead of the main table's default route via ${p.expected}, and nothing answers through it (${targetSilence('en', p)}). ${howText('en', p)} The route via ${p.expected} is the one everything else uses; the one that wins here leaves by another gateway or ISP line that does not deliver to ${p.dst}.`,
    (p) =>
      `内核按 "${p.route}"（路由表 ${p.table}）发送到 ${p.dst} 的流量，而不是经由主路由表默认路由的 ${p.expected}，且经该路径没有任何响应（${targetSilence('zh', p)}）。${howText('zh', p)}其余流量都走经由 ${p.expected} 的路由；这里胜出的那条从另一个网关/ISP线路出去，而该线路送不到 ${p.dst}。`,
  ),
  /** The tunnel's endpoint and why it cannot be reached: vpn-common's facts (UnderlayWhy), told in each language by underlayWhy. */
  endpoint: msg(
    (p: { dev: string; label: string } & UnderlayWhy) => `VPN endpoint ${p.label} of ${p.dev}: ${underlayWhy('en', p).join('; ')}`,
    (p) => `${p.dev} 的 VPN 端点 ${p.label}：${underlayWhy('zh', p).join('；')}`,
  ),
  lookup: msg(
    (p: { destination: string; route: string; table: string; expected: string; misroute: boolean }) =>
      `ip route get ${p.destination}: ${p.route} (table ${p.table}); expected gateway ${p.expected}${p.misroute ? ' (the main default route)' : ''}`,
    (p) => `ip route get ${p.destination}：\`${p.route}\`（路由表 ${p.table}）；预期网关 ${p.expected}${p.misroute ? '（主路由表的默认路由）' : ''}`,
  ),
  candidates: msg(
    (p: { candidates: string[] }) => `candidates: ${p.candidates.join(' | ')}`,
    (p) => `候选路由：${p.candidates.map((c) => `\`${c}\``).join(' | ')}`,
  ),
  policyRule: msg(
    (p: { rule: string }) => `policy rule: ${p.rule}`,
    (p) => `策略规则：\`${p.rule}\``,
  ),
  deleteRule: msg(
    (p: { priority: number; destination: string; table: string }) => `Delete the policy rule ${p.priority} that sends ${p.destination} to table ${p.table}`,
    (p) => `删除把 ${p.destination} 导向路由表 ${p.table} 的策略规则 ${p.priority}`,
  ),
  deleteWinner: msg(
    (p: { expected: string; route: string }) => `Delete the route that wins over the one via ${p.expected}: ${p.route}`,
    (p) => `删除压过经由 ${p.expected} 路由的那条路由：\`${p.route}\``,
  ),
  /** `or`: another fix comes first. */
  hostRoute: msg(
    (p: { or: boolean; destination: string; expected: string }) => `${p.or ? 'Or send' : 'Send'} ${p.destination} through ${p.expected} with a host route`,
    (p) => `${p.or ? '或者' : ''}添加一条经由 ${p.expected} 到 ${p.destination} 的主机路由`,
  ),
});

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
    ...ofKind(ctx.observations, 'host.links').flatMap((l) => l.data.links.filter((x) => x.kind && TUNNEL_LINK_KINDS.has(x.kind)).map((x) => x.name)),
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
    let how: How;
    let alt = others[0]!;
    if (policy) {
      how = { how: 'policy', winner: policy.text, metric: 0, altMetric: 0 };
    } else if (chosen && !isDefault(chosen.prefix)) {
      how = { how: 'specific', winner: chosen.text, metric: 0, altMetric: 0 };
    } else if (chosen && isDefault(chosen.prefix) && chosen.table === 'main') {
      // Two defaults: the chosen one wins by its lower metric.
      const higher = others.filter((x) => x.metric > (chosen.metric ?? 0)).sort((a, b) => a.metric - b.metric);
      if (higher.length === 0) continue;
      alt = higher[0]!;
      how = { how: 'metric', winner: chosen.text, metric: chosen.metric ?? 0, altMetric: alt.metric };
    } else continue;
    const silence: TargetSilence = {
      echoReceived: echo.length > 0 ? echo.reduce((n, e) => n + e.data.received, 0) : null,
      echoSent: echo.reduce((n, e) => n + e.data.sent, 0),
      tcpPorts: tcp.map((c) => c.data.port),
      tcpOutcomes: tcp.map((c) => c.data.outcome),
      traced: trace.length > 0,
    };
    return { route: d, expected: alt.gateway, target: { ...silence, ...how }, evidence: [] };
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
    const fix: FixPart[] = [];
    if (policy) {
      fix.push({
        summary: M.deleteRule({ priority: policy.priority, destination: d.destination, table: d.table! }),
        command: `ip${d.family === 6 ? ' -6' : ''} rule del priority ${policy.priority}`,
      });
    }
    if (offending && expectedCand && !policy) {
      const del = `${offending.text}${tableSuffix(offending.text, offending.table)}`;
      fix.push({
        summary: M.deleteWinner({ expected, route: offending.text }),
        command: `ip${d.family === 6 ? ' -6' : ''} route del ${del}`,
      });
    }
    if (!policy && (!(offending && expectedCand) || !isDefault(offending.prefix))) {
      const or = fix.length > 0;
      // `add` of a prefix that already has a route in main fails (File exists): that route is replaced instead.
      const taken = offending && offending.table === 'main' && samePrefix(offending.prefix, hostPrefix) && (offending.metric ?? 0) === 0;
      fix.push({
        summary: M.hostRoute({ or, destination: d.destination, expected }),
        command: `ip${d.family === 6 ? ' -6' : ''} route ${taken ? 'replace' : 'add'} ${hostPrefix} via ${canonicalIp(expected)}`,
      });
    }

    const taken: Taken = { dst: d.destination, route: chosenText, table: d.table ?? 'main', expected };
    return makeFinding(meta, ctx, {
      vars: taken,
      title: M.goesElsewhere({ dst: d.destination, expected, gateway: d.gateway, dev: d.dev }),
      ...(misroute?.endpoint ? { explanation: M.endpointWhy({ ...taken, ...misroute.endpoint }) } : misroute?.target ? { explanation: M.targetWhy({ ...taken, ...misroute.target }) } : {}),
      evidence: [
        ...(misroute?.evidence ?? []),
        evidence('route.lookup', M.lookup({ destination: d.destination, route: chosenText, table: taken.table, expected, misroute: !!misroute }), {
          destination: d.destination,
          gateway: d.gateway,
          dev: d.dev,
          table: d.table,
          route: d.route,
          expectGateway: expected,
        }),
        ...(d.candidates.length > 0 ? [evidence('route.lookup', M.candidates({ candidates }), { candidates: d.candidates })] : []),
        ...(policy ? [evidence('route.lookup', M.policyRule({ rule: policy.text }), { rule: policy })] : []),
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
function endpointMisroute(ctx: RuleContext): Misroute | null {
  for (const { data: s } of tunnels(ctx)) {
    if (handshakeWorks(handshakeOf(ctx, s.dev))) continue;
    for (const v of endpointViews(ctx, s.dev)) {
      const d = v.route;
      if (v.answered || !d || d.outcome !== 'route' || !d.gateway || underlayWhy('en', v.why).length === 0) continue;
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
      const silence: EndpointSilence = {
        echoReceived: v.echo ? v.echo.received : null,
        echoSent: v.echo?.sent ?? 0,
        wireguard: s.kind === 'wireguard',
        probeMethod: v.ep.probe.method,
        probeOutcome: v.ep.probe.outcome,
      };
      return {
        route: d,
        expected: alt.gateway,
        endpoint: { ...silence, dev: s.dev, label: v.label },
        evidence: [
          evidence('tunnel.endpoint', M.endpoint({ dev: s.dev, label: v.label, ...v.why }), {
            dev: s.dev,
            endpoint: v.label,
          }),
        ],
      };
    }
  }
  return null;
}
