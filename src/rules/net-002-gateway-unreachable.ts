import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, metaFix, msg, ofKind } from './types.js';
import { sameIp } from './helpers.js';

export const meta: RuleMeta = {
  code: 'NET-002',
  slug: 'gateway-unreachable',
  layer: 'network',
  severity: 'error',
  title: { en: 'The gateway {gateway} on {dev} does not answer ARP/ND', zh: '网关不可达：{dev} 上的网关 {gateway} 不响应 ARP/ND' },
  explanation: {
    en: 'The route to {dst} goes through {gateway} on {dev}, but that next hop does not answer address resolution (neighbor state {state}), so no packet leaves the local network. The gateway address in the route is wrong, or the router is down or on another segment.',
    zh: '到 {dst} 的路由经由 {dev} 上的 {gateway}，但该下一跳不响应地址解析（邻居状态 {state}），报文出不了本地网络。可能是路由中的网关地址写错了，或者路由器已宕机、不在同一网段。',
  },
  evidence: { en: 'The neighbor (ARP/ND) state of the next hop and a probe of it; the route that names it.', zh: '下一跳的邻居（ARP/ND）状态及对它的探测；指定该网关的路由。' },
  fix: [
    {
      summary: {
        en: 'Check that {gateway} is the router of the {dev} segment and that it is up; then correct the gateway in the route: {route}',
        zh: '确认 {gateway} 是 {dev} 所在网段的路由器并且在线；然后修正路由中的网关：{route}',
      },
    },
    { summary: { en: 'Show what answers on the segment', zh: '查看该网段上有响应的邻居' }, command: 'ip neigh show dev {dev}' },
  ],
  explains: ['HOST-004', 'DNS-001', 'DNS-006', 'DNS-007', 'NET-003', 'NET-005', 'NET-007', 'NET-008', 'NET-010', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-001', 'APP-002'],
};

const BAD = new Set(['FAILED', 'INCOMPLETE']);

const lookupText = (d: { route: string | null; gateway: string | null; dev: string | null }): string => d.route ?? `via ${d.gateway} dev ${d.dev}`;

/** The gateway probe's reason (src/probes/gateway.ts) in Chinese; a text it does not know is quoted as it is. */
export function neighborReasonZh(reason: string): string {
  let x: RegExpExecArray | null;
  if ((x = /^no echo reply; neighbour table unreadable: (.*)$/s.exec(reason))) return `无回显应答；无法读取邻居表："${x[1]}"`;
  if ((x = /^no echo and no neighbour table: (.*)$/s.exec(reason))) return `无回显应答，也读不到邻居表："${x[1]}"`;
  if ((x = /^no echo reply; neighbour entry (\S+) does not confirm the gateway$/.exec(reason))) return `无回显应答；邻居表项 ${x[1]} 不能证明网关在线`;
  if (reason === 'could not ping and no neighbour entry') return '无法 ping，也没有邻居表项';
  if ((x = /^could not ping; neighbour entry (\S+) does not confirm the gateway$/.exec(reason))) return `无法 ping；邻居表项 ${x[1]} 不能证明网关在线`;
  return `"${reason}"`;
}
const KNOWN_GOOD = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT']);

type NeighborParams = { gateway: string; dev: string; state: string | null; answered: boolean | null; method: string; reason: string | null };

const M = defineMessages('NET-002', {
  /** The meta's explanation with a missing neighbor state told in each language. */
  noAnswerWhy: msg(
    (p: { gateway: string; dev: string; dst: string; state: string | null }) => fill(meta.explanation.en, { ...p, state: p.state ?? 'none' }),
    (p) => fill(meta.explanation.zh, { ...p, state: p.state ?? '无' }),
  ),
  /** The meta's first fix, the route set off as code in zh. */
  checkGateway: msg(
    (p: { gateway: string; dev: string; route: string }) => fill(meta.fix[0]!.summary.en, p),
    (p) => fill(meta.fix[0]!.summary.zh, { ...p, route: `\`${p.route}\`` }),
  ),
  neighbor: msg(
    (p: NeighborParams) =>
      `${p.gateway} dev ${p.dev}: neighbor state ${p.state ?? 'none'}, ${p.answered === null ? 'not probed' : p.answered ? 'answered' : 'no answer'} (${p.method})${p.reason ? `: ${p.reason}` : ''}`,
    (p) =>
      `${p.gateway} dev ${p.dev}：邻居表状态 ${p.state ?? '无'}，${p.answered === null ? '未探测' : p.answered ? '有应答' : '无应答'}（${p.method}）${p.reason ? `：${neighborReasonZh(p.reason)}` : ''}`,
  ),
  lookup: msg(
    (p: { destination: string; route: string }) => `ip route get ${p.destination}: ${p.route}`,
    (p) => `ip route get ${p.destination}：\`${p.route}\``,
  ),
});

/**
 * FAILED/INCOMPLETE is proof. A ping that goes unanswered is proof only when the neighbor table does
 * not show the gateway alive (a router may drop echo requests and still forward).
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const routes = ofKind(ctx.observations, 'route.lookup').filter((r) => r.data.outcome === 'route' && r.data.gateway);
    for (const n of ofKind(ctx.observations, 'gateway.neighbor')) {
      const d = n.data;
      const r = routes.find((x) => sameIp(x.data.gateway, d.gateway));
      if (routes.length > 0 && !r) continue; // not the chosen route's gateway
      const failed = (d.state !== null && BAD.has(d.state)) || (d.answered === false && !(d.state !== null && KNOWN_GOOD.has(d.state)));
      if (!failed) continue;
      const routeText = r?.data.route ?? `via ${d.gateway} dev ${d.dev}`;
      const vars = { gateway: d.gateway, dev: d.dev, dst: r?.data.destination ?? ctx.target.host };
      return makeFinding(meta, ctx, {
        vars,
        explanation: M.noAnswerWhy({ ...vars, state: d.state }),
        evidence: [
          evidence('gateway.neighbor', M.neighbor({ gateway: d.gateway, dev: d.dev, state: d.state, answered: d.answered, method: d.method, reason: d.reason ?? null }), { ...d }),
          ...(r
            ? [
                evidence('route.lookup', M.lookup({ destination: r.data.destination, route: lookupText(r.data) }), {
                  destination: r.data.destination,
                  gateway: r.data.gateway,
                  dev: r.data.dev,
                  route: r.data.route,
                }),
              ]
            : []),
        ],
        // The meta's fixes: the first with the route set off as code in zh, the second by its own id.
        fix: [{ summary: M.checkGateway({ gateway: d.gateway, dev: d.dev, route: routeText }) }, metaFix(meta, 1, vars)],
      });
    }
    return null;
  },
};
