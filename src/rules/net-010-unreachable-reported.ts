import type { Rule, RuleContext, RuleMeta } from './types.js';
import { defineMessages, evidence, fill, makeFinding, msg, ofKind } from './types.js';
import { inBrokenTunnel } from './vpn-common.js';
import type { IcmpError } from '../model/observation.js';
import { familyOf, sameIp } from './helpers.js';

export const meta: RuleMeta = {
  code: 'NET-010',
  slug: 'unreachable-reported',
  layer: 'network',
  severity: 'error',
  title: { en: 'The router {router} reports {dst} as {name}', zh: '路由器返回不可达：{router} 报告 {dst} {name}' },
  explanation: {
    en: 'A router on the path ({router}) answers packets to {dst} with ICMP destination unreachable, {name} (type {type} code {code}): {meaning}. The fault is at that router, not on this machine or the target.',
    zh: '路径上的路由器 {router} 对发往 {dst} 的报文回应 ICMP 目标不可达：{name}（类型 {type}，代码 {code}），{meaning}。故障在该路由器，而不在本机或目标上。',
  },
  evidence: { en: 'The ICMP type/code and the router that sent it, per probe.', zh: '每次探测收到的 ICMP 类型/代码及发送它的路由器。' },
  fix: [
    {
      summary: {
        en: 'Ask the operator of {router} why it reports {name} for {dst}: a missing route there, or an ACL that must allow the traffic',
        zh: '请 {router} 的管理方确认为何对 {dst} 报告 {name}：该处缺少路由，或需要放行该流量的 ACL',
      },
    },
  ],
  explains: ['HOST-004', 'DNS-001', 'NET-003', 'NET-005', 'NET-007', 'VPN-002', 'VPN-003', 'TCP-002', 'TCP-003', 'TLS-009', 'APP-001', 'APP-002'],
};

type Via = 'icmp.echo' | 'tcp.connect' | 'trace.path';

const M = defineMessages('NET-010', {
  /** The meta's explanation with {meaning} (an access list, else no route onward) told in each language. */
  routerWhy: msg(
    ({ prohibited, ...p }: { router: string; dst: string; name: string; type: number; code: number; prohibited: boolean }) =>
      fill(meta.explanation.en, { ...p, meaning: prohibited ? 'an access list there forbids the traffic' : 'it has no route onward to the target' }),
    ({ prohibited, ...p }) => fill(meta.explanation.zh, { ...p, meaning: prohibited ? '即该处的访问控制列表禁止了该流量' : '即它没有继续通往目标的路由' }),
  ),
  icmpError: msg(
    (p: { via: string; dst: string; name: string; type: number; code: number; from: string }) =>
      `${p.via === 'icmp.echo' ? 'ping' : p.via === 'trace.path' ? 'trace' : 'TCP'} ${p.dst}: ICMP ${p.name} (type ${p.type} code ${p.code}) from ${p.from}`,
    (p) => `${p.via === 'icmp.echo' ? 'ping' : p.via === 'trace.path' ? '路径追踪' : 'TCP'} ${p.dst}：收到来自 ${p.from} 的 ICMP ${p.name}（类型 ${p.type}，代码 ${p.code}）`,
  ),
});

/** Destination-unreachable codes that name a router's verdict (not the target's port-unreachable). */
const V4 = new Map<number, string>([
  [0, 'net-unreachable'],
  [1, 'host-unreachable'],
  [6, 'net-unknown'],
  [7, 'host-unknown'],
  [9, 'net-prohibited'],
  [10, 'host-prohibited'],
  [11, 'net-unreachable-tos'],
  [12, 'host-unreachable-tos'],
  [13, 'admin-prohibited'],
]);
const V6 = new Map<number, string>([
  [0, 'no-route'],
  [1, 'admin-prohibited'],
  [3, 'address-unreachable'],
  [5, 'source-policy-failed'],
  [6, 'reject-route'],
]);

