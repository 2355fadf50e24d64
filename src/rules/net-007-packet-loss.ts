import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'NET-007',
  slug: 'packet-loss',
  layer: 'network',
  severity: 'error',
  title: { en: '{loss}% packet loss to {dst}, starting at hop {hop} ({router})', zh: '丢包：到 {dst} 的丢包率 {loss}%，从第 {hop} 跳（{router}）开始' },
  explanation: {
    en: 'More than {threshold}% of the packets to {dst} are lost. The loss first appears at hop {hop} ({router}) and persists to the target, so that link or router is the place to look; loss that appears at one hop only and not beyond is ICMP rate limiting, not loss.',
    zh: '发往 {dst} 的报文丢失超过 {threshold}%。丢包从第 {hop} 跳（{router}）开始出现并一直持续到目标，应重点检查该链路或路由器；只在某一跳出现、之后各跳正常的丢包是 ICMP 限速，不是真正的丢包。',
  },
  evidence: { en: 'Sent/received per hop (mtr-style) and the first hop from which the loss persists to the target.', zh: '逐跳的发送/接收数（类似 mtr），以及丢包开始并持续到目标的第一跳。' },
  fix: [
    { summary: { en: 'Check the link between hop {prevHop} and hop {hop} ({router}): interface errors, duplex, congestion; report it to its operator with the hop list', zh: '检查第 {prevHop} 跳与第 {hop} 跳（{router}）之间的链路：接口错误、双工、拥塞；附上逐跳结果联系其管理方' } },
  ],
  implemented: false,
  issue: 5,
  explains: ['TCP-005', 'TLS-009', 'APP-001'],
};

export const rule: Rule = notImplemented(meta);
