import type { Rule, RuleMeta } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';
import { evidence, makeFinding, ofKind, ruleMessages, msg, type FixPart, type Msg, type MsgParam } from './types.js';
import { outcome, word } from './words.js';
import { sameIp } from './helpers.js';
import { routerUnreachable } from './net-010-unreachable-reported.js';
import type { ObservationData, TraceHop } from '../model/observation.js';

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
  messages: {
    hop: { en: '{ttl} {addr} {recv}/{sent}', zh: '{ttl} {addr} {recv}/{sent}' },
    hopRateLimited: { en: '{ttl} {addr} {recv}/{sent} (ICMP rate-limited)', zh: '{ttl} {addr} {recv}/{sent}（ICMP 限速）' },
    hopIcmp: { en: '{hop} {icmp}', zh: '{hop} {icmp}' },
    branch: { en: '{flow}: {hops}', zh: '{flow}：{hops}' },
    branchLost: { en: '{flow}: {hops}, then nothing', zh: '{flow}：{hops}，之后再无响应' },
    spread: { en: 'SYNs to {dst}:{port} from {flows} source ports at once: {answered} answered, {lost} lost (lost: {ports})', zh: '从 {flows} 个源端口同时向 {dst}:{port} 发送 SYN：{answered} 个有应答，{lost} 个丢失（丢失的源端口：{ports}）' },
    traceBranch: { en: '{proto} trace to {dst}, {branch}', zh: '到 {dst} 的 {proto} 路径追踪，{branch}' },
    reproduce: { en: 'Reproduce: trace several flows to the service port', zh: '复现：对服务端口追踪多条流' },
    silentNoHopTitle: { en: 'Packets to {dst} are lost for some source ports only: a balanced member on the path is broken', zh: '负载分担成员故障：发往 {dst} 的报文按源端口不同，部分丢失' },
    silentNoHopExplanation: { en: "{lost} of {total} traced flows never reach {dst}, in any round, while the other {reached} reach it every time without loss. Somewhere on the path a stage chosen per flow — an ECMP next hop, a link-bundle member, a load balancer's pool member — drops what it gets. The routers did not say where (their ICMP answers were rate-limited); trace the flows again in a minute to see the last router they pass. Which clients fail depends only on their source port, so the fault looks intermittent.", zh: '追踪的 {total} 条流中有 {lost} 条在每一轮都到不了 {dst}，其余 {reached} 条每次都无丢包地到达。路径上某个按流选择的环节——ECMP 下一跳、链路聚合成员或负载均衡池成员——丢弃了它收到的报文。路由器没有给出位置（它们的 ICMP 应答被限速）；一分钟后再追踪这些流，可看到它们经过的最后一个路由器。哪些连接失败只取决于源端口，所以故障看起来时好时坏。' },
    silentNoHopFix: { en: "Trace the flows again once the routers' ICMP budget has refilled, find the router before the loss, and check each next hop, bundle member or pool member it balances {dst} over", zh: '等路由器的 ICMP 限额恢复后再次追踪这些流，找到丢包前的路由器，逐一检查它为 {dst} 做负载分担的下一跳、聚合成员或池成员' },
    silentTitle: { en: 'Packets to {dst} are lost beyond hop {hop} ({router}) for some source ports only: a balanced member after it is broken', zh: '负载分担成员故障：发往 {dst} 的报文按源端口不同，部分在第 {hop} 跳（{router}）之后丢失' },
    silentExplanation: { en: "{lost} of {total} traced flows to {dst} stop after hop {hop} ({router}) in every round, while the others pass the same hops and reach {dst} without loss. What lies beyond {router} is chosen per flow — an ECMP next hop that does not answer traces, a link-bundle member, a load balancer's pool member — and one of them drops what it gets. Which clients fail depends only on their source port, so the fault looks intermittent.", zh: '追踪的 {total} 条到 {dst} 的流中，有 {lost} 条每一轮都停在第 {hop} 跳（{router}）之后，其余的流经过相同的跳点、无丢包地到达 {dst}。{router} 之后的路径按流选择——不回应追踪的 ECMP 下一跳、链路聚合成员或负载均衡池成员——其中一个丢弃了它收到的报文。哪些连接失败只取决于源端口，所以故障看起来时好时坏。' },
    silentFix: { en: 'Ask the operator of {router} (hop {hop}) to check each next hop, bundle member or pool member it balances {dst} over, and to take the one that drops traffic out until it is fixed', zh: '请 {router}（第 {hop} 跳）的管理方逐一检查它为 {dst} 做负载分担的下一跳、聚合成员或池成员，并在修复前摘除丢包的那个' },
    branchTitle: { en: 'Packets to {dst} that are balanced onto {router} (hop {hop}) are lost beyond it; flows through {good} get through', zh: '负载分担路径中的一支中断：经 {router}（第 {hop} 跳）转发到 {dst} 的流量在其后丢失，经 {good} 的流量正常' },
    branchExplanation: { en: 'The path to {dst} is balanced per flow (ECMP hashed on addresses and ports, or a link bundle): {lost} of {total} traced flows (those through {router} at hop {hop}) get no further; the others, through {good}, reach {dst}. Which clients fail depends only on their source port, so the fault looks intermittent: some connections work, some hang.', zh: '到 {dst} 的路径按流做负载分担（基于地址和端口哈希的 ECMP，或链路聚合）：追踪的 {total} 条流中有 {lost} 条在第 {hop} 跳经过 {router} 后再无响应，其余经过 {good} 的流能到达 {dst}。哪些连接失败只取决于源端口，所以故障看起来时好时坏：有的连接正常，有的卡住。' },
    branchFix: { en: 'Ask the operator of {router} (hop {hop}) to check its route and filters toward {dst}; until it is fixed, take that branch out of the multipath route on the router before it (hop {prev}) so every flow uses {good}', zh: '请 {router}（第 {hop} 跳）的管理方检查其到 {dst} 的路由和过滤规则；修复前，在它之前的路由器（第 {prev} 跳）的多路径路由中去掉这一支，让所有流量经由 {good}' },
    trace: { en: '{proto} trace to {dst} ({method}): last answer from hop {hop} ({router}); {count} hops: {hops}', zh: '到 {dst} 的 {proto} 路径追踪（{method}）：最后一个应答来自第 {hop} 跳（{router}）；共 {count} 跳：{hops}' },
    echo: { en: 'ping {dst}: {received}/{sent} answered', zh: 'ping {dst}：{received}/{sent} 有应答' },
    tcp: { en: 'TCP {dst}:{port}: {outcome}', zh: 'TCP {dst}:{port}：{outcome}' },
  },
};

