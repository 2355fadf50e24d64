import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-003',
  slug: 'port-rejected',
  layer: 'transport',
  severity: 'error',
  title: { en: '{address}:{port} is rejected by a firewall at {from} ({icmp})', zh: '{address}:{port} 端口被防火墙拒绝（{from} 返回 {icmp}）' },
  explanation: {
    en: 'The SYN to {address}:{port} was answered by {from} with an ICMP error ({icmp}, type {type} code {code}) instead of a TCP reply: a firewall REJECT rule for this port, on the server itself or on a router in the path.',
    zh: '发往 {address}:{port} 的 SYN 没有得到 TCP 应答，而是由 {from} 返回了 ICMP 错误（{icmp}，类型 {type} 代码 {code}）：服务器或路径上某台路由器的防火墙对该端口配置了 REJECT 规则。',
  },
  evidence: { en: 'The ICMP error (type, code) that answered the SYN and the address that sent it.', zh: '回应 SYN 的 ICMP 错误（类型、代码）及其发送方地址。' },
  fix: [
    { summary: { en: 'On {from}, allow TCP port {port} before the REJECT rule', zh: '在 {from} 上，在 REJECT 规则之前放行 TCP 端口 {port}' }, command: '{iptables} -I {chain} -p tcp -d {address} --dport {port} -j ACCEPT' },
  ],
  implemented: true,
  issue: 4,
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

export const rule: Rule = { meta, check: () => null };
