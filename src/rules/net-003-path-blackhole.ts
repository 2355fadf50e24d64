import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'NET-003',
  slug: 'path-blackhole',
  layer: 'network',
  severity: 'error',
  title: { en: 'Packets to {dst} are lost beyond hop {hop} ({router})', zh: '路径中断/黑洞：发往 {dst} 的报文在第 {hop} 跳（{router}）之后丢失' },
  explanation: {
    en: 'Packets leave through the gateway, the path answers up to hop {hop} ({router}), and beyond it neither ICMP nor TCP reaches {dst}: a router after that hop drops them (missing route, blackhole route, broken link).',
    zh: '报文经网关发出，路径在第 {hop} 跳（{router}）之前都有响应，之后 ICMP 和 TCP 都到不了 {dst}：该跳之后的某个路由器丢弃了报文（缺少路由、黑洞路由或链路故障）。',
  },
  evidence: { en: 'The hop list of a trace (ICMP and TCP), the last hop that responds, and the failed ICMP/TCP probes of the target.', zh: '路径追踪（ICMP 与 TCP）的逐跳列表、最后一个有响应的跳点，以及对目标的 ICMP/TCP 探测失败结果。' },
  fix: [
    { summary: { en: 'Ask the operator of {router} (hop {hop}) to check its route to {dst}', zh: '请 {router}（第 {hop} 跳）的管理方检查其到 {dst} 的路由' } },
    { summary: { en: 'With several candidate routes, prefer the one through {altGateway}', zh: '若有多条候选路由，优先使用经由 {altGateway} 的那条' }, command: 'ip route replace {prefix} via {altGateway}' },
  ],
  implemented: false,
  issue: 5,
  explains: ['HOST-004', 'DNS-001', 'NET-005', 'NET-007', 'VPN-002', 'VPN-003', 'TCP-002', 'TLS-009', 'APP-001', 'APP-002'],
};

export const rule: Rule = notImplemented(meta);
