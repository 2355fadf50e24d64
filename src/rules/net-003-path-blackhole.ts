import type { Rule, RuleContext, RuleMeta } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';
import { defineMessages, evidence, makeFinding, metaFix, msg, ofKind, type FixPart, metaText } from './types.js';
import { hopColumns, sameIp, said } from './helpers.js';
import type { Lang } from '../model/layer.js';
import { routerUnreachable } from './net-010-unreachable-reported.js';
import type { ObservationData, TraceHop } from '../model/observation.js';
import type { Evidence, Finding } from '../model/report.js';

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

/** A path's hops as parallel lists (`limited`: 1 where the hop's ICMP answers are rate-limited; `icmp`: the ICMP error's name, '' for none). */
type Hops = { ttl: number[]; addr: string[]; recv: number[]; sent: number[]; limited: number[]; icmp: string[] };

const hopParams = (hops: readonly TraceHop[]): Hops => ({ ...hopColumns(hops), icmp: hops.map((h) => h.icmp?.name ?? '') });

const hopList = (lang: Lang, p: Hops): string =>
  p.ttl
    .map((ttl, i) => `${ttl} ${p.addr[i]} ${p.recv[i]}/${p.sent[i]}${p.limited[i] ? (lang === 'zh' ? '（ICMP 限速）' : ' (ICMP rate-limited)') : ''}${p.icmp[i] ? ` ${p.icmp[i]}` : ''}`)
    .join(lang === 'zh' ? '，' : ', ');

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

/** The router after which packets die, or the gateway when none is known (null). */
const routerWord = (lang: Lang, router: string | null): string => router ?? (lang === 'zh' ? '网关' : 'the gateway');

/** A blackhole as params: the target, the last hop that answers and its router (null: unknown). */
type Lost = { dst: string; hop: number; router: string | null };
const lostWords = (lang: Lang, p: Lost): Record<string, string | number> => ({ dst: p.dst, hop: p.hop, router: routerWord(lang, p.router) });

/** A balanced path's case: the traced flows, the lost ones, the target. */
type Flows = { target: string; paths: number; lost: number };

