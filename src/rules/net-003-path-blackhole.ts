import type { Rule, RuleContext, RuleMeta } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';
import { evidence, fill, makeFinding, ofKind } from './types.js';
import { sameIp, said, tr } from './helpers.js';
import type { Lang } from '../model/layer.js';
import { routerUnreachable } from './net-010-unreachable-reported.js';
import type { ObservationData, TraceHop } from '../model/observation.js';
import type { Evidence, Finding, Fix } from '../model/report.js';

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
  evidence: {
    en: 'The hop list of a trace (ICMP and TCP), the last hop that responds, and the failed ICMP/TCP probes of the target.',
    zh: '路径追踪（ICMP 与 TCP）的逐跳列表、最后一个有响应的跳点，以及对目标的 ICMP/TCP 探测失败结果。',
  },
  fix: [
    { summary: { en: 'Ask the operator of {router} (hop {hop}) to check its route to {dst}', zh: '请 {router}（第 {hop} 跳）的管理方检查其到 {dst} 的路由' } },
    {
      summary: { en: 'With several candidate routes, prefer the one through {altGateway}', zh: '若有多条候选路由，优先使用经由 {altGateway} 的那条' },
      command: 'ip route replace {prefix} via {altGateway}',
    },
  ],
  explains: ['HOST-004', 'DNS-001', 'NET-005', 'NET-007', 'VPN-002', 'VPN-003', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

const isDefaultPrefix = (p: string): boolean => p === 'default' || p === '0.0.0.0/0' || p === '::/0';
const samePrefix = (a: string, b: string): boolean => (isDefaultPrefix(a) && isDefaultPrefix(b)) || a === b;

const hopText = (lang: Lang, h: TraceHop): string =>
  `${h.ttl} ${h.addr ?? '???'} ${h.recv}/${h.sent}${h.rateLimited ? tr(lang, ' (ICMP rate-limited)', '（ICMP 限速）') : ''}${h.icmp ? ` ${h.icmp.name}` : ''}`;

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
  const probedBeyond = (p: Path): number => p.hops.filter((h) => h.ttl > after).reduce((n, h) => n + h.sent, 0);
  // A lost flow that heard from no hop at all and was not probed beyond the deepest known hop says
  // nothing (the first routers' ICMP budget was spent on the other flows): it is left out, as long
  // as another lost flow shows the silence.
  const judged = deepest ? lost.filter((p) => lastOf(p) !== undefined || probedBeyond(p) >= MIN_SILENT_ROUNDS) : lost;
  const silentBeyond = judged.length > 0 && judged.every((p) => p.hops.every((h) => h.ttl <= after || h.recv === 0) && probedBeyond(p) >= MIN_SILENT_ROUNDS);
  if (!silentBeyond) return null;
  const good = reached[0]!;
  if (!deepest) return { kind: 'silent', broken: lost[0]!, last: null, good, goodHop: null };
  const goodHop = good.hops.find((h) => h.ttl === deepest.ttl);
  if (!goodHop || goodHop.target || goodHop.addr !== deepest.addr) return null;
  return { kind: 'silent', broken: lost[0]!, last: deepest, good, goodHop };
}

const branchText = (lang: Lang, p: Path): string =>
  tr(
    lang,
    `${p.flow}: ${p.hops.map((h) => hopText(lang, h)).join(', ')}${p.reached ? '' : ', then nothing'}`,
    `${p.flow}：${p.hops.map((h) => hopText(lang, h)).join('，')}${p.reached ? '' : '，之后再无响应'}`,
  );

type Trace = ObservationData['trace.path'];

const lostPorts = (flows: ReadonlyArray<{ outcome: string; sport: number }>): string =>
  flows
    .filter((f) => f.outcome === 'lost')
    .map((f) => f.sport)
    .join(', ');
type Branch = NonNullable<ReturnType<typeof brokenBranch>>;

/** What the findings of a balanced path with a broken member share. */
interface BalancedCase {
  d: Trace;
  b: Branch;
  lostFlows: number;
  vars: Record<string, string | number>;
  ev: Evidence[];
  reproduce: Fix;
  hop: number;
  router: string;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    // First: a balanced path with a broken member (some flows reach the target, some die).
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      const d = t.data;
      if (d.method !== 'raw' || !d.reached || d.paths.length < 2) continue;
      const b = brokenBranch(d.paths);
      if (!b) continue;
      const c = balancedCase(ctx, d, b);
      if (b.kind === 'silent' && !b.last) return silentUnlocatedFinding(ctx, c);
      if (b.kind === 'silent') return silentMemberFinding(ctx, c);
      return brokenBranchFinding(ctx, c);
    }
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      const f = blackholeFinding(ctx, t.data);
      if (f) return f;
    }
    return null;
  },
};

