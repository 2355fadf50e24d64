import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'APP-001',
  slug: 'heartbeat-lost',
  layer: 'app',
  severity: 'error',
  title: { en: 'Heartbeats to {peer} go unanswered or come every {interval} s, above the peer’s timeout of {timeout} s', zh: '心跳异常：发往 {peer} 的心跳无回应，或间隔 {interval} 秒超过对端超时 {timeout} 秒' },
  explanation: {
    en: 'The application sends heartbeats, but the peer does not answer them, or the interval between them exceeds the time after which the peer declares the session dead; the session drops although the network is fine.',
    zh: '应用发送了心跳，但对端没有回应，或者心跳间隔超过了对端判定会话失效的时间；即使网络正常，会话也会断开。',
  },
  evidence: { en: 'Heartbeat send and receive times.', zh: '心跳的发送与接收时间。' },
  fix: [
    { summary: { en: 'Set the heartbeat interval below the peer’s timeout ({timeout} s), or raise the timeout on the peer', zh: '把心跳间隔设置为低于对端超时（{timeout} 秒），或者在对端调大超时' } },
  ],
  implemented: false,
  issue: 5,
};

export const rule: Rule = notImplemented(meta);
