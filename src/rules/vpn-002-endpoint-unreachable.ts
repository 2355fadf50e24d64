import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

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
  evidence: { en: 'The tunnel’s endpoint (`wg show all dump` / OpenVPN status) and the underlay diagnosis of that endpoint.', zh: '隧道的端点（`wg show all dump` / OpenVPN 状态）以及对该端点的底层网络诊断。' },
  fix: [
    { summary: { en: 'Fix what the underlay diagnosis of {endpoint} finds (route, DNS, firewall), then re-check the tunnel', zh: '先解决对 {endpoint} 的底层诊断发现的问题（路由、DNS、防火墙），再重新检查隧道' } },
  ],
  implemented: false,
  issue: 7,
  explains: ['VPN-003', 'VPN-007', 'DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