function balancedCase(ctx: RuleContext, d: Trace, b: Branch): BalancedCase {
  const lostFlows = d.paths.filter((p) => !p.reached).length;
  const vars: Record<string, string | number> = { dst: d.target, hop: b.last?.ttl ?? 0, router: b.last?.addr ?? '???' };
  const spread = ofKind(ctx.observations, 'tcp.spread').find((x) => sameIp(x.data.address, d.target))?.data;
  const ev = [
    ...(spread && spread.method === 'raw'
      ? [
          evidence(
            'tcp.spread',
            tr(
              ctx.lang,
              `SYNs to ${d.target}:${spread.port} from ${spread.flows.length} source ports at once: ${spread.answered} answered, ${spread.lost} lost (lost: ${lostPorts(spread.flows)})`,
              `从 ${spread.flows.length} 个源端口同时向 ${d.target}:${spread.port} 发送 SYN：${spread.answered} 个有应答，${spread.lost} 个丢失（丢失的源端口：${lostPorts(spread.flows)}）`,
            ),
            { flows: spread.flows },
          ),
        ]
      : []),
    ...d.paths.map((p) =>
      evidence(
        'trace.path',
        tr(ctx.lang, `${d.proto.toUpperCase()} trace to ${d.target}, ${branchText(ctx.lang, p)}`, `到 ${d.target} 的 ${d.proto.toUpperCase()} 路径追踪，${branchText(ctx.lang, p)}`),
        { target: d.target, flow: p.flow, reached: p.reached, hops: p.hops },
      ),
    ),
  ];
  const reproduce = {
    summary: tr(ctx.lang, 'Reproduce: trace several flows to the service port', '复现：对服务端口追踪多条流'),
    command: `netdx trace ${d.port === null ? d.target : d.target.includes(':') ? `[${d.target}]:${d.port}` : `${d.target}:${d.port}`} --paths 8`,
  };
  return { d, b, lostFlows, vars, ev, reproduce, hop: b.last?.ttl ?? 0, router: String(vars.router) };
}

/** Some flows die in silence and no router says where (their ICMP answers were rate-limited). */
function silentUnlocatedFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, lostFlows, vars, ev, reproduce } = c;
  const reachedFlows = d.paths.length - lostFlows;
  return makeFinding(meta, ctx, {
    vars,
    title: tr(ctx.lang, `Packets to ${d.target} are lost for some source ports only: a balanced member on the path is broken`, `负载分担成员故障：发往 ${d.target} 的报文按源端口不同，部分丢失`),
    explanation: tr(
      ctx.lang,
      `${lostFlows} of ${d.paths.length} traced flows never reach ${d.target}, in any round, while the other ${reachedFlows} reach it every time without loss. Somewhere on the path a stage chosen per flow — an ECMP next hop, a link-bundle member, a load balancer's pool member — drops what it gets. The routers did not say where (their ICMP answers were rate-limited); trace the flows again in a minute to see the last router they pass. Which clients fail depends only on their source port, so the fault looks intermittent.`,
      `追踪的 ${d.paths.length} 条流中有 ${lostFlows} 条在每一轮都到不了 ${d.target}，其余 ${reachedFlows} 条每次都无丢包地到达。路径上某个按流选择的环节——ECMP 下一跳、链路聚合成员或负载均衡池成员——丢弃了它收到的报文。路由器没有给出位置（它们的 ICMP 应答被限速）；一分钟后再追踪这些流，可看到它们经过的最后一个路由器。哪些连接失败只取决于源端口，所以故障看起来时好时坏。`,
    ),
    evidence: ev,
    fix: [
      {
        summary: tr(
          ctx.lang,
          `Trace the flows again once the routers' ICMP budget has refilled, find the router before the loss, and check each next hop, bundle member or pool member it balances ${d.target} over`,
          `等路由器的 ICMP 限额恢复后再次追踪这些流，找到丢包前的路由器，逐一检查它为 ${d.target} 做负载分担的下一跳、聚合成员或池成员`,
        ),
      },
      reproduce,
    ],
  });
}

