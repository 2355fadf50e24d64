import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

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
    { summary: { en: 'Send the target into the tunnel with a host route (a lasting fix is to renumber one of the subnets)', zh: '添加一条把目标送入隧道的主机路由（根本解决需要修改其中一个网段）' }, command: 'ip route add {hostPrefix} dev {tunDev}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['TCP-001', 'TCP-002', 'TCP-003', 'TLS-003', 'TLS-009', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
