/** Small pure helpers shared by the rules (address comparison, text for evidence). */
import ipaddr from 'ipaddr.js';
import type { Lang } from '../model/layer.js';
import type { TraceHop } from '../model/observation.js';

/** Canonical text of an IP address (IPv6 compressed, IPv4-mapped unwrapped); the input when it is not an address. */
export function canonicalIp(text: string): string {
  try {
    const a = ipaddr.process(text);
    return a.toString();
  } catch {
    return text;
  }
}

export const sameIp = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && canonicalIp(a) === canonicalIp(b);

export const familyOf = (address: string): 4 | 6 => (canonicalIp(address).includes(':') ? 6 : 4);

/** A proxy URL without its user:password part (evidence must not leak credentials). */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

/** Picks the text of the context language. */
export const tr = (lang: Lang, en: string, zh: string): string => (lang === 'zh' ? zh : en);

/** Escapes a string for a sed basic regular expression between slashes. */
export const sedEscape = (s: string): string => s.replace(/[.[\]*^$\\/]/g, '\\$&');

/** Seconds with at most one decimal ('3', '3.5'). */
export const secs = (ms: number): string => String(Math.round(ms / 100) / 10);

/** Chinese words for the outcomes and states probes report ('refused', 'timeout', …); see `said`. */
const WORDS_ZH: Readonly<Record<string, string>> = {
  open: '端口开放',
  refused: '连接被拒绝',
  filtered: '被过滤（无应答）',
  rejected: '被拒绝（ICMP）',
  unreachable: '不可达',
  timeout: '超时',
  error: '出错',
  answer: '有应答',
  answered: '有应答',
  'no-answer': '无应答',
  lost: '丢失',
  reset: '被重置',
  closed: '已关闭',
  stall: '停滞',
  stalled: '停滞',
  alive: '仍存活',
  silent: '无响应',
  'no-route': '无路由',
  blackhole: '黑洞路由',
  prohibit: '被禁止',
  unicast: '单播',
  route: '有路由',
  response: '有响应',
  ok: '成功',
  acked: '已确认',
  completed: '已完成',
  unknown: '未知',
  none: '无',
  'not-tls': '不是 TLS',
  'tcp-failed': 'TCP 连接失败',
  'verify-failed': '证书验证失败',
  alert: '收到告警',
  'not-probed': '未探测',
  'not-tested': '未测试',
  'no-response': '无响应',
  'connect-failed': '连接失败',
  icmp: 'ICMP 差错',
  fresh: '最近完成',
  'not-attempted': '未尝试',
  passed: '通过',
  'not-run': '未运行',
};

/** A probe outcome or state word in the context language ('refused' → '连接被拒绝'); a word without a zh text stays as it is. */
export const said = (lang: Lang, word: string): string => (lang === 'zh' ? (WORDS_ZH[word] ?? word) : word);

/** A trace's hops as parallel lists for a message's parameters: TTL, address ('???' when none answered), replies received and probes sent, 1 where the hop's ICMP answers are rate-limited. */
export const hopColumns = (hops: readonly TraceHop[]): { ttl: number[]; addr: string[]; recv: number[]; sent: number[]; limited: number[] } => ({
  ttl: hops.map((h) => h.ttl),
  addr: hops.map((h) => h.addr ?? '???'),
  recv: hops.map((h) => h.recv),
  sent: hops.map((h) => h.sent),
  limited: hops.map((h) => (h.rateLimited ? 1 : 0)),
});
