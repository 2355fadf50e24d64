/**
 * Small words the rules put into their sentences: probe outcomes and the like, as messages so a
 * zh report does not print 'filtered' or 'none' in the middle of a Chinese sentence.
 */
import { defineMessages, messageText, msg, type Msg } from '../model/message.js';

const OUTCOMES = {
  open: { en: 'open', zh: '端口开放' },
  refused: { en: 'refused', zh: '连接被拒绝' },
  filtered: { en: 'filtered', zh: '被过滤（无应答）' },
  rejected: { en: 'rejected', zh: '被拒绝（ICMP）' },
  unreachable: { en: 'unreachable', zh: '不可达' },
  timeout: { en: 'timeout', zh: '超时' },
  error: { en: 'error', zh: '出错' },
  answer: { en: 'answer', zh: '有应答' },
  answered: { en: 'answered', zh: '有应答' },
  'no-answer': { en: 'no-answer', zh: '无应答' },
  lost: { en: 'lost', zh: '丢失' },
  reset: { en: 'reset', zh: '被重置' },
  closed: { en: 'closed', zh: '已关闭' },
  stall: { en: 'stall', zh: '停滞' },
  stalled: { en: 'stalled', zh: '停滞' },
  alive: { en: 'alive', zh: '仍存活' },
  silent: { en: 'silent', zh: '无响应' },
  'no-route': { en: 'no-route', zh: '无路由' },
  blackhole: { en: 'blackhole', zh: '黑洞路由' },
  prohibit: { en: 'prohibit', zh: '被禁止' },
  route: { en: 'route', zh: '有路由' },
  response: { en: 'response', zh: '有响应' },
  'not-tls': { en: 'not-tls', zh: '不是 TLS' },
  'tcp-failed': { en: 'tcp-failed', zh: 'TCP 连接失败' },
  'verify-failed': { en: 'verify-failed', zh: '证书验证失败' },
  alert: { en: 'alert', zh: '收到告警' },
  ok: { en: 'ok', zh: '成功' },
  'not-probed': { en: 'not-probed', zh: '未探测' },
  'not-tested': { en: 'not-tested', zh: '未测试' },
  'not-attempted': { en: 'not-attempted', zh: '未尝试' },
  'no-response': { en: 'no-response', zh: '无响应' },
  completed: { en: 'completed', zh: '已完成' },
  fresh: { en: 'fresh', zh: '最近完成' },
  unknown: { en: 'unknown', zh: '未知' },
  icmp: { en: 'icmp', zh: 'ICMP 差错' },
  passed: { en: 'passed', zh: '通过' },
  'not-run': { en: 'not-run', zh: '未运行' },
  'connect-failed': { en: 'connect-failed', zh: '连接失败' },
} as const;

const W = defineMessages('word', {
  none: { en: 'none', zh: '无' },
  noRoute: { en: 'no route', zh: '无路由' },
  theGateway: { en: 'the gateway', zh: '网关' },
  thePeer: { en: 'the peer', zh: '对端' },
  unknownWord: { en: 'unknown', zh: '未知' },
});
defineMessages('outcome', OUTCOMES);

/** A probe outcome as a word of the reader's language (an outcome without a text stays as it is). */
export const outcome = (o: string): Msg | string => (messageText(`outcome.${o}`) ? msg(`outcome.${o}`) : o);

export const word = W;