/** Some flows die in silence beyond a router the working flows pass too. */
function silentMemberFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, lostFlows, vars, ev, reproduce, hop, router } = c;
  return makeFinding(meta, ctx, {
    vars,
    title: tr(
      ctx.lang,
      `Packets to ${d.target} are lost beyond hop ${hop} (${router}) for some source ports only: a balanced member after it is broken`,
      `负载分担成员故障：发往 ${d.target} 的报文按源端口不同，部分在第 ${hop} 跳（${router}）之后丢失`,
    ),
    explanation: tr(
      ctx.lang,
      `${lostFlows} of ${d.paths.length} traced flows to ${d.target} stop after hop ${hop} (${router}) in every round, while the others pass the same hops and reach ${d.target} without loss. What lies beyond ${router} is chosen per flow — an ECMP next hop that does not answer traces, a link-bundle member, a load balancer's pool member — and one of them drops what it gets. Which clients fail depends only on their source port, so the fault looks intermittent.`,
      `追踪的 ${d.paths.length} 条到 ${d.target} 的流中，有 ${lostFlows} 条每一轮都停在第 ${hop} 跳（${router}）之后，其余的流经过相同的跳点、无丢包地到达 ${d.target}。${router} 之后的路径按流选择——不回应追踪的 ECMP 下一跳、链路聚合成员或负载均衡池成员——其中一个丢弃了它收到的报文。哪些连接失败只取决于源端口，所以故障看起来时好时坏。`,
    ),
    evidence: ev,
    fix: [
      {
        summary: tr(
          ctx.lang,
          `Ask the operator of ${router} (hop ${hop}) to check each next hop, bundle member or pool member it balances ${d.target} over, and to take the one that drops traffic out until it is fixed`,
          `请 ${router}（第 ${hop} 跳）的管理方逐一检查它为 ${d.target} 做负载分担的下一跳、聚合成员或池成员，并在修复前摘除丢包的那个`,
        ),
      },
      reproduce,
    ],
  });
}

/** The lost flows stop at a router that is not on the working flows' path. */
function brokenBranchFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, b, lostFlows, vars, ev, reproduce, hop, router } = c;
  const good = b.goodHop?.addr ?? '???';
  return makeFinding(meta, ctx, {
    vars,
    title: tr(
      ctx.lang,
      `Packets to ${d.target} that are balanced onto ${router} (hop ${hop}) are lost beyond it; flows through ${good} get through`,
      `负载分担路径中的一支中断：经 ${router}（第 ${hop} 跳）转发到 ${d.target} 的流量在其后丢失，经 ${good} 的流量正常`,
    ),
    explanation: tr(
      ctx.lang,
      `The path to ${d.target} is balanced per flow (ECMP hashed on addresses and ports, or a link bundle): ${lostFlows} of ${d.paths.length} traced flows (those through ${router} at hop ${hop}) get no further; the others, through ${good}, reach ${d.target}. Which clients fail depends only on their source port, so the fault looks intermittent: some connections work, some hang.`,
      `到 ${d.target} 的路径按流做负载分担（基于地址和端口哈希的 ECMP，或链路聚合）：追踪的 ${d.paths.length} 条流中有 ${lostFlows} 条在第 ${hop} 跳经过 ${router} 后再无响应，其余经过 ${good} 的流能到达 ${d.target}。哪些连接失败只取决于源端口，所以故障看起来时好时坏：有的连接正常，有的卡住。`,
    ),
    evidence: ev,
    fix: [
      {
        summary: tr(
          ctx.lang,
          `Ask the operator of ${router} (hop ${hop}) to check its route and filters toward ${d.target}; until it is fixed, take that branch out of the multipath route on the router before it (hop ${hop - 1}) so every flow uses ${good}`,
          `请 ${router}（第 ${hop} 跳）的管理方检查其到 ${d.target} 的路由和过滤规则；修复前，在它之前的路由器（第 ${hop - 1} 跳）的多路径路由中去掉这一支，让所有流量经由 ${good}`,
        ),
      },
      reproduce,
    ],
  });
}

