import type { Rule, RuleMeta } from './types.js';
import { notImplemented } from './types.js';

export const meta: RuleMeta = {
  code: 'TCP-006',
  slug: 'idle-timeout',
  layer: 'transport',
  severity: 'error',
  title: { en: 'Idle connections to {address}:{port} are dropped after about {idleSec} s', zh: '到 {address}:{port} 的空闲连接被回收/Keepalive不匹配（约 {idleSec} 秒）' },
  explanation: {
    en: 'A connection to {address}:{port} left idle was still alive after {aliveSec} s but dead after {deadSec} s: a NAT, firewall or the peer forgets idle connections after about {idleSec} s, which is shorter than the keepalive interval ({keepaliveSec} s), so the next packet meets a reset or silence.',
    zh: '到 {address}:{port} 的连接空闲 {aliveSec} 秒后仍然存活，空闲 {deadSec} 秒后已失效：NAT、防火墙或对端在约 {idleSec} 秒后回收空闲连接，短于保活间隔（{keepaliveSec} 秒），之后的报文只会遇到重置或石沉大海。',
  },
  evidence: { en: 'The idle-hold test: alive after t1, dead after t2, and the keepalive settings in use.', zh: '空闲保持测试：t1 后存活、t2 后失效，以及当前的保活设置。' },
  fix: [
    { summary: { en: 'Send keepalives more often than every {idleSec} s (kernel default for sockets with SO_KEEPALIVE, or the application setting)', zh: '让保活间隔短于 {idleSec} 秒（开启 SO_KEEPALIVE 的套接字使用内核设置，或修改应用自身的心跳设置）' }, command: 'sysctl -w net.ipv4.tcp_keepalive_time={keepaliveTarget}' },
    { summary: { en: 'Or raise the idle timeout of the NAT/firewall above the keepalive interval', zh: '或者将 NAT/防火墙的空闲超时调到大于保活间隔' } },
  ],
  implemented: false,
  issue: 5,
  explains: ['APP-001'],
};

export const rule: Rule = notImplemented(meta);
