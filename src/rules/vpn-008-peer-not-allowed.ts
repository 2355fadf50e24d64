import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-008',
  slug: 'peer-not-allowed',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'The route sends {dst} into {dev}, but no peer of {dev} allows it', zh: '对端未放行该网段：路由把 {dst} 送入 {dev}，但 {dev} 没有任何对端允许该地址' },
  explanation: {
    en: 'The kernel routes {dst} into the tunnel {dev}, but the tunnel’s own configuration has no peer for that address (WireGuard AllowedIPs, OpenVPN iroute), so the interface drops the packets ({sendError}).',
    zh: '内核把 {dst} 路由进隧道 {dev}，但隧道自身的配置中没有对应该地址的对端（WireGuard 的 AllowedIPs、OpenVPN 的 iroute），网卡直接丢弃报文（{sendError}）。',
  },
  evidence: { en: 'The allowed IPs per peer and the send error.', zh: '每个对端的 AllowedIPs 以及发送错误。' },
  fix: [
    { summary: { en: 'Add the target’s network to the peer’s allowed IPs (the list replaces the old one, so it repeats the existing entries)', zh: '把目标网段加入该对端的 AllowedIPs（该命令会替换原列表，因此包含原有条目）' }, command: 'wg set {dev} peer {peer} allowed-ips {allowedIps}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['DNS-001', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
