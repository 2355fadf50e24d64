import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-002',
  slug: 'port-filtered',
  layer: 'transport',
  severity: 'error',
  title: { en: 'SYNs to {address}:{port} get no answer (filtered)', zh: '{address}:{port} SYN无响应，端口被防火墙丢弃' },
  explanation: {
    en: 'Connection attempts to {address}:{port} got no answer at all within {ms} ms: no SYN-ACK, no RST, no ICMP error, while the host itself is reachable. A firewall on the server or on the path silently drops the SYNs for this port.',
    zh: '在 {ms} 毫秒内，到 {address}:{port} 的连接请求没有任何回应：没有 SYN-ACK、没有 RST、也没有 ICMP 错误，而主机本身可达。服务器或路径上的防火墙静默丢弃了发往该端口的 SYN。',
  },
  evidence: {
    en: 'SYN timeouts to the port against proof that the host is alive (ICMP echo replies, or another port that connects).',
    zh: '该端口的 SYN 超时，以及主机存活的证据（ICMP 回显应答，或其他端口可以连接）。',
  },
  fix: [
    { summary: { en: 'On the server, allow TCP port {port} in its firewall (and in any firewall on the path)', zh: '在服务器防火墙（以及路径上的防火墙）中放行 TCP 端口 {port}' }, command: '{iptables} -I INPUT -p tcp --dport {port} -j ACCEPT' },
  ],
  implemented: true,
  issue: 4,
  explains: ['TLS-009', 'TLS-010', 'APP-001', 'APP-002', 'NET-005'],
};

export const rule: Rule = { meta, check: () => null };
