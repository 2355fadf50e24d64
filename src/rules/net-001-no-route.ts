import ipaddr from 'ipaddr.js';
import type { Rule, RuleMeta } from './types.js';
import type { Snapshot } from '../model/snapshot.js';
import { defineMessages, evidence, makeFinding, msg, ofKind } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';

export const meta: RuleMeta = {
  code: 'NET-001',
  slug: 'no-route',
  layer: 'network',
  severity: 'error',
  title: { en: 'No route to {dst}', zh: '缺少路由：没有到 {dst} 的路由' },
  explanation: {
    en: 'The routing table has no route that covers {dst}, so the kernel refuses to send anything there (ping, DNS and TCP all fail with "Network is unreachable").',
    zh: '路由表中没有覆盖 {dst} 的路由，内核无法发送任何报文（ping、DNS、TCP 均报 "Network is unreachable"）。',
  },
  evidence: { en: 'The kernel route lookup (`ip route get`) and every table and policy rule consulted.', zh: '内核路由查询（`ip route get`）以及查询过的所有路由表和策略规则。' },
  fix: [{ summary: { en: 'Add a route through the gateway {gateway} on {dev}', zh: '经 {dev} 上的网关 {gateway} 添加路由' }, command: 'ip route add {prefix} via {gateway} dev {dev}' }],
  explains: ['DNS-001', 'DNS-007', 'NET-002', 'NET-003', 'NET-005', 'NET-007', 'TCP-001', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-002', 'HOST-004', 'VPN-002', 'VPN-003'],
};

const M = defineMessages('NET-001', {
  lookup: msg(
    (p: { destination: string; error: string | null; candidates: number; rules: number }) =>
      `ip route get ${p.destination}: ${p.error ?? 'no route'}; ${p.candidates} candidate route(s), ${p.rules} policy rule(s) consulted`,
    (p) => `ip route get ${p.destination}：${p.error ? `"${p.error}"` : '无路由'}；候选路由 ${p.candidates} 条，查询策略规则 ${p.rules} 条`,
  ),
  addRouteNoGateway: msg(
    (p: { prefix: string }) => `Add a route to ${p.prefix} through the correct next hop (the table has no gateway to suggest)`,
    (p) => `添加到 ${p.prefix} 的路由（表中没有可用网关，请确认下一跳）`,
  ),
});

/**
 * A real gateway for the fix: the gateway of a unicast route of the same family in table main,
 * else a neighbour (router flag first) that sits inside a connected prefix — the router the
 * machine has been talking to.
 */
function suggestGateway(s: Snapshot | null, family: 4 | 6): { gateway: string; dev: string } | null {
  const routes = s?.routes.ok ? s.routes.value : [];
  const r = routes.find((x) => x.family === family && x.type === 'unicast' && x.gateway && x.dev && x.table === 'main');
  if (r) return { gateway: r.gateway!, dev: r.dev! };
  const neigh = (s?.neighbors.ok ? s.neighbors.value : []).filter((n) => n.family === family && !n.state.includes('FAILED') && !n.state.includes('INCOMPLETE') && n.lladdr);
  const connected = routes.filter((x) => x.family === family && x.table === 'main' && x.type === 'unicast' && !x.gateway && x.dev);
  const onLink = neigh.filter((n) => connected.some((c) => c.dev === n.dev && prefixContainsText(c.dst, n.address)));
  const pick = onLink.find((n) => n.router) ?? onLink[0];
  return pick ? { gateway: pick.address, dev: pick.dev } : null;
}

function prefixContainsText(prefix: string, addr: string): boolean {
  try {
    const [net, len] = ipaddr.parseCIDR(prefix);
    const a = ipaddr.parse(addr);
    return a.kind() === net.kind() && a.match(net, len);
  } catch {
    return false;
  }
}

export const rule: Rule = {
  meta,
  check(ctx) {
    // An address of a tunnel that does not carry it has no route because of the tunnel (VPN-00N).
    const lookups = ofKind(ctx.observations, 'route.lookup').filter((o) => o.data.outcome === 'no-route' && !inBrokenTunnel(ctx, o.data.destination));
    const hit = lookups[0];
    if (!hit) return null;
    const d = hit.data;
    // With no default route at all, the missing piece is the default route itself.
    const routes = ctx.snapshot?.routes.ok ? ctx.snapshot.routes.value : [];
    const hasDefault = routes.some((r) => r.family === d.family && r.table === 'main' && (r.dst === '0.0.0.0/0' || r.dst === '::/0') && r.type === 'unicast');
    const prefix = hasDefault ? (d.family === 4 ? `${d.destination}/32` : `${d.destination}/128`) : 'default';
    const gw = suggestGateway(ctx.snapshot, d.family);
    const vars: Record<string, string> = { dst: d.destination, prefix };
    if (gw) Object.assign(vars, gw);
    return makeFinding(meta, ctx, {
      vars,
      evidence: [
        evidence('route.lookup', M.lookup({ destination: d.destination, error: d.error ?? null, candidates: d.candidates.length, rules: d.rules.length }), {
          destination: d.destination,
          candidates: d.candidates,
          rules: d.rules,
        }),
      ],
      fix: gw ? undefined : [{ summary: M.addRouteNoGateway({ prefix }) }],
    });
  },
};