export function routerUnreachable(e: IcmpError): string | null {
  const fam = familyOf(e.from);
  if (fam === 4 && e.type === 3) return V4.get(e.code) ?? null;
  if (fam === 6 && e.type === 1) return V6.get(e.code) ?? null;
  return null;
}

/** This host's own addresses: its interfaces' (observed, or in the snapshot) and the source address of each route lookup. */
export function localAddresses(ctx: Pick<RuleContext, 'observations' | 'snapshot'>): string[] {
  return [
    ...ofKind(ctx.observations, 'host.links').flatMap((l) => l.data.links.flatMap((x) => x.addresses.map((a) => a.address))),
    ...(ctx.snapshot?.links.ok ? ctx.snapshot.links.value.flatMap((x) => x.addresses.map((a) => a.address)) : []),
    ...ofKind(ctx.observations, 'route.lookup').flatMap((r) => (r.data.src ? [r.data.src] : [])),
  ];
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const hits: Array<{ dst: string; err: IcmpError; name: string; via: Via }> = [];
    // An error from one of this host's own addresses is the kernel's (its ARP/ND for the next hop
    // failed), never a router on the path: NET-002 names that next hop.
    const local = localAddresses(ctx);
    const isLocal = (a: string): boolean => local.some((x) => sameIp(x, a));
    for (const e of ofKind(ctx.observations, 'icmp.echo')) {
      for (const err of e.data.errors) {
        const name = routerUnreachable(err);
        if (name && !sameIp(err.from, e.data.address) && !isLocal(err.from)) hits.push({ dst: e.data.address, err, name, via: 'icmp.echo' });
      }
    }
    // A target that answers ping is reachable: an ICMP error for its TCP port alone is a port
    // rejection (TCP-003), not a router's verdict on the host.
    // (A dual-stack target counts as pingable when any of its addresses that TCP tried answers.)
    const tcpAddrs = ofKind(ctx.observations, 'tcp.connect').map((c) => c.data.address);
    const pingable = ofKind(ctx.observations, 'icmp.echo').some((e) => e.data.received > 0 && tcpAddrs.some((a) => sameIp(a, e.data.address)));
    for (const c of ofKind(ctx.observations, 'tcp.connect')) {
      const err = c.data.icmp;
      if (!err || pingable || isLocal(err.from)) continue;
      const name = routerUnreachable(err);
      if (name && (!sameIp(err.from, c.data.address) || c.data.outcome === 'unreachable')) hits.push({ dst: `${c.data.address}`, err, name, via: 'tcp.connect' });
      else if (!name && c.data.outcome === 'unreachable' && !sameIp(err.from, c.data.address) && err.type !== 11) hits.push({ dst: c.data.address, err, name: err.name, via: 'tcp.connect' });
    }
    for (const t of ofKind(ctx.observations, 'trace.path')) {
      for (const h of t.data.paths.flatMap((p) => p.hops)) {
        const name = h.icmp ? routerUnreachable(h.icmp) : null;
        if (h.icmp && name && !sameIp(h.icmp.from, t.data.target) && !isLocal(h.icmp.from)) hits.push({ dst: t.data.target, err: h.icmp, name, via: 'trace.path' });
      }
    }
    // A router answering for an address of a tunnel that does not carry it: the tunnel is why (VPN-00N).
    const first = hits.find((h) => !inBrokenTunnel(ctx, h.dst));
    if (!first) return null;
    const prohibited = /prohibited|policy|reject/.test(first.name);
    const vars = { router: first.err.from, dst: first.dst, name: first.name, type: first.err.type, code: first.err.code };
    return makeFinding(meta, ctx, {
      vars,
      explanation: M.routerWhy({ ...vars, prohibited }),
      evidence: hits
        .filter((h) => !inBrokenTunnel(ctx, h.dst))
        .map((h) =>
          evidence(h.via, M.icmpError({ via: h.via, dst: h.dst, name: h.name, type: h.err.type, code: h.err.code, from: h.err.from }), {
            dst: h.dst,
            icmp: h.err,
          }),
        ),
    });
  },
};