const m = ruleMessages(meta);

const hopText = (h: TraceHop): Msg => {
  const hop = m(h.rateLimited ? 'hopRateLimited' : 'hop', { ttl: h.ttl, addr: h.addr ?? '???', recv: h.recv, sent: h.sent });
  return h.icmp ? m('hopIcmp', { hop, icmp: h.icmp.name }) : hop;
};

type Path = ObservationData['trace.path']['paths'][number];

/** Rounds a flow needs at the hop after its last answer before its silence counts. */
const MIN_SILENT_ROUNDS = 3;

/**
 * Per-flow balancing with a broken member: some traced flows reach the target, others stop.
 * - 'branch': a lost flow stops at a router that is not on a working flow's path at that hop
 *   (the broken branch answers traces itself).
 * - 'silent': every lost flow stops after the same router the working flows pass too, and stays
 *   silent beyond it in every round, while every working flow reaches the target without loss:
 *   the member beyond that router (a next hop that answers nothing, a bundle link, a pool member)
 *   drops them. Random loss cannot look like this: it would cost the working flows too.
 */
export function brokenBranch(paths: readonly Path[]): { kind: 'branch' | 'silent'; broken: Path; last: TraceHop | null; good: Path; goodHop: TraceHop | null } | null {
  const reached = paths.filter((p) => p.reached);
  const lost = paths.filter((p) => !p.reached);
  const lastOf = (p: Path): TraceHop | undefined => [...p.hops].reverse().find((h) => h.recv > 0 && h.addr);
  for (const broken of lost) {
    const last = lastOf(broken);
    if (!last) continue;
    for (const good of reached) {
      const goodHop = good.hops.find((h) => h.ttl === last.ttl);
      if (goodHop?.addr && !goodHop.target && goodHop.addr !== last.addr) return { kind: 'branch', broken, last, good, goodHop };
    }
  }
  if (lost.length === 0 || reached.length === 0) return null;
  // Every working flow reaches the target in every round…
  const cleanTargets = reached.every((p) => {
    const end = p.hops.find((h) => h.target);
    return !!end && end.lossPct === 0 && end.sent >= MIN_SILENT_ROUNDS;
  });
  if (!cleanTargets) return null;
  // …and every lost flow is silent beyond the deepest hop any of them still hears from (a router's
  // ICMP rate limit may hide that hop on some flows, or on all of them: then it is unknown).
  const lasts = lost.map(lastOf).filter((h): h is TraceHop => !!h);
  const deepest = lasts.length > 0 ? lasts.reduce((a, b) => (b.ttl > a.ttl ? b : a)) : null;
  const after = deepest?.ttl ?? 0;
  const silentBeyond = lost.every((p) => p.hops.every((h) => h.ttl <= after || h.recv === 0) && p.hops.filter((h) => h.ttl > after).reduce((n, h) => n + h.sent, 0) >= MIN_SILENT_ROUNDS);
  if (!silentBeyond) return null;
  const good = reached[0]!;
  if (!deepest) return { kind: 'silent', broken: lost[0]!, last: null, good, goodHop: null };
  const goodHop = good.hops.find((h) => h.ttl === deepest.ttl);
  if (!goodHop || goodHop.target || goodHop.addr !== deepest.addr) return null;
  return { kind: 'silent', broken: lost[0]!, last: deepest, good, goodHop };
}