const M = defineMessages('NET-003', {
  spread: msg(
    (p: { target: string; port: number; flows: number; answered: number; lost: number; lostPorts: number[] }) =>
      `SYNs to ${p.target}:${p.port} from ${p.flows} source ports at once: ${p.answered} answered, ${p.lost} lost (lost: ${p.lostPorts.join(', ')})`,
    (p) => `从 ${p.flows} 个源端口同时向 ${p.target}:${p.port} 发送 SYN：${p.answered} 个有应答，${p.lost} 个丢失（丢失的源端口：${p.lostPorts.join('、')}）`,
  ),
  flowTrace: msg(
    (p: Hops & { proto: string; target: string; flow: string; reached: boolean }) =>
      `${p.proto.toUpperCase()} trace to ${p.target}, ${p.flow}: ${hopList('en', p)}${p.reached ? '' : ', then nothing'}`,
    (p) => `到 ${p.target} 的 ${p.proto.toUpperCase()} 路径追踪，${p.flow}：${hopList('zh', p)}${p.reached ? '' : '，之后再无响应'}`,
  ),
  reproduce: msg('Reproduce: trace several flows to the service port', '复现：对服务端口追踪多条流'),
  unlocatedTitle: msg(
    (p: { target: string }) => `Packets to ${p.target} are lost for some source ports only: a balanced member on the path is broken`,
    (p) => `负载分担成员故障：发往 ${p.target} 的报文按源端口不同，部分丢失`,
  ),
  unlocatedWhy: msg(
    (p: Flows) =>
      `${p.lost} of ${p.paths} traced flows never reach ${p.target}, in any round, while the other ${p.paths - p.lost} reach it every time without loss. Somewhere on the path a stage chosen per flow — an ECMP next hop, a link-bundle member, a load balancer's pool member — drops what it gets. The routers did not say where (their ICMP answers were rate-limited); trace the flows again in a minute to see the last router they pass. Which clients fail depends only on their source port, so the fault looks intermittent.`,
    (p) =>
      `追踪的 ${p.paths} 条流中有 ${p.lost} 条在每一轮都到不了 ${p.target}，其余 ${p.paths - p.lost} 条每次都无丢包地到达。路径上某个按流选择的环节——ECMP 下一跳、链路聚合成员或负载均衡池成员——丢弃了它收到的报文。路由器没有给出位置（它们的 ICMP 应答被限速）；一分钟后再追踪这些流，可看到它们经过的最后一个路由器。哪些连接失败只取决于源端口，所以故障看起来时好时坏。`,
  ),
  unlocatedFix: msg(
    (p: { target: string }) =>
      `Trace the flows again once the routers' ICMP budget has refilled, find the router before the loss, and check each next hop, bundle member or pool member it balances ${p.target} over`,
    (p) => `等路由器的 ICMP 限额恢复后再次追踪这些流，找到丢包前的路由器，逐一检查它为 ${p.target} 做负载分担的下一跳、聚合成员或池成员`,
  ),
  memberTitle: msg(
    (p: { target: string; hop: number; router: string }) => `Packets to ${p.target} are lost beyond hop ${p.hop} (${p.router}) for some source ports only: a balanced member after it is broken`,
    (p) => `负载分担成员故障：发往 ${p.target} 的报文按源端口不同，部分在第 ${p.hop} 跳（${p.router}）之后丢失`,
  ),
  memberWhy: msg(
    (p: Flows & { hop: number; router: string }) =>
      `${p.lost} of ${p.paths} traced flows to ${p.target} stop after hop ${p.hop} (${p.router}) in every round, while the others pass the same hops and reach ${p.target} without loss. What lies beyond ${p.router} is chosen per flow — an ECMP next hop that does not answer traces, a link-bundle member, a load balancer's pool member — and one of them drops what it gets. Which clients fail depends only on their source port, so the fault looks intermittent.`,
    (p) =>
      `追踪的 ${p.paths} 条到 ${p.target} 的流中，有 ${p.lost} 条每一轮都停在第 ${p.hop} 跳（${p.router}）之后，其余的流经过相同的跳点、无丢包地到达 ${p.target}。${p.router} 之后的路径按流选择——不回应追踪的 ECMP 下一跳、链路聚合成员或负载均衡池成员——其中一个丢弃了它收到的报文。哪些连接失败只取决于源端口，所以故障看起来时好时坏。`,
  ),
  memberFix: msg(
    (p: { target: string; hop: number; router: string }) =>
      `Ask the operator of ${p.router} (hop ${p.hop}) to check each next hop, bundle member or pool member it balances ${p.target} over, and to take the one that drops traffic out until it is fixed`,
    (p) => `请 ${p.router}（第 ${p.hop} 跳）的管理方逐一检查它为 ${p.target} 做负载分担的下一跳、聚合成员或池成员，并在修复前摘除丢包的那个`,
  ),
  branchTitle: msg(
    (p: { target: string; hop: number; router: string; good: string }) =>
      `Packets to ${p.target} that are balanced onto ${p.router} (hop ${p.hop}) are lost beyond it; flows through ${p.good} get through`,
    (p) => `负载分担路径中的一支中断：经 ${p.router}（第 ${p.hop} 跳）转发到 ${p.target} 的流量在其后丢失，经 ${p.good} 的流量正常`,
  ),
  branchWhy: msg(
    (p: Flows & { hop: number; router: string; good: string }) =>
      `The path to ${p.target} is balanced per flow (ECMP hashed on addresses and ports, or a link bundle): ${p.lost} of ${p.paths} traced flows (those through ${p.router} at hop ${p.hop}) get no further; the others, through ${p.good}, reach ${p.target}. Which clients fail depends only on their source port, so the fault looks intermittent: some connections work, some hang.`,
    (p) =>
      `到 ${p.target} 的路径按流做负载分担（基于地址和端口哈希的 ECMP，或链路聚合）：追踪的 ${p.paths} 条流中有 ${p.lost} 条在第 ${p.hop} 跳经过 ${p.router} 后再无响应，其余经过 ${p.good} 的流能到达 ${p.target}。哪些连接失败只取决于源端口，所以故障看起来时好时坏：有的连接正常，有的卡住。`,
  ),
  branchFix: msg(
    (p: { target: string; hop: number; router: string; good: string }) =>
      `Ask the operator of ${p.router} (hop ${p.hop}) to check its route and filters toward ${p.target}; until it is fixed, take that branch out of the multipath route on the router before it (hop ${p.hop - 1}) so every flow uses ${p.good}`,
    (p) => `请 ${p.router}（第 ${p.hop} 跳）的管理方检查其到 ${p.target} 的路由和过滤规则；修复前，在它之前的路由器（第 ${p.hop - 1} 跳）的多路径路由中去掉这一支，让所有流量经由 ${p.good}`,
  ),
  /** The meta's title, explanation and first fix with an unknown router told as the gateway in each language. */
  lostTitle: metaText(meta.title, lostWords),
  lostWhy: metaText(meta.explanation, lostWords),
  askOperator: metaText(meta.fix[0]!.summary, lostWords),
  silentTitle: msg(
    (p: { target: string; router: string | null }) => `Packets to ${p.target} are lost right after the gateway${p.router ? ` ${p.router}` : ''}: no router on the path answers`,
    (p) => `路径中断/黑洞：发往 ${p.target} 的报文在网关${p.router ? ` ${p.router} ` : ''}之后即丢失，路径上没有任何路由器响应`,
  ),
  silentWhy: msg(
    (p: { target: string; router: string | null }) =>
      `Packets leave through ${routerWord('en', p.router)}, and nothing answers from there on: no router returns "time exceeded" for any TTL, and neither ICMP nor TCP reaches ${p.target}. The gateway itself or the first router behind it drops them silently (a blackhole route, a filter, a broken link).`,
    (p) =>
      `报文经 ${routerWord('zh', p.router)} 发出后再无任何响应：没有路由器对任何 TTL 返回"超时"，ICMP 和 TCP 都到不了 ${p.target}。网关本身或其后的第一个路由器静默丢弃了报文（黑洞路由、过滤或链路故障）。`,
  ),
  silentFix: msg(
    (p: { target: string; router: string | null }) => `Ask the operator of ${routerWord('en', p.router)} to check its route to ${p.target}`,
    (p) => `请 ${routerWord('zh', p.router)} 的管理方检查其到 ${p.target} 的路由`,
  ),
  /** `silent`: no hop answered; else `hop` and `router` name the last that did. */
  pathTrace: msg(
    (p: Hops & { proto: string; target: string; method: string; silent: boolean; hop: number; router: string | null }) =>
      `${p.proto.toUpperCase()} trace to ${p.target} (${p.method}): ${p.silent ? 'no hop answered' : `last answer from hop ${p.hop} (${routerWord('en', p.router)})`}; ${p.ttl.length} hops: ${hopList('en', p)}`,
    (p) =>
      `到 ${p.target} 的 ${p.proto.toUpperCase()} 路径追踪（${p.method}）：${p.silent ? '没有任何一跳响应' : `最后一个应答来自第 ${p.hop} 跳（${routerWord('zh', p.router)}）`}；共 ${p.ttl.length} 跳：${hopList('zh', p)}`,
  ),
  echo: msg(
    (p: { target: string; received: number; sent: number }) => `ping ${p.target}: ${p.received}/${p.sent} answered`,
    (p) => `ping ${p.target}：${p.received}/${p.sent} 有应答`,
  ),
  tcp: msg(
    (p: { target: string; port: number; outcome: string }) => `TCP ${p.target}:${p.port}: ${p.outcome}`,
    (p) => `TCP ${p.target}:${p.port}：${said('zh', p.outcome)}`,
  ),
});

