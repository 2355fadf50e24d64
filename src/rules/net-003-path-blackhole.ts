import type { Rule, RuleMeta } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';
import { evidence, fill, makeFinding, ofKind } from './types.js';
import { sameIp, tr } from './helpers.js';
import { routerUnreachable } from './net-010-unreachable-reported.js';
import type { ObservationData, TraceHop } from '../model/observation.js';
import type { Fix } from '../model/report.js';

export const meta: RuleMeta = {
  code: 'NET-003',
  slug: 'path-blackhole',
  layer: 'network',
  severity: 'error',
  title: { en: 'Packets to {dst} are lost beyond hop {hop} ({router})', zh: '路径中断/黑洞：发往 {dst} 的报文在第 {hop} 跳（{router}）之后丢失' },
  explanation: {
    en: 'Packets leave through the gateway, the path answers up to hop {hop} ({router}), and beyond it neither ICMP nor TCP reaches {dst}: a router after that hop drops them (missing route, blackhole route, broken link).',
    zh: '报文经网关发出，路径在第 {hop} 跳（{router}）之前都有响应，之后 ICMP 和 TCP 都到不了 {dst}：该跳之后的某个路由器丢弃了报文（缺少路由、黑洞路由或链路故障）。',
  },
  evidence: { en: 'The hop list of a trace (ICMP and TCP), the last hop that responds, and the failed ICMP/TCP probes of the target.', zh: '路径追踪（ICMP 与 TCP）的逐跳列表、最后一个有响应的跳点，以及对目标的 ICMP/TCP 探测失败结果。' },
  fix: [
    { summary: { en: 'Ask the operator of {router} (hop {hop}) to check its route to {dst}', zh: '请 {router}（第 {hop} 跳）的管理方检查其到 {dst} 的路由' } },
    { summary: { en: 'With several candidate routes, prefer the one through {altGateway}', zh: '若有多条候选路由，优先使用经由 {altGateway} 的那条' }, command: 'ip route replace {prefix} via {altGateway}' },
  ],
  implemented: true,
  issue: 5,
  explains: ['HOST-004', 'DNS-001', 'NET-005', 'NET-007', 'VPN-002', 'VPN-003', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

const hopText = (h: TraceHop): string => `${h.ttl} ${h.addr ?? '???'} ${h.recv}/${h.sent}${h.rateLimited ? ' (ICMP rate-limited)' : ''}${h.icmp ? ` ${h.icmp.name}` : ''}`;

type Path = ObservationData['trace.path']['paths'][number];

/**
 * Per-flow balancing with one broken branch: some traced flows reach the target, another stops
 * at a router that is not on the working flows' path at the same hop. Returns the broken flow,
 * its last answering hop, and the working flow's router at that hop.
 */
export function brokenBranch(paths: readonly Path[]): { broken: Path; last: TraceHop; good: Path; goodHop: TraceHop } | null {
  const reached = paths.filter((p) => p.reached);
  for (const broken of paths.filter((p) => !p.reached)) {
    const last = [...broken.hops].reverse().find((h) => h.recv > 0 && h.addr);
    if (!last) continue;
    for (const good of reached) {
      const goodHop = good.hops.find((h) => h.ttl === last.ttl);
      if (goodHop?.addr && !goodHop.target && goodHop.addr !== last.addr) return { broken, last, good, goodHop };
    }
  }
  return null;
}

const branchText = (p: Path): string => `${p.flow}: ${p.hops.map(hopText).join(', ')}${p.reached ? '' : ', then nothing'}`;

export const rule: Rule = {
  meta,
  check(ctx) {
    // First: a balanced path with a broken branch (some flows reach the target, some die).
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      const d = t.data;
      if (d.method !== 'raw' || !d.reached || d.paths.length < 2) continue;
      const b = brokenBranch(d.paths);
      if (!b) continue;
      const lostFlows = d.paths.filter((p) => !p.reached).length;
      const vars: Record<string, string | number> = { dst: d.target, hop: b.last.ttl, router: b.last.addr ?? '???' };
      const spread = ofKind(ctx.observations, 'tcp.spread').find((x) => sameIp(x.data.address, d.target))?.data;
      const ev = [
        ...(spread && spread.method === 'raw'
          ? [evidence('tcp.spread', `SYNs to ${d.target}:${spread.port} from ${spread.flows.length} source ports at once: ${spread.answered} answered, ${spread.lost} lost (lost: ${spread.flows.filter((f) => f.outcome === 'lost').map((f) => f.sport).join(', ')})`, { flows: spread.flows })]
          : []),
        ...d.paths.map((p) => evidence('trace.path', `${d.proto.toUpperCase()} trace to ${d.target}, ${branchText(p)}`, { target: d.target, flow: p.flow, reached: p.reached, hops: p.hops })),
      ];
      const good = b.goodHop.addr!;
      return makeFinding(meta, ctx, {
        vars,
        title: tr(
          ctx.lang,
          `Packets to ${d.target} that are balanced onto ${vars.router} (hop ${b.last.ttl}) are lost beyond it; flows through ${good} get through`,
          `负载分担路径中的一支中断：经 ${vars.router}（第 ${b.last.ttl} 跳）转发到 ${d.target} 的流量在其后丢失，经 ${good} 的流量正常`,
        ),
        explanation: tr(
          ctx.lang,
          `The path to ${d.target} is balanced per flow (ECMP hashed on addresses and ports, or a link bundle): ${lostFlows} of ${d.paths.length} traced flows (those through ${vars.router} at hop ${b.last.ttl}) get no further; the others, through ${good}, reach ${d.target}. Which clients fail depends only on their source port, so the fault looks intermittent: some connections work, some hang.`,
          `到 ${d.target} 的路径按流做负载分担（基于地址和端口哈希的 ECMP，或链路聚合）：追踪的 ${d.paths.length} 条流中有 ${lostFlows} 条在第 ${b.last.ttl} 跳经过 ${vars.router} 后再无响应，其余经过 ${good} 的流能到达 ${d.target}。哪些连接失败只取决于源端口，所以故障看起来时好时坏：有的连接正常，有的卡住。`,
        ),
        evidence: ev,
        fix: [
          {
            summary: tr(
              ctx.lang,
              `Ask the operator of ${vars.router} (hop ${b.last.ttl}) to check its route and filters toward ${d.target}; until it is fixed, take that branch out of the multipath route on the router before it (hop ${b.last.ttl - 1}) so every flow uses ${good}`,
              `请 ${vars.router}（第 ${b.last.ttl} 跳）的管理方检查其到 ${d.target} 的路由和过滤规则；修复前，在它之前的路由器（第 ${b.last.ttl - 1} 跳）的多路径路由中去掉这一支，让所有流量经由 ${good}`,
            ),
          },
          { summary: tr(ctx.lang, 'Reproduce: trace several flows to the service port', '复现：对服务端口追踪多条流'), command: `netdx trace ${d.port === null ? d.target : d.target.includes(':') ? `[${d.target}]:${d.port}` : `${d.target}:${d.port}`} --paths 8` },
        ],
      });
    }
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      const d = t.data;
      if (d.method === 'unavailable' || d.reached || d.paths.length === 0) continue;
      // A target of a tunnel that does not carry it: the tunnel layer (VPN-00N) names why.
      if (inBrokenTunnel(ctx, d.target)) continue;
      // The target answers some other probe: the trace's probes are filtered, the path is not a blackhole.
      const echoOk = ofKind(ctx.observations, 'icmp.echo').some((e) => sameIp(e.data.address, d.target) && e.data.received > 0);
      const tcpOk = ofKind(ctx.observations, 'tcp.connect').some((c) => sameIp(c.data.address, d.target) && ['open', 'refused'].includes(c.data.outcome));
      if (echoOk || tcpOk) continue;
      const hops = d.paths[0]!.hops;
      // A router that says why (unreachable/prohibited) is NET-010, not a silent blackhole.
      if (hops.some((h) => h.icmp && routerUnreachable(h.icmp))) continue;
      const last = [...hops].reverse().find((h) => h.recv > 0);
      const route = ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, d.target));
      const hop = last?.ttl ?? 0;
      const router = last?.addr ?? route?.data.gateway ?? tr(ctx.lang, 'the gateway', '网关');
      const vars: Record<string, string | number> = { dst: d.target, hop, router };
      const chosen = route?.data.gateway ?? null;
      const alt = route?.data.candidates.find((c) => c.gateway && c.gateway !== chosen && c.type === 'unicast');
      if (alt?.gateway) {
        vars.altGateway = alt.gateway;
        vars.prefix = alt.prefix === '0.0.0.0/0' || alt.prefix === '::/0' ? 'default' : alt.prefix;
      }
      // Without an alternative route only the first advice applies.
      const fix: Fix[] | undefined = alt?.gateway ? undefined : [{ summary: fill(meta.fix[0]!.summary[ctx.lang], vars) }];
      const ev = [
        evidence('trace.path', `${d.proto.toUpperCase()} trace to ${d.target} (${d.method}): last answer from hop ${hop} (${router}); ${hops.length} hops: ${hops.map(hopText).join(', ')}`, { target: d.target, proto: d.proto, hops }),
      ];
      for (const e of ofKind(ctx.observations, 'icmp.echo').filter((x) => sameIp(x.data.address, d.target))) ev.push(evidence('icmp.echo', `ping ${d.target}: ${e.data.received}/${e.data.sent} answered`));
      for (const c of ofKind(ctx.observations, 'tcp.connect').filter((x) => sameIp(x.data.address, d.target))) ev.push(evidence('tcp.connect', `TCP ${d.target}:${c.data.port}: ${c.data.outcome}`));
      return makeFinding(meta, ctx, { vars, evidence: ev, fix });
    }
    return null;
  },
};