const branchText = (p: Path): Msg => m(p.reached ? 'branch' : 'branchLost', { flow: p.flow, hops: p.hops.map(hopText) });

export const rule: Rule = {
  meta,
  check(ctx) {
    // First: a balanced path with a broken member (some flows reach the target, some die).
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      const d = t.data;
      if (d.method !== 'raw' || !d.reached || d.paths.length < 2) continue;
      const b = brokenBranch(d.paths);
      if (!b) continue;
      const lostFlows = d.paths.filter((p) => !p.reached).length;
      const vars: Record<string, string | number> = { dst: d.target, hop: b.last?.ttl ?? 0, router: b.last?.addr ?? '???' };
      const spread = ofKind(ctx.observations, 'tcp.spread').find((x) => sameIp(x.data.address, d.target))?.data;
      const ev = [
        ...(spread && spread.method === 'raw'
          ? [evidence('tcp.spread', m('spread', { dst: d.target, port: spread.port, flows: spread.flows.length, answered: spread.answered, lost: spread.lost, ports: spread.flows.filter((f) => f.outcome === 'lost').map((f) => f.sport).join(', ') }), { flows: spread.flows })]
          : []),
        ...d.paths.map((p) => evidence('trace.path', m('traceBranch', { proto: d.proto.toUpperCase(), dst: d.target, branch: branchText(p) }), { target: d.target, flow: p.flow, reached: p.reached, hops: p.hops })),
      ];
      const reproduce = { summary: m('reproduce'), command: `netdx trace ${d.port === null ? d.target : d.target.includes(':') ? `[${d.target}]:${d.port}` : `${d.target}:${d.port}`} --paths 8` };
      const hop = b.last?.ttl ?? 0;
      const router = String(vars.router);
      if (b.kind === 'silent' && !b.last) {
        const reachedFlows = d.paths.length - lostFlows;
        return makeFinding(meta, ctx, {
          vars,
          title: m('silentNoHopTitle', { dst: d.target }),
          explanation: m('silentNoHopExplanation', { lost: lostFlows, total: d.paths.length, dst: d.target, reached: reachedFlows }),
          evidence: ev,
          fix: [
            { summary: m('silentNoHopFix', { dst: d.target }) },
            reproduce,
          ],
        });
      }
      if (b.kind === 'silent') {
        return makeFinding(meta, ctx, {
          vars,
          title: m('silentTitle', { dst: d.target, hop, router }),
          explanation: m('silentExplanation', { lost: lostFlows, total: d.paths.length, dst: d.target, hop, router }),
          evidence: ev,
          fix: [
            { summary: m('silentFix', { router, hop, dst: d.target }) },
            reproduce,
          ],
        });
      }
      const good = b.goodHop?.addr ?? '???';
      return makeFinding(meta, ctx, {
        vars,
        title: m('branchTitle', { dst: d.target, router, hop, good }),
        explanation: m('branchExplanation', { dst: d.target, lost: lostFlows, total: d.paths.length, router, hop, good }),
        evidence: ev,
        fix: [
          { summary: m('branchFix', { router, hop, dst: d.target, prev: hop - 1, good }) },
          reproduce,
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
      const router = last?.addr ?? route?.data.gateway ?? word('theGateway');
      const vars: Record<string, MsgParam> = { dst: d.target, hop, router };
      const chosen = route?.data.gateway ?? null;
      const alt = route?.data.candidates.find((c) => c.gateway && c.gateway !== chosen && c.type === 'unicast');
      if (alt?.gateway) {
        vars.altGateway = alt.gateway;
        vars.prefix = alt.prefix === '0.0.0.0/0' || alt.prefix === '::/0' ? 'default' : alt.prefix;
      }
      // Without an alternative route only the first advice applies.
      const fix: FixPart[] | undefined = alt?.gateway ? undefined : [{ summary: msg(`${meta.code}.fix.0`, vars) }];
      const ev = [
        evidence('trace.path', m('trace', { proto: d.proto.toUpperCase(), dst: d.target, method: d.method, hop, router, count: hops.length, hops: hops.map(hopText) }), { target: d.target, proto: d.proto, hops }),
      ];
      for (const e of ofKind(ctx.observations, 'icmp.echo').filter((x) => sameIp(x.data.address, d.target))) ev.push(evidence('icmp.echo', m('echo', { dst: d.target, received: e.data.received, sent: e.data.sent })));
      for (const c of ofKind(ctx.observations, 'tcp.connect').filter((x) => sameIp(x.data.address, d.target))) ev.push(evidence('tcp.connect', m('tcp', { dst: d.target, port: c.data.port, outcome: outcome(c.data.outcome) })));
      return makeFinding(meta, ctx, { vars, evidence: ev, fix });
    }
    return null;
  },
};
