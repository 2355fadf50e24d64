import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

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
  fix: [
    { summary: { en: 'Route the virtual network into the tunnel', zh: '把虚拟网段路由进隧道' }, command: 'ip route add {vnet} dev {tunDev}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['NET-001', 'DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
