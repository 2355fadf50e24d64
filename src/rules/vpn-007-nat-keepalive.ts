import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'VPN-007',
  slug: 'nat-keepalive',
  layer: 'tunnel',
  severity: 'error',
  title: { en: 'A NAT forgets the tunnel’s UDP mapping after {natTimeout} s, but the keepalive is {keepalive}', zh: 'NAT映射超时/保活间隔过长：路径上的 NAT 在 {natTimeout} 秒后遗忘隧道的 UDP 映射，而保活间隔为 {keepalive}' },
  explanation: {
    en: 'The tunnel works, then goes silent after being idle: a NAT on the path drops the UDP mapping after about {natTimeout} s, before the next keepalive ({keepalive}). Replies from the server then have nowhere to go until the client sends again.',
    zh: '隧道能用，但空闲一段时间后就不通了：路径上的 NAT 大约 {natTimeout} 秒后删除 UDP 映射，早于下一次保活（{keepalive}）。此后服务器的回包无处可去，直到客户端再次发送数据。',
  },
  evidence: { en: 'The NAT idle timeout found by the idle test against the configured persistent keepalive.', zh: '空闲测试测得的 NAT 空闲超时与配置的持久保活间隔对比。' },
  fix: [
    { summary: { en: 'Set the keepalive below the NAT timeout', zh: '把保活间隔设置为低于 NAT 超时' }, command: 'wg set {dev} peer {peer} persistent-keepalive {interval}' },
  ],
  implemented: false,
  issue: 7,
  explains: ['TCP-006', 'APP-001'],
};

export const rule: Rule = notImplemented(meta);
