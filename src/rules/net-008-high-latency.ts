import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'NET-008',
  slug: 'high-latency',
  layer: 'network',
  severity: 'error',
  title: { en: 'High latency to {dst}: RTT {avg} ms (jitter {stddev} ms), rising at hop {hop}', zh: '延迟过高：到 {dst} 的 RTT {avg} 毫秒（抖动 {stddev} 毫秒），从第 {hop} 跳开始升高' },
  explanation: {
    en: 'The round-trip time or its jitter to {dst} is above the threshold ({threshold} ms). The increase starts at hop {hop} ({router}) and stays to the target: a congested or long-haul link there, or a queue that is too deep (bufferbloat).',
    zh: '到 {dst} 的往返时延或抖动超过阈值（{threshold} 毫秒）。时延从第 {hop} 跳（{router}）开始升高并保持到目标：该处链路拥塞、绕远，或队列过深（bufferbloat）。',
  },
  evidence: { en: 'RTT min/avg/max/stddev per hop.', zh: '逐跳的 RTT 最小/平均/最大/标准差。' },
  fix: [
    { summary: { en: 'Check the load and the routing of the link at hop {hop} ({router}); for the target’s own queue, check its CPU and load', zh: '检查第 {hop} 跳（{router}）所在链路的负载与路由；若是目标自身排队，检查其 CPU 与负载' } },
  ],
  implemented: false,
  issue: 5,
  explains: ['APP-001'],
};

export const rule: Rule = notImplemented(meta);
