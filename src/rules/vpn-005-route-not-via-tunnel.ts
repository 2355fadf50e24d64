import type { Rule, RuleMeta } from './types.js';
import { defineMessages, evidence, makeFinding, msg, metaText } from './types.js';
import type { Lang } from '../model/layer.js';
import { lanPrefixes, stateEvidence, targetAddresses, targetRoute, tunnels } from './vpn-common.js';
import { canonicalIp, said } from './helpers.js';
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

/** The target's route lookup as params. */
type Lookup = { outcome: string; dev: string | null; gateway: string | null; route: string | null; error: string | null };
type Case = Lookup & { dst: string; tunDev: string; vnet: string };

/** Where the kernel sends the target instead, in a language (the meta's {actual}). */
function actual(lang: Lang, p: Lookup): string {
  if (lang === 'zh') return p.outcome === 'route' ? `从 ${p.dev}${p.gateway ? `（经由 ${p.gateway}）` : ' '}发出` : `视为不可达（${p.outcome === 'no-route' ? '没有路由' : said('zh', p.outcome)}）`;
  return p.outcome === 'route' ? `out of ${p.dev}${p.gateway ? ` via ${p.gateway}` : ''} instead` : `nowhere (${p.outcome === 'no-route' ? 'no route' : p.outcome})`;
}
const words = (lang: Lang, p: Case): Record<string, string> => ({ dst: p.dst, tunDev: p.tunDev, vnet: p.vnet, actual: actual(lang, p) });

/** The route line of a lookup that found one. */
const line = (p: Lookup): string => p.route ?? `dev ${p.dev}`;

const M = defineMessages('VPN-005', {
  elsewhere: metaText(meta.explanation, words),
  route: msg(
    (p: Lookup & { dst: string; tunDev: string; networks: string[]; vnet: string }) =>
      `ip route get ${p.dst}: ${p.outcome === 'route' ? line(p) : `${p.outcome}${p.error ? ` (${p.error})` : ''}`}; ${p.tunDev} carries ${p.networks.join(', ') || p.vnet}`,
    (p) => `ip route get ${p.dst}：${p.outcome === 'route' ? `\`${line(p)}\`` : `${said('zh', p.outcome)}${p.error ? `（"${p.error}"）` : ''}`}；${p.tunDev} 承载 ${p.networks.join('、') || p.vnet}`,
  ),
});

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
      const lookup: Lookup = { outcome: route.outcome, dev: route.dev, gateway: route.gateway, route: route.route, error: route.error ?? null };
      return makeFinding(meta, ctx, {
        vars: { dst, tunDev: s.dev, vnet },
        explanation: M.elsewhere({ ...lookup, dst, tunDev: s.dev, vnet }),
        evidence: [
          stateEvidence(s),
          evidence('route.lookup', M.route({ ...lookup, dst, tunDev: s.dev, networks: s.networks, vnet }), {
            destination: dst,
            outcome: route.outcome,
            dev: route.dev,
            gateway: route.gateway,
            route: route.route,
            tunnelNetworks: s.networks,
          }),
        ],
      });
    }
    return null;
  },
};
