import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-001',
  slug: 'tunnel-down',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The tunnel interface {dev} is {state}', zh: '虚拟网卡未启用/隧道未建立：隧道网卡 {dev} {state}' },
  explanation: {
    en: 'The target {dst} belongs to the virtual network, which is carried by the tunnel interface {dev}, but that interface is {state}: the VPN client is not running or did not bring it up, so the routes into the tunnel are gone too.',
    zh: '目标 {dst} 属于虚拟网络，应由隧道网卡 {dev} 承载，但该网卡{state}：VPN 客户端未运行或没有启用它，因此进入隧道的路由也不存在。',
  },
  evidence: { en: 'The link state of the tunnel interface (`ip -j link`) and the VPN service state.', zh: '隧道网卡的链路状态（`ip -j link`）以及 VPN 服务状态。' },
  fix: [
    { summary: { en: 'Bring the tunnel interface up', zh: '启用隧道网卡' }, command: 'ip link set {dev} up' },
    { summary: { en: 'Or start the VPN service that creates it', zh: '或者启动创建该网卡的 VPN 服务' }, command: 'systemctl start {service}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['NET-001', 'DNS-001', 'VPN-003', 'VPN-005', 'VPN-008', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
