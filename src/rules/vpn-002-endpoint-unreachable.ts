import type { Rule, RuleMeta } from './types.js';
import { defineMessages, makeFinding, msg } from './types.js';
import { endpointViews, handshakeOf, handshakeWorks, stateEvidence, tunnels, underlayWhy, type UnderlayWhy } from './vpn-common.js';

export const meta: RuleMeta = {
  code: 'VPN-002',
  slug: 'endpoint-unreachable',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The VPN server {endpoint} cannot be reached over the underlay', zh: 'VPN服务器不可达：经底层网络无法到达 {endpoint}' },
  explanation: {
    en: 'The tunnel {dev} needs its server {endpoint}, but the underlay network does not get there. The diagnosis of the endpoint itself (its route, DNS, firewall) names why; that finding is the root cause and this one is explained by it.',
    zh: '隧道 {dev} 依赖其服务器 {endpoint}，但底层网络无法到达该地址。对该端点本身的诊断（路由、DNS、防火墙）会指出原因；那条发现才是根本原因，本条由它导致。',
  },
  evidence: {
    en: 'The tunnel’s endpoint (`wg show all dump` / OpenVPN status) and the underlay diagnosis of that endpoint.',
    zh: '隧道的端点（`wg show all dump` / OpenVPN 状态）以及对该端点的底层网络诊断。',
  },
  fix: [
    {
      summary: {
        en: 'Fix what the underlay diagnosis of {endpoint} finds (route, DNS, firewall), then re-check the tunnel',
        zh: '先解决对 {endpoint} 的底层诊断发现的问题（路由、DNS、防火墙），再重新检查隧道',
      },
    },
  ],
  explains: ['VPN-003', 'VPN-007', 'DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

const M = defineMessages('VPN-002', {
  nameGoneTitle: msg(
    (p: { name: string }) => `The VPN endpoint name ${p.name} no longer resolves`,
    (p) => `VPN服务器域名 ${p.name} 已无法解析`,
  ),
  nameGone: msg(
    (p: { dev: string; host: string; name: string; error: string | null }) =>
      `The tunnel ${p.dev} still works over ${p.host}, the address it resolved earlier, but ${p.name} does not resolve now (${p.error ?? 'no address'}): the next restart of the tunnel will fail.`,
    (p) => `隧道 ${p.dev} 仍通过此前解析得到的 ${p.host} 工作，但 ${p.name} 现在无法解析（${p.error ?? '无地址'}）：隧道下次重启将会失败。`,
  ),
  restoreName: msg(
    (p: { name: string }) => `Restore the DNS record of ${p.name}, or put the server's address in the tunnel configuration`,
    (p) => `恢复 ${p.name} 的 DNS 记录，或在隧道配置中直接填写服务器地址`,
  ),
  unreachable: msg(
    (p: UnderlayWhy & { dev: string; endpoint: string }) => `The tunnel ${p.dev} needs its server ${p.endpoint}, but the underlay network does not get there: ${underlayWhy('en', p).join('; ')}.`,
    (p) => `隧道 ${p.dev} 依赖其服务器 ${p.endpoint}，但底层网络无法到达：${underlayWhy('zh', p).join('；')}。`,
  ),
});

/**
 * The tunnel does not work and the underlay says why: its endpoint's name does not resolve, there
 * is no route, the gateway is dead, a router reports it unreachable, nothing listens on the port,
 * or neither ICMP nor the tunnel protocol gets any answer. When the tunnel works but the endpoint's
 * configured name no longer resolves, a warning: the next restart would fail.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    for (const { data: s } of tunnels(ctx)) {
      const views = endpointViews(ctx, s.dev);
      if (views.length === 0) continue;
      const works = handshakeWorks(handshakeOf(ctx, s.dev));
      // The tunnel is down only when no endpoint answered at all (OpenVPN tries its remotes in turn).
      const bad = views.filter((v) => underlayWhy('en', v.why).length > 0);
      if (works) {
        const stale = views.find((v) => v.ep.resolve && v.ep.resolve.addresses.length === 0 && v.ep.address === null);
        const named = views.find((v) => v.ep.resolve && v.ep.resolve.addresses.length === 0);
        const w = stale ?? named;
        if (!w || !w.ep.resolve) continue;
        return makeFinding(meta, ctx, {
          severity: 'warning',
          vars: { endpoint: w.ep.resolve.name, dev: s.dev },
          title: M.nameGoneTitle({ name: w.ep.resolve.name }),
          explanation: M.nameGone({ dev: s.dev, host: w.ep.host, name: w.ep.resolve.name, error: w.ep.resolve.error }),
          evidence: [stateEvidence(s), ...w.evidence],
          fix: [{ summary: M.restoreName({ name: w.ep.resolve.name }) }],
        });
      }
      if (bad.length === 0 || views.some((v) => v.answered)) continue;
      const v = bad[0]!;
      const endpoint = v.label;
      return makeFinding(meta, ctx, {
        vars: { endpoint, dev: s.dev },
        explanation: M.unreachable({ ...v.why, dev: s.dev, endpoint }),
        evidence: [stateEvidence(s), ...bad.flatMap((x) => x.evidence)],
      });
    }
    return null;
  },
};