type Trace = ObservationData['trace.path'];

const lostPorts = (flows: ReadonlyArray<{ outcome: string; sport: number }>): number[] => flows.filter((f) => f.outcome === 'lost').map((f) => f.sport);
type Branch = NonNullable<ReturnType<typeof brokenBranch>>;

/** What the findings of a balanced path with a broken member share. */
interface BalancedCase {
  d: Trace;
  b: Branch;
  flows: Flows;
  ev: Evidence[];
  reproduce: FixPart;
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
  const lost = d.paths.filter((p) => !p.reached).length;
  const spread = ofKind(ctx.observations, 'tcp.spread').find((x) => sameIp(x.data.address, d.target))?.data;
  const ev = [
    ...(spread && spread.method === 'raw'
      ? [
          evidence('tcp.spread', M.spread({ target: d.target, port: spread.port, flows: spread.flows.length, answered: spread.answered, lost: spread.lost, lostPorts: lostPorts(spread.flows) }), {
            flows: spread.flows,
          }),
        ]
      : []),
    ...d.paths.map((p) =>
      evidence('trace.path', M.flowTrace({ proto: d.proto, target: d.target, flow: p.flow, reached: p.reached, ...hopParams(p.hops) }), {
        target: d.target,
        flow: p.flow,
        reached: p.reached,
        hops: p.hops,
      }),
    ),
  ];
  const reproduce = {
    summary: M.reproduce(),
    command: `netdx trace ${d.port === null ? d.target : d.target.includes(':') ? `[${d.target}]:${d.port}` : `${d.target}:${d.port}`} --paths 8`,
  };
  return { d, b, flows: { target: d.target, paths: d.paths.length, lost }, ev, reproduce, hop: b.last?.ttl ?? 0, router: b.last?.addr ?? '???' };
}

