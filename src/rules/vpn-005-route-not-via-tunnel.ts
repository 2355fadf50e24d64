import type { Rule, RuleMeta } from './types.js';
import { evidence, makeFinding } from './types.js';
import { lanPrefixes, stateEvidence, targetAddresses, targetRoute, tunnels } from './vpn-common.js';
import { canonicalIp, said, tr } from './helpers.js';
import { prefixCovers, prefixesOverlap } from '../model/prefix.js';

export const meta: RuleMeta = {
  code: 'VPN-005',
  slug: 'route-not-via-tunnel',
  layer: 'tunnel',
  severity: 'error',
  title: { en: '{dst} is inside the virtual network, but no route sends it into {tunDev}', zh: '虚拟网段路由缺失：{dst} 属于虚拟网络，但没有路由把它送入 {tunDev}' },
  explanation: {
    en: 'The tunnel {tunDev} carries {vnet} (its allowed/pushed networks), but the kernel sends {dst} {actual}: the route was not pushed or installed, or a more specific route elsewhere wins.',
    zh: '隧道 {tunDev} 承载 {vnet}（其允许/下发的网段），但内核把 {dst} {actual}：路由没有下发或安装，或者别处有一条更具体的路由胜出。',
  },
  evidence: { en: 'The route lookup for the target and the tunnel’s allowed/pushed networks.', zh: '目标的路由查询结果以及隧道允许/下发的网段。' },
  fix: [{ summary: { en: 'Route the virtual network into the tunnel', zh: '把虚拟网段路由进隧道' }, command: 'ip route add {vnet} dev {tunDev}' }],
  explains: ['NET-001', 'DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

/**
 * The target belongs to a running tunnel (its networks contain it, or --tunnel names it) but the
 * kernel does not send it into that tunnel: no route at all, or a route elsewhere wins. An
 * overlap with a local LAN is VPN-004 instead; a tunnel that is down is VPN-001.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const dst = targetAddresses(ctx)[0];
    const route = targetRoute(ctx);
    if (!dst || !route) return null;
    for (const { data: s } of tunnels(ctx)) {
      if (s.source !== 'running' || !s.present || s.up === false) continue;
      if (!s.targetNetwork && s.selectedBy !== 'option') continue;
      if (route.outcome === 'route' && route.dev === s.dev) continue;
      const vnet = s.targetNetwork ?? `${canonicalIp(dst)}/${dst.includes(':') ? 128 : 32}`;
      // A local LAN overlapping the virtual network is VPN-004's case.
      if (route.outcome === 'route' && lanPrefixes(ctx).some((l) => l.dev === route.dev && prefixCovers(l.prefix, dst) && prefixesOverlap(l.prefix, vnet))) continue;
      const actual =
        route.outcome === 'route'
          ? tr(ctx.lang, `out of ${route.dev}${route.gateway ? ` via ${route.gateway}` : ''} instead`, `从 ${route.dev}${route.gateway ? `（经由 ${route.gateway}）` : ' '}发出`)
          : tr(ctx.lang, `nowhere (${route.outcome === 'no-route' ? 'no route' : route.outcome})`, `视为不可达（${route.outcome === 'no-route' ? '没有路由' : said(ctx.lang, route.outcome)}）`);
      return makeFinding(meta, ctx, {
        vars: { dst, tunDev: s.dev, vnet, actual },
        evidence: [
          stateEvidence(s),
          evidence(
            'route.lookup',
            tr(
              ctx.lang,
              `ip route get ${dst}: ${route.outcome === 'route' ? (route.route ?? `dev ${route.dev}`) : `${route.outcome}${route.error ? ` (${route.error})` : ''}`}; ${s.dev} carries ${s.networks.join(', ') || vnet}`,
              `ip route get ${dst}：${route.outcome === 'route' ? `\`${route.route ?? `dev ${route.dev}`}\`` : `${said(ctx.lang, route.outcome)}${route.error ? `（"${route.error}"）` : ''}`}；${s.dev} 承载 ${s.networks.join(', ') || vnet}`,
            ),
            { destination: dst, outcome: route.outcome, dev: route.dev, gateway: route.gateway, route: route.route, tunnelNetworks: s.networks },
          ),
        ],
      });
    }
    return null;
  },
};