/** A path that no probe gets through, or null when this trace does not show one. */
function blackholeFinding(ctx: RuleContext, d: Trace): Finding | null {
  if (d.method === 'unavailable' || d.reached || d.paths.length === 0) return null;
  // A target of a tunnel that does not carry it: the tunnel layer (VPN-00N) names why.
  if (inBrokenTunnel(ctx, d.target)) return null;
  // The target answers some other probe: the trace's probes are filtered, the path is not a blackhole.
  const echoOk = ofKind(ctx.observations, 'icmp.echo').some((e) => sameIp(e.data.address, d.target) && e.data.received > 0);
  const tcpOk = ofKind(ctx.observations, 'tcp.connect').some((c) => sameIp(c.data.address, d.target) && ['open', 'refused'].includes(c.data.outcome));
  if (echoOk || tcpOk) return null;
  const hops = d.paths[0]!.hops;
  // A router that says why (unreachable/prohibited) is NET-010, not a silent blackhole.
  if (hops.some((h) => h.icmp && routerUnreachable(h.icmp))) return null;
  const last = [...hops].reverse().find((h) => h.recv > 0);
  const route = ofKind(ctx.observations, 'route.lookup').find((r) => sameIp(r.data.destination, d.target));
  const hop = last?.ttl ?? 0;
  const router = last?.addr ?? route?.data.gateway ?? tr(ctx.lang, 'the gateway', '网关');
  const vars: Record<string, string | number> = { dst: d.target, hop, router };
  const chosen = route?.data.gateway ?? null;
  const chosenCand = route?.data.candidates.find((c) => (route.data.route !== null && c.text === route.data.route) || (sameIp(c.gateway, chosen) && c.dev === route.data.dev));
  // An alternative only for the same prefix (routes of one prefix competing by metric): replacing a
  // less specific route (the default) changes nothing for a target a more specific route or a
  // policy rule steers — that is NET-004's case, which names the route that wins.
  const alt = chosenCand
    ? route?.data.candidates.find((c) => c.gateway && !sameIp(c.gateway, chosen) && c.type === 'unicast' && c.table === chosenCand.table && samePrefix(c.prefix, chosenCand.prefix))
    : undefined;
  if (alt?.gateway) {
    vars.altGateway = alt.gateway;
    vars.prefix = alt.prefix === '0.0.0.0/0' || alt.prefix === '::/0' ? 'default' : alt.prefix;
  }
  // Without an alternative route only the first advice applies.
  const fix: Fix[] | undefined = alt?.gateway ? undefined : [{ summary: fill(meta.fix[0]!.summary[ctx.lang], vars) }];
  // No hop answered at all: there is no "hop 0"; the packets die right after they leave by the gateway.
  const silentFromStart = !last;
  const words = silentFromStart
    ? {
        title: tr(
          ctx.lang,
          `Packets to ${d.target} are lost right after the gateway ${router}: no router on the path answers`,
          `路径中断/黑洞：发往 ${d.target} 的报文在网关 ${router} 之后即丢失，路径上没有任何路由器响应`,
        ),
        explanation: tr(
          ctx.lang,
          `Packets leave through ${router}, and nothing answers from there on: no router returns "time exceeded" for any TTL, and neither ICMP nor TCP reaches ${d.target}. The gateway itself or the first router behind it drops them silently (a blackhole route, a filter, a broken link).`,
          `报文经 ${router} 发出后再无任何响应：没有路由器对任何 TTL 返回"超时"，ICMP 和 TCP 都到不了 ${d.target}。网关本身或其后的第一个路由器静默丢弃了报文（黑洞路由、过滤或链路故障）。`,
        ),
      }
    : {};
  const firstFix: Fix = silentFromStart
    ? { summary: tr(ctx.lang, `Ask the operator of ${router} to check its route to ${d.target}`, `请 ${router} 的管理方检查其到 ${d.target} 的路由`) }
    : { summary: fill(meta.fix[0]!.summary[ctx.lang], vars) };
  const fixes: Fix[] | undefined = silentFromStart ? [firstFix, ...(alt?.gateway ? [{ summary: fill(meta.fix[1]!.summary[ctx.lang], vars), command: fill(meta.fix[1]!.command!, vars) }] : [])] : fix;
  const ev = [
    evidence(
      'trace.path',
      tr(
        ctx.lang,
        `${d.proto.toUpperCase()} trace to ${d.target} (${d.method}): ${silentFromStart ? 'no hop answered' : `last answer from hop ${hop} (${router})`}; ${hops.length} hops: ${hops.map((h) => hopText(ctx.lang, h)).join(', ')}`,
        `到 ${d.target} 的 ${d.proto.toUpperCase()} 路径追踪（${d.method}）：${silentFromStart ? '没有任何一跳响应' : `最后一个应答来自第 ${hop} 跳（${router}）`}；共 ${hops.length} 跳：${hops.map((h) => hopText(ctx.lang, h)).join('，')}`,
      ),
      { target: d.target, proto: d.proto, hops },
    ),
  ];
  for (const e of ofKind(ctx.observations, 'icmp.echo').filter((x) => sameIp(x.data.address, d.target)))
    ev.push(evidence('icmp.echo', tr(ctx.lang, `ping ${d.target}: ${e.data.received}/${e.data.sent} answered`, `ping ${d.target}：${e.data.received}/${e.data.sent} 有应答`)));
  for (const c of ofKind(ctx.observations, 'tcp.connect').filter((x) => sameIp(x.data.address, d.target)))
    ev.push(evidence('tcp.connect', tr(ctx.lang, `TCP ${d.target}:${c.data.port}: ${c.data.outcome}`, `TCP ${d.target}:${c.data.port}：${said(ctx.lang, c.data.outcome)}`)));
  return makeFinding(meta, ctx, { vars, evidence: ev, ...words, ...(fixes ? { fix: fixes } : {}) });
}
