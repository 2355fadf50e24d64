import type { Rule, RuleMeta } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-004',
  slug: 'reset-after-connect',
  layer: 'transport',
  severity: 'error',
  title: { en: '{address}:{port} closes the connection right after the handshake', zh: '{address}:{port} 握手后被重置' },
  explanation: {
    en: 'The TCP handshake with {address}:{port} completes, but the peer or a middlebox {event} the connection {ms} ms later, before any application data. Typical causes: the server refuses this client at accept time (IP allow-list, tcp_wrappers, connection limit), a proxy or load balancer with no healthy backend, or a firewall that resets the flow after inspecting the first packet.',
    zh: '与 {address}:{port} 的 TCP 握手已完成，但在任何应用数据之前，对端或中间设备在 {ms} 毫秒后{event}了连接。常见原因：服务器在 accept 时拒绝该客户端（IP 白名单、tcp_wrappers、连接数限制），代理/负载均衡没有健康的后端，或防火墙在检查首个报文后重置连接。',
  },
  evidence: { en: 'The handshake time and the RST/FIN that followed, with its delay and the bytes received before it (none).', zh: '握手耗时，随后到来的 RST/FIN 及其延迟，以及此前收到的字节数（为零）。' },
  fix: [
    { summary: { en: "Check the server's (or load balancer's) log and access rules for connections from this client to port {port}", zh: '检查服务器（或负载均衡）对本客户端连接端口 {port} 的日志和访问控制规则' } },
  ],
  implemented: true,
  issue: 4,
  explains: ['TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = { meta, check: () => null };