/** Some flows die in silence and no router says where (their ICMP answers were rate-limited). */
function silentUnlocatedFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, flows, ev, reproduce } = c;
  return makeFinding(meta, ctx, {
    title: M.unlocatedTitle({ target: d.target }),
    explanation: M.unlocatedWhy(flows),
    evidence: ev,
    fix: [{ summary: M.unlocatedFix({ target: d.target }) }, reproduce],
  });
}

/** Some flows die in silence beyond a router the working flows pass too. */
function silentMemberFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, flows, ev, reproduce, hop, router } = c;
  return makeFinding(meta, ctx, {
    title: M.memberTitle({ target: d.target, hop, router }),
    explanation: M.memberWhy({ ...flows, hop, router }),
    evidence: ev,
    fix: [{ summary: M.memberFix({ target: d.target, hop, router }) }, reproduce],
  });
}

/** The lost flows stop at a router that is not on the working flows' path. */
function brokenBranchFinding(ctx: RuleContext, c: BalancedCase): Finding {
  const { d, b, flows, ev, reproduce, hop, router } = c;
  const good = b.goodHop?.addr ?? '???';
  return makeFinding(meta, ctx, {
    title: M.branchTitle({ target: d.target, hop, router, good }),
    explanation: M.branchWhy({ ...flows, hop, router, good }),
    evidence: ev,
    fix: [{ summary: M.branchFix({ target: d.target, hop, router, good }) }, reproduce],
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
  // The router after which packets die; null: the gateway, whose address is not known either.
  const router = last?.addr ?? route?.data.gateway ?? null;
  const lost: Lost = { dst: d.target, hop, router };
  const chosen = route?.data.gateway ?? null;
  const chosenCand = route?.data.candidates.find((c) => (route.data.route !== null && c.text === route.data.route) || (sameIp(c.gateway, chosen) && c.dev === route.data.dev));
  // An alternative only for the same prefix (routes of one prefix competing by metric): replacing a
  // less specific route (the default) changes nothing for a target a more specific route or a
  // policy rule steers — that is NET-004's case, which names the route that wins.
  const alt = chosenCand
    ? route?.data.candidates.find((c) => c.gateway && !sameIp(c.gateway, chosen) && c.type === 'unicast' && c.table === chosenCand.table && samePrefix(c.prefix, chosenCand.prefix))
    : undefined;
  // The meta's second fix (by its own id) when there is an alternative route for the same prefix.
  const altFix: FixPart[] = [];
  if (alt?.gateway) {
    const vars = { altGateway: alt.gateway, prefix: alt.prefix === '0.0.0.0/0' || alt.prefix === '::/0' ? 'default' : alt.prefix };
    altFix.push(metaFix(meta, 1, vars));
  }
  // No hop answered at all: there is no "hop 0"; the packets die right after they leave by the gateway.
  const silentFromStart = !last;
  const texts = silentFromStart
    ? { title: M.silentTitle({ target: d.target, router }), explanation: M.silentWhy({ target: d.target, router }), fix: [{ summary: M.silentFix({ target: d.target, router }) }, ...altFix] }
    : { title: M.lostTitle(lost), explanation: M.lostWhy(lost), fix: [{ summary: M.askOperator(lost) }, ...altFix] };
  const ev = [
    evidence('trace.path', M.pathTrace({ proto: d.proto, target: d.target, method: d.method, silent: silentFromStart, hop, router, ...hopParams(hops) }), {
      target: d.target,
      proto: d.proto,
      hops,
    }),
  ];
  for (const e of ofKind(ctx.observations, 'icmp.echo').filter((x) => sameIp(x.data.address, d.target)))
    ev.push(evidence('icmp.echo', M.echo({ target: d.target, received: e.data.received, sent: e.data.sent })));
  for (const c of ofKind(ctx.observations, 'tcp.connect').filter((x) => sameIp(x.data.address, d.target)))
    ev.push(evidence('tcp.connect', M.tcp({ target: d.target, port: c.data.port, outcome: c.data.outcome })));
  return makeFinding(meta, ctx, { evidence: ev, ...texts });
}
