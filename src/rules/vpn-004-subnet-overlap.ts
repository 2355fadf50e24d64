import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, type Message } from './types.js';
import { lanPrefixes, stateEvidence, targetAddresses, targetAnswered, targetRoute, tunnels } from './vpn-common.js';
import { canonicalIp } from './helpers.js';
import { prefixCovers, prefixesOverlap } from '../model/prefix.js';

export const meta: RuleMeta = {
  code: 'VPN-004',
  slug: 'subnet-overlap',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The virtual network {vnet} overlaps the local network {lan} on {lanDev}', zh: '虚拟网段与本地网段冲突：{vnet} 与 {lanDev} 上的本地网段 {lan} 重叠' },
  explanation: {
    en: 'The tunnel’s network {vnet} and the local network {lan} overlap, so the kernel sends {dst} out of {chosenDev} instead of {expectedDev}: traffic for the target leaves through the LAN instead of the tunnel (or the reverse).',
    zh: '隧道网段 {vnet} 与本地网段 {lan} 重叠，内核把 {dst} 从 {chosenDev} 而不是 {expectedDev} 发出：发往目标的流量走了本地网络而不是隧道（或相反）。',
  },
  evidence: { en: 'Both routes and the one the kernel picks for the target.', zh: '两条路由以及内核为目标选中的那一条。' },
  fix: [
    {
      summary: { en: 'Send the target into the tunnel with a host route (a lasting fix is to renumber one of the subnets)', zh: '添加一条把目标送入隧道的主机路由（根本解决需要修改其中一个网段）' },
      command: 'ip route add {hostPrefix} dev {tunDev}',
    },
  ],
  explains: ['TCP-001', 'TCP-002', 'TCP-003', 'TLS-003', 'TLS-009', 'APP-002'],
};

const M = defineMessages('VPN-004', {
  intoTunnel: msg(
    (p: { dst: string }) => `Send ${p.dst} into the tunnel with a host route (a lasting fix renumbers the LAN or the virtual network)`,
    (p) => `添加一条把 ${p.dst} 送入隧道的主机路由（根本解决需要修改本地网段或虚拟网段）`,
  ),
  keepLocal: msg(
    (p: { dst: string }) => `Keep ${p.dst} on the local network with a host route (a lasting fix renumbers one of the subnets)`,
    (p) => `添加一条让 ${p.dst} 留在本地网络的主机路由（根本解决需要修改其中一个网段）`,
  ),
  route: msg(
    (p: { dst: string; route: string | null; dev: string }) => `ip route get ${p.dst}: ${p.route ?? `dev ${p.dev}`} (the kernel picks ${p.dev})`,
    (p) => `ip route get ${p.dst}：\`${p.route ?? `dev ${p.dev}`}\`（内核选择了 ${p.dev}）`,
  ),
  lan: msg(
    (p: { lan: string; lanDev: string; text: string | null; vnet: string; dev: string }) =>
      `local network ${p.lan} on ${p.lanDev}${p.text ? ` (${p.text})` : ''} overlaps the virtual network ${p.vnet} of ${p.dev}`,
    (p) => `${p.lanDev} 上的本地网段 ${p.lan}${p.text ? `（\`${p.text}\`）` : ''}与 ${p.dev} 的虚拟网段 ${p.vnet} 重叠`,
  ),
});

/**
 * The tunnel's network and a local LAN overlap and the target lies in both. Either the LAN route
 * wins although the target belongs to the tunnel, or the tunnel's route wins for a target on the
 * LAN and nothing answers through the tunnel.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const dst = targetAddresses(ctx)[0];
    const route = targetRoute(ctx);
    if (!dst || !route || route.outcome !== 'route' || !route.dev) return null;
    const lans = lanPrefixes(ctx);
    for (const { data: s } of tunnels(ctx)) {
      const host = `${canonicalIp(dst)}/${dst.includes(':') ? 128 : 32}`;
      const tunnelNets = s.networks.filter((n) => prefixCovers(n, dst));
      const lan = lans.find((l) => l.dev !== s.dev && prefixCovers(l.prefix, dst) && tunnelNets.some((n) => prefixesOverlap(n, l.prefix)));
      if (!lan) continue;
      const vnet = s.targetNetwork ?? tunnelNets[0]!;
      const chosen = route.dev;
      let fixCmd: string;
      let fixSummary: Message;
      if (chosen === lan.dev && s.present) {
        fixCmd = `ip route add ${host} dev ${s.dev}`;
        fixSummary = M.intoTunnel({ dst });
      } else if (chosen === s.dev && targetAnswered(ctx) === false) {
        fixCmd = `ip route add ${host} dev ${lan.dev}`;
        fixSummary = M.keepLocal({ dst });
      } else continue;
      const expected = chosen === lan.dev ? s.dev : lan.dev;
      return makeFinding(meta, ctx, {
        vars: { vnet, lan: lan.prefix, lanDev: lan.dev, dst, chosenDev: chosen, expectedDev: expected, hostPrefix: host, tunDev: s.dev },
        evidence: [
          stateEvidence(s),
          evidence('route.lookup', M.route({ dst, route: route.route, dev: chosen }), {
            destination: dst,
            dev: route.dev,
            gateway: route.gateway,
            route: route.route,
            candidates: route.candidates,
          }),
          evidence('route.lookup', M.lan({ lan: lan.prefix, lanDev: lan.dev, text: lan.text, vnet, dev: s.dev }), {
            lan: lan.prefix,
            lanDev: lan.dev,
            vnet,
          }),
        ],
        fix: [{ summary: fixSummary, command: fixCmd }],
      });
    }
    return null;
  },
};
